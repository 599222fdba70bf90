import type { PolicyResult, RuleResult } from './evaluate.js';

/**
 * The verdict as people read it on stderr (table mode): the verdict line, every matched rule
 * with why and its first findings, expired and applied exceptions. JSON output carries the
 * whole PolicyResult instead.
 */

const SHOWN_EVIDENCE = 5;

function ruleLines(r: RuleResult): string[] {
  const out = [`  ${r.action.toUpperCase().padEnd(5)}  ${r.policy}/${r.rule}: ${r.why.join('; ')}`];
  for (const e of r.evidence.slice(0, SHOWN_EVIDENCE)) out.push(`           ${e.id} in ${e.package} ${e.version} (${e.severity})${e.details?.length ? `: ${e.details.join('; ')}` : ''}`);
  if (r.evidenceTotal > SHOWN_EVIDENCE) out.push(`           … and ${r.evidenceTotal - SHOWN_EVIDENCE} more (see --format json)`);
  if (r.remediation) out.push(`           fix: ${r.remediation}`);
  return out;
}

export function explainResult(result: PolicyResult): string {
  const matched = result.rules.filter((r) => r.matched);
  const lines = [`policy: ${result.verdict.toUpperCase()} (stage ${result.stage}; ${matched.length} of ${result.rules.length} rules matched)`];
  const order = (r: RuleResult) => (r.action === 'block' ? 0 : 1);
  for (const r of [...matched].sort((a, b) => order(a) - order(b))) lines.push(...ruleLines(r));
  for (const e of result.expiredExceptions) lines.push(`  expired exception "${e.name}" of ${e.policy} (${e.reason}; owner ${e.owner}) expired ${e.expires}: it no longer applies`);
  for (const e of result.appliedExceptions) lines.push(`  exception "${e.name}" of ${e.policy} applied${e.findings ? ` to ${e.findings} finding(s)` : ''} (${e.reason}; owner ${e.owner}; expires ${e.expires})`);
  return `${lines.join('\n')}\n`;
}
