import { PortcullisError } from '../core/errors.js';
import type { FindingSeverity } from '../core/finding.js';
import { parseTime } from './dates.js';
import type { EvalContext, KeyedFindingTest, Need } from './fields/types.js';
import { type PolicyFinding, type PolicyInput, type Stage, STAGES } from './input.js';
import { ActiveException, ExceptionIndex } from './exceptions.js';
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
    for (const rule of staged) {
      const r = evaluateRule(rule, ctx, { imageLevel, findingLevel }, applied);
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

/** Per-evaluation buffers: candidate indices, and one result column per finding test key (0 unknown, 1 false, 2 true). */
interface Buffers {
  readonly idx: Int32Array;
  /** 0, 1, 2, … n - 1: every finding, where a rule's first test starts. */
  readonly all: Int32Array;
  readonly columns: Map<string, Uint8Array>;
}

function buffers(ctx: EvalContext): Buffers {
  let b = ctx.scratch.get('buffers') as Buffers | undefined;
  if (!b) {
    const all = new Int32Array(ctx.findings.length);
    for (let i = 0; i < all.length; i++) all[i] = i;
    b = { idx: new Int32Array(ctx.findings.length), all, columns: new Map() };
    ctx.scratch.set('buffers', b);
  }
  return b;
}

/** Keeps the candidates that pass one test; results are shared by every rule with the same criterion. */
function filter(t: KeyedFindingTest, from: Int32Array, idx: Int32Array, n: number, ctx: EvalContext, columns: Map<string, Uint8Array>): number {
  let col = columns.get(t.key);
  if (!col) {
    col = new Uint8Array(ctx.findings.length);
    t.fill?.(col, ctx);
    columns.set(t.key, col);
  }
  let k = 0;
  for (let j = 0; j < n; j++) {
    const i = from[j] as number;
    let r = col[i] as number;
    if (r === 0) {
      r = t.test(i, ctx) ? 2 : 1;
      col[i] = r;
    }
    if (r === 2) idx[k++] = i;
  }
  return k;
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

  // Filter all findings test by test (cheapest first), then set aside those an exception covers.
  const { idx, all, columns } = buffers(ctx);
  let n = ctx.findings.length;
  let from = all;
  for (const t of rule.findingTests) {
    if (n === 0) break;
    n = filter(t, from, idx, n, ctx, columns);
    from = idx;
  }
  if (from === all) idx.set(all);
  const active = exc.findingLevel.filter((a) => applies(a.e, rule.name));
  // Which exception covers a finding (0 undecided, 1 none, k + 2 active[k]), shared by rules with the same exceptions.
  let covered: Uint8Array | undefined;
  let index: ExceptionIndex | undefined;
  if (active.length) {
    const key = `exceptions:${active.map((a) => a.id).join(',')}`;
    covered = columns.get(key);
    index = ctx.scratch.get(key) as ExceptionIndex | undefined;
    if (!covered || !index) {
      covered = new Uint8Array(ctx.findings.length);
      columns.set(key, covered);
      index = new ExceptionIndex(active);
      ctx.scratch.set(key, index);
    }
  }
  const hits: number[] = [];
  let count = 0;
  let excepted = 0;
  const used = new Set<ActiveException>();
  for (let j = 0; j < n; j++) {
    const i = idx[j] as number;
    if (covered) {
      let st = covered[i] as number;
      if (st === 0) {
        st = (index as ExceptionIndex).first(ctx.findings[i] as PolicyFinding) + 2;
        covered[i] = st;
      }
      if (st > 1) {
        const by = active[st - 2] as ActiveException;
        excepted++;
        by.suppress(i);
        used.add(by);
        continue;
      }
    }
    count++;
    if (hits.length < MAX_EVIDENCE) hits.push(i);
  }
  const what = rule.findingText ? ` with ${rule.findingText}` : '';
  const countOk = rule.count ? rule.count.test(count) : count > 0;
  why.push(`${count} finding${count === 1 ? '' : 's'}${what}${rule.count ? ` (${rule.count.describe} required)` : ''}`);
  if (excepted > 0) {
    for (const a of used) applied.set(a.e, a);
    why.push(`${excepted} more excepted by ${[...used].map((a) => describeException(a.e)).join(', ')}`);
  }
  const evidence = hits.map((i) => evidenceOf(i, ctx, rule));
  return result(rule, countOk, why, evidence, count);
}

/** Every result has the same properties in the same order. */
function result(rule: CompiledRule, matched: boolean, why: string[], evidence: EvidenceFinding[], evidenceTotal: number): RuleResult {
  return { policy: rule.policy, rule: rule.name, action: rule.action, matched, why, evidence, evidenceTotal, remediation: rule.remediation };
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
