import { Candidates } from './candidates.js';
import { utcDay } from './dates.js';
import { ActiveException, type Cover } from './exceptions.js';
import { FindingFacts } from './facts/findings.js';
import type { EvalContext } from './fields/types.js';
import type { PolicyInput, Stage } from './input.js';
import type { CompiledException, LoadedPolicy } from './model.js';
import type { PolicyPlan } from './plan.js';
import type { Pool } from './pool.js';

/**
 * The state of one evaluation (evaluate.ts): what every policy shares (the context image
 * criteria read, the finding facts), and per policy its active exceptions, their covers and
 * its candidate lists. All of it is dropped when the evaluation returns.
 */

export function applies(e: CompiledException, rule: string): boolean {
  return !e.rules || e.rules.has(rule);
}

/** One evaluation's state shared by every policy: the finding facts, extracted on first use. */
export class Evaluation {
  readonly ctx: EvalContext;
  #facts: FindingFacts | undefined;
  constructor(
    input: PolicyInput,
    stage: Stage,
    readonly nowMs: number,
    readonly want: number,
    readonly pool: Pool,
  ) {
    this.ctx = { input, stage, findings: input.findings, nowMs, facts: () => this.facts, scratch: new Map() };
  }

  get facts(): FindingFacts {
    this.#facts ??= new FindingFacts(this.ctx.findings, utcDay(this.nowMs), this.pool, this.want);
    return this.#facts;
  }
}

/** One policy during one evaluation: its active exceptions, their covers, its candidate lists. */
export class PolicyRun {
  readonly imageLevel: CompiledException[] = [];
  /** Finding-level exceptions by position in the policy: active (1) or not (0). */
  readonly active: Uint8Array;
  readonly actives: (ActiveException | undefined)[];
  /** No active finding-level exception is limited to some rules: every rule sees the same set. */
  allRules = true;
  any = false;
  readonly #covers = new Map<string, Cover>();
  #candidates: Candidates | undefined;

  constructor(
    readonly policy: LoadedPolicy,
    readonly plan: PolicyPlan,
    readonly run: Evaluation,
    onExpired: (e: CompiledException) => void,
  ) {
    const es = policy.exceptions;
    this.active = new Uint8Array(es.length);
    this.actives = new Array<ActiveException | undefined>(es.length);
    es.forEach((e, k) => {
      if (run.nowMs > e.expiresMs) {
        onExpired(e);
        return;
      }
      if (e.images?.outside(run.ctx.input) !== undefined) return;
      if (!e.vulnerabilities && !e.packages) {
        this.imageLevel.push(e);
        return;
      }
      this.active[k] = 1;
      this.any = true;
      if (e.rules) this.allRules = false;
    });
  }

  get candidates(): Candidates {
    this.#candidates ??= new Candidates(this.plan.trie, this.run.facts);
    return this.#candidates;
  }

  /** Which exception covers each finding for `rule` (undefined: none is active for it). */
  cover(rule: string): Cover | undefined {
    if (!this.any) return undefined;
    let active = this.active;
    let key = '*';
    if (!this.allRules) {
      active = this.active.map((a, k) => (a === 1 && applies(this.policy.exceptions[k] as CompiledException, rule) ? 1 : 0));
      key = active.join('');
      if (!active.includes(1)) return undefined;
    }
    let c = this.#covers.get(key);
    if (!c) {
      c = this.plan.exceptions.cover(active, this.run.facts);
      this.#covers.set(key, c);
    }
    return c;
  }

  exception(k: number): ActiveException {
    let a = this.actives[k];
    if (!a) {
      a = new ActiveException(this.policy.exceptions[k] as CompiledException, () => this.run.facts);
      this.actives[k] = a;
    }
    return a;
  }
}
