import { PortcullisError } from '../core/errors.js';
import type { FindingSeverity } from '../core/finding.js';
import { parseTime } from './dates.js';
import type { EvalContext, KeyedFindingTest, Need } from './fields/types.js';
import { type PolicyFinding, type PolicyInput, type Stage, STAGES } from './input.js';
import { buffers, cover, filter, split } from './candidates.js';
import { ActiveException } from './exceptions.js';
import type { Action, CompiledException, CompiledRule, LoadedPolicy } from './model.js';

/**
 * The one engine function: policies × input × stage → verdict with explanations. Pure and
 * synchronous; the CLI gate, the Docker authz plugin, admission and the console all call it,
 * so they cannot disagree.
 *
 * A rule matches when it applies to the stage, its scope holds, every image criterion holds,
 * and (when it has vulnerability criteria) enough findings match all of them; findings
 * covered by an active exception do not count. Any matched `block` rule blocks; else any
 * matched `alert` rule alerts; else the input is allowed.
 */

export type Verdict = 'allow' | 'alert' | 'block';

export interface EvidenceFinding {
  readonly id: string;
  readonly package: string;
  readonly version: string;
  readonly severity: FindingSeverity;
  /** Per-criterion details (the fix date used, the CVSS score that counted…). */
  readonly details?: readonly string[];
}

export interface RuleResult {
  readonly policy: string;
  readonly rule: string;
  readonly action: Action;
  readonly matched: boolean;
  readonly why: readonly string[];
  /** The matching findings, at most MAX_EVIDENCE; `evidenceTotal` counts them all. */
  readonly evidence: readonly EvidenceFinding[];
  readonly evidenceTotal: number;
  /** From the rule; undefined when it has none (absent from JSON). */
  readonly remediation: string | undefined;
}

export interface ExceptionReport {
  readonly policy: string;
  readonly name: string;
  readonly reason: string;
  readonly owner: string;
  readonly expires: string;
}

export interface PolicyResult {
  readonly verdict: Verdict;
  readonly stage: Stage;
  readonly now: string;
  /** Every rule of the stage, in policy order: matched or not, each with why. */
  readonly rules: readonly RuleResult[];
  /** Exceptions that would apply but have expired: they no longer suppress anything. */
  readonly expiredExceptions: readonly ExceptionReport[];
  /** Active exceptions that suppressed something, with how many findings (0 for image exceptions). */
  readonly appliedExceptions: readonly (ExceptionReport & { readonly findings: number })[];
}

export const MAX_EVIDENCE = 25;

/** Facts the rules of `stage` need beyond findings and image metadata. */
export function policyNeeds(policies: readonly LoadedPolicy[], stage: Stage): Set<Need> {
  const needs = new Set<Need>();
  for (const p of policies) for (const r of p.rules) if (r.stages.has(stage)) for (const n of r.needs) needs.add(n);
  return needs;
}

function report(e: CompiledException): ExceptionReport {
  return { policy: e.policy, name: e.name, reason: e.reason, owner: e.owner, expires: e.expires };
}

function describeException(e: CompiledException): string {
  return `"${e.name}" (${e.reason}; owner ${e.owner}; expires ${e.expires})`;
}

interface PolicyExceptions {
  readonly imageLevel: readonly CompiledException[];
  readonly findingLevel: readonly ActiveException[];
  /** No finding-level exception is limited to some rules: every rule sees `findingLevel` as is. */
  readonly allRules: boolean;
}

function applies(e: CompiledException, rule: string): boolean {
  return !e.rules || e.rules.has(rule);
}

export function evaluatePolicy(policies: readonly LoadedPolicy[], input: PolicyInput, stage: Stage): PolicyResult {
  if (!(STAGES as readonly string[]).includes(stage)) throw new PortcullisError('USAGE', `unknown stage "${stage}"; stages are ${STAGES.join(', ')}`);
  const nowMs = parseTime(input.now);
  if (Number.isNaN(nowMs)) throw new PortcullisError('USAGE', `the policy input's now "${input.now}" is not an RFC 3339 time`);
  const ctx: EvalContext = { input, stage, findings: input.findings, nowMs, memo: new Map(), scratch: new Map() };
  const rules: RuleResult[] = [];
  const expired: ExceptionReport[] = [];
  const applied = new Map<CompiledException, ActiveException | undefined>();
  let verdict: Verdict = 'allow';
  let exceptionIds = 0;

  for (const policy of policies) {
    const staged = policy.rules.filter((r) => r.stages.has(stage));
    if (staged.length === 0) continue;
    const imageLevel: CompiledException[] = [];
    const findingLevel: ActiveException[] = [];
    for (const e of policy.exceptions) {
      if (nowMs > e.expiresMs) {
        expired.push(report(e));
        continue;
      }
      if (e.images?.outside(input) !== undefined) continue;
      if (!e.vulnerabilities && !e.packages) imageLevel.push(e);
      else findingLevel.push(new ActiveException(e, exceptionIds++, input.findings.length));
    }
    const exc: PolicyExceptions = { imageLevel, findingLevel, allRules: findingLevel.every((a) => !a.e.rules) };
    for (const rule of staged) {
      const r = evaluateRule(rule, ctx, exc, applied);
      rules.push(r);
      if (r.matched && r.action === 'block') verdict = 'block';
      else if (r.matched && verdict === 'allow') verdict = 'alert';
    }
  }
  return {
    verdict,
    stage,
    now: input.now,
    rules,
    expiredExceptions: expired,
    appliedExceptions: [...applied].map(([e, a]) => ({ ...report(e), findings: a?.suppressedCount ?? 0 })),
  };
}

