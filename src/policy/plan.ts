import { CandidateTrie } from './candidates.js';
import { ExceptionPlan } from './exceptions.js';
import { STAGES, type Stage } from './input.js';
import type { CompiledRule, LoadedPolicy } from './model.js';

/**
 * What evaluation needs of a policy beyond its compiled rules, worked out once and cached with
 * the policy (a WeakMap: it goes when the policy goes), so an evaluation compiles nothing:
 * the rules of each stage, the trie of their finding tests, the exception index, and which
 * finding facts the rules of each stage read.
 */

export interface StagePlan {
  readonly rules: readonly CompiledRule[];
  /** FACTS flags of the finding tests of these rules, and of the exceptions when a rule looks at findings. */
  readonly facts: number;
}

export interface PolicyPlan {
  readonly stages: ReadonlyMap<Stage, StagePlan>;
  readonly trie: CandidateTrie;
  readonly exceptions: ExceptionPlan;
}

const plans = new WeakMap<LoadedPolicy, PolicyPlan>();

function makePlan(policy: LoadedPolicy): PolicyPlan {
  const exceptions = new ExceptionPlan(policy.exceptions);
  const stages = new Map<Stage, StagePlan>();
  for (const stage of STAGES) {
    const rules = policy.rules.filter((r) => r.stages.has(stage));
    let facts = 0;
    for (const r of rules) {
      for (const t of r.findingTests) facts |= t.facts;
      for (const t of r.imageTests) facts |= t.facts ?? 0;
      if (r.findingTests.length > 0 || r.count) facts |= exceptions.facts;
    }
    stages.set(stage, { rules, facts });
  }
  return { stages, trie: new CandidateTrie(policy.rules), exceptions };
}

export function planOf(policy: LoadedPolicy): PolicyPlan {
  let p = plans.get(policy);
  if (!p) {
    p = makePlan(policy);
    plans.set(policy, p);
  }
  return p;
}
