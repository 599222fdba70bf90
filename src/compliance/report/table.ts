import type { ComplianceReport } from '../run.js';
import type { Status } from '../types.js';

/** The human report: one line per check, the subjects behind failures, then framework pass rates. */
const LABEL: Readonly<Record<Status, string>> = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', skip: 'SKIP' };
const MAX_SUBJECTS = 5;

export function renderTable(report: ComplianceReport, opts: { verbose?: boolean } = {}): string {
  const lines: string[] = [`Compliance of ${report.target} ${report.subject}`, ''];
  const idWidth = Math.max(8, ...report.checks.map((c) => c.id.length));
  lines.push(`${'STATUS'.padEnd(6)}  ${'SEVERITY'.padEnd(8)}  ${'ID'.padEnd(idWidth)}  TITLE`);
  for (const c of report.checks) {
    lines.push(`${LABEL[c.status].padEnd(6)}  ${c.severity.padEnd(8)}  ${c.id.padEnd(idWidth)}  ${c.title}`);
    const shown = c.results.filter((r) => r.status === 'fail' || r.status === 'warn' || (opts.verbose && r.status === 'skip'));
    for (const r of shown.slice(0, MAX_SUBJECTS)) {
      const fact = r.evidence[0]?.message ?? '';
      lines.push(`        ${LABEL[r.status]} ${r.subject}${r.reason ? `: ${r.reason}` : ''}${fact && fact !== r.reason ? ` (${fact})` : ''}`);
    }
    if (shown.length > MAX_SUBJECTS) lines.push(`        … and ${shown.length - MAX_SUBJECTS} more`);
    if (c.status === 'skip' && !opts.verbose && c.results[0]?.reason && c.results.length === 1) lines.push(`        ${c.results[0].reason}`);
  }
  const s = report.summary;
  lines.push('', `${report.checks.length} checks: ${s.pass} passed, ${s.fail} failed, ${s.warn} to review, ${s.skip} skipped`);
  if (report.capabilities) {
    lines.push('', 'Capabilities beyond Docker’s default set:');
    for (const [name, a] of Object.entries(report.capabilities)) {
      const extra = [...new Set([...a.added, ...a.runtimeBeyondDefault])];
      lines.push(`  ${name}: ${extra.length ? extra.join(', ') : 'none'}${a.dropped.length ? `; dropped ${a.dropped.join(', ')}` : ''}`);
    }
  }
  if (report.frameworks.length) {
    lines.push('', 'Frameworks:');
    for (const f of report.frameworks) {
      const rate = f.passRate === null ? 'not evaluated' : `${Math.round(f.passRate * 100)}% of decided controls pass`;
      const failing = f.controls.filter((c) => c.status === 'fail').map((c) => c.id);
      lines.push(`  ${f.framework.id.padEnd(20)} ${rate} (${f.counts.pass} pass, ${f.counts.fail} fail, ${f.counts.warn} review, ${f.counts['not-evaluated']} not evaluated)`);
      if (failing.length) lines.push(`  ${''.padEnd(20)} failing: ${failing.join(', ')}`);
    }
  }
  for (const p of report.problems) lines.push(`warning: [${p.code}] ${p.message}`);
  return `${lines.join('\n')}\n`;
}