function evaluateRule(rule: CompiledRule, ctx: EvalContext, exc: PolicyExceptions, applied: Map<CompiledException, ActiveException | undefined>): RuleResult {
  const none = (why: string[]): RuleResult => result(rule, false, why, [], 0);
  const outside = rule.scope?.outside(ctx.input);
  if (outside !== undefined) return none([`not in scope (${rule.scope?.describe}): ${outside}`]);
  const exempt = exc.imageLevel.find((e) => applies(e, rule.name));
  if (exempt) {
    applied.set(exempt, undefined);
    return none([`the image is excepted by ${describeException(exempt)}`]);
  }
  const why: string[] = [];
  for (const t of rule.imageTests) {
    const o = t.test(ctx);
    if (!o.matched) return none([o.why]);
    why.push(o.why);
  }
  if (rule.findingTests.length === 0 && !rule.count) return result(rule, true, why, [], 0);

  // Start from the findings that pass the rule's first test, split by whether an exception
  // covers them (both decided once per evaluation), then filter both parts by the other tests.
  const b = buffers(ctx);
  const tests = rule.findingTests;
  const active = exc.allRules ? exc.findingLevel : exc.findingLevel.filter((a) => applies(a.e, rule.name));
  const c = active.length ? cover(active, ctx, b) : undefined;
  const s = split(tests.length ? tests[0] : undefined, c, ctx, b);
  let open = s.open;
  let shut = s.shut;
  let nOpen = open.length;
  let nShut = shut.length;
  for (let k = 1; k < tests.length && nOpen + nShut > 0; k++) {
    const t = tests[k] as KeyedFindingTest;
    nOpen = filter(t, open, b.idx, nOpen, ctx, b.columns);
    open = b.idx;
    nShut = filter(t, shut, b.idx2, nShut, ctx, b.columns);
    shut = b.idx2;
  }
  const count = nOpen;
  const hits: number[] = [];
  for (let j = 0; j < nOpen && j < MAX_EVIDENCE; j++) hits.push(open[j] as number);
  const excepted = nShut;
  const used = new Set<ActiveException>();
  if (c) {
    for (let j = 0; j < nShut; j++) {
      const i = shut[j] as number;
      const by = active[(c.covered[i] as number) - 2] as ActiveException;
      by.suppress(i);
      used.add(by);
    }
  }
  const what = rule.findingText ? ` with ${rule.findingText}` : '';
  const countOk = rule.count ? rule.count.test(count) : count > 0;
  why.push(`${count} finding${count === 1 ? '' : 's'}${what}${rule.count ? ` (${rule.count.describe} required)` : ''}`);
  if (excepted > 0) {
    for (const a of used) applied.set(a.e, a);
    why.push(`${excepted} more excepted by ${[...used].map((a) => describeException(a.e)).join(', ')}`);
  }
  return result(rule, countOk, why, hits, count, ctx);
}

const NO_EVIDENCE: readonly EvidenceFinding[] = Object.freeze([]);

/**
 * Every result has the same properties in the same order. `evidence` is built when first read
 * (JSON.stringify reads it like any other property, so the serialized result is the same):
 * callers that only want the verdict (authz, admission) skip formatting up to 25 findings per
 * rule. It reads the evaluation's findings, so it reflects the input as it was evaluated as
 * long as the caller does not mutate that input.
 */
function result(rule: CompiledRule, matched: boolean, why: string[], hits: readonly number[], evidenceTotal: number, ctx?: EvalContext): RuleResult {
  let evidence: readonly EvidenceFinding[] | undefined = hits.length === 0 ? NO_EVIDENCE : undefined;
  return {
    policy: rule.policy,
    rule: rule.name,
    action: rule.action,
    matched,
    why,
    get evidence(): readonly EvidenceFinding[] {
      evidence ??= hits.map((i) => evidenceOf(i, ctx as EvalContext, rule));
      return evidence;
    },
    evidenceTotal,
    remediation: rule.remediation,
  };
}

function evidenceOf(i: number, ctx: EvalContext, rule: CompiledRule): EvidenceFinding {
  const f = ctx.findings[i] as PolicyFinding;
  const details: string[] = [];
  for (const t of rule.findingTests) {
    const d = t.detail?.(i, ctx);
    if (d) details.push(d);
  }
  return { id: f.id, package: f.package.name, version: f.package.version, severity: f.severity, ...(details.length ? { details } : {}) };
}
