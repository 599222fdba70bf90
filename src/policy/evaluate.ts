import { PortcullisError } from '../core/errors.js';
import type { FindingSeverity } from '../core/finding.js';
import { parseTime } from './dates.js';
import { applies, Evaluation, PolicyRun } from './evaluation.js';
import type { ActiveException } from './exceptions.js';
import type { EvalContext, Need } from './fields/types.js';
import { type PolicyInput, type Stage, STAGES } from './input.js';
import type { Action, CompiledException, CompiledRule, LoadedPolicy } from './model.js';
import { type PolicyPlan, planOf, type StagePlan } from './plan.js';
import { takePool } from './pool.js';
import { RuleResultObject } from './result.js';

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

const described = new WeakMap<CompiledException, string>();

function describeException(e: CompiledException): string {
  let d = described.get(e);
  if (d === undefined) {
    d = `"${e.name}" (${e.reason}; owner ${e.owner}; expires ${e.expires})`;
    described.set(e, d);
  }
  return d;
}

export function evaluatePolicy(policies: readonly LoadedPolicy[], input: PolicyInput, stage: Stage): PolicyResult {
  if (!(STAGES as readonly string[]).includes(stage)) throw new PortcullisError('USAGE', `unknown stage "${stage}"; stages are ${STAGES.join(', ')}`);
  const nowMs = parseTime(input.now);
  if (Number.isNaN(nowMs)) throw new PortcullisError('USAGE', `the policy input's now "${input.now}" is not an RFC 3339 time`);
  const plans = policies.map(planOf);
  let want = 0;
  for (const p of plans) want |= (p.stages.get(stage) as StagePlan).facts;
  const pool = takePool(input.findings.length);
  try {
    const run = new Evaluation(input, stage, nowMs, want, pool);
    const rules: RuleResult[] = [];
    const expired: ExceptionReport[] = [];
    const applied = new Map<CompiledException, ActiveException | undefined>();
    let verdict: Verdict = 'allow';
    policies.forEach((policy, p) => {
      const plan = plans[p] as PolicyPlan;
      const staged = (plan.stages.get(stage) as StagePlan).rules;
      if (staged.length === 0) return;
      const pr = new PolicyRun(policy, plan, run, (e) => expired.push(report(e)));
      for (const rule of staged) {
        const r = evaluateRule(rule, pr, applied);
        rules.push(r);
        if (r.matched && r.action === 'block') verdict = 'block';
        else if (r.matched && verdict === 'allow') verdict = 'alert';
      }
    });
    return {
      verdict,
      stage,
      now: input.now,
      rules,
      expiredExceptions: expired,
      appliedExceptions: [...applied].map(([e, a]) => ({ ...report(e), findings: a?.suppressedCount ?? 0 })),
    };
  } finally {
    pool.end();
  }
}

function evaluateRule(rule: CompiledRule, pr: PolicyRun, applied: Map<CompiledException, ActiveException | undefined>): RuleResult {
  const ctx = pr.run.ctx;
  const none = (why: string[]): RuleResult => result(rule, false, why, [], 0, ctx);
  const outside = rule.scope?.outside(ctx.input);
  if (outside !== undefined) return none([`not in scope (${rule.scope?.describe}): ${outside}`]);
  const exempt = pr.imageLevel.find((e) => applies(e, rule.name));
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
  if (rule.findingTests.length === 0 && !rule.count) return result(rule, true, why, [], 0, ctx);

  // The findings passing all the rule's tests (shared with rules of the same prefix), split
  // by whether an active exception covers them: those count, these are excepted. Covered
  // findings are few, so they are looked up in the list rather than the list walked.
  const cands = pr.candidates;
  const len = cands.list(pr.plan.trie.end(rule));
  const list = cands.buf;
  const cover = len > 0 ? pr.cover(rule.name) : undefined;
  const used: ActiveException[] = [];
  let excepted = 0;
  if (cover) {
    for (let x = 0; x < cover.size; x++) {
      const i = cover.list[x] as number;
      if (!contains(list, len, i)) continue;
      excepted++;
      const by = pr.exception((cover.covered[i] as number) - 1);
      by.suppress(i);
      if (!used.includes(by)) used.push(by);
    }
  }
  const count = len - excepted;
  const hits = new Array<number>(Math.min(MAX_EVIDENCE, count));
  for (let j = 0, h = 0; h < hits.length; j++) {
    const i = list[j] as number;
    if (!cover || cover.covered[i] === 0) hits[h++] = i;
  }
  const what = rule.findingText ? ` with ${rule.findingText}` : '';
  const countOk = rule.count ? rule.count.test(count) : count > 0;
  why.push(`${count} finding${count === 1 ? '' : 's'}${what}${rule.count ? ` (${rule.count.describe} required)` : ''}`);
  if (excepted > 0) {
    for (const a of used) applied.set(a.e, a);
    why.push(`${excepted} more excepted by ${used.map((a) => describeException(a.e)).join(', ')}`);
  }
  return result(rule, countOk, why, hits, count, ctx);
}

/** Whether the ascending list[0, len) holds i (binary search). */
function contains(list: Int32Array, len: number, i: number): boolean {
  let lo = 0;
  let hi = len - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = list[mid] as number;
    if (v === i) return true;
    if (v < i) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

function result(rule: CompiledRule, matched: boolean, why: string[], hits: readonly number[], evidenceTotal: number, ctx: EvalContext): RuleResult {
  return new RuleResultObject(rule, matched, why, hits, evidenceTotal, ctx.findings, ctx.nowMs);
}
