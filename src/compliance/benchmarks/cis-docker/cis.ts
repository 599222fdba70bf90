import type { Concern } from '../../concerns.js';
import { type Rule, ruleCheck } from '../../rules.js';
import type { Check, InputOf, Outcome, Severity, Target } from '../../types.js';
import { defineCheck } from '../define.js';

/**
 * CIS Docker Benchmark v1.6.0 (2023), https://www.cisecurity.org/benchmark/docker. Ids follow
 * the benchmark's numbering; titles are short paraphrases of the recommendations.
 */
export const CIS_DOCKER = 'CIS Docker Benchmark v1.6.0';

export interface CisMeta {
  readonly title: string;
  readonly description: string;
  readonly severity: Severity;
  readonly remediation: string;
  readonly concerns: readonly Concern[];
}

export function cisCheck<T extends Target>(num: string, target: T, meta: CisMeta, evaluate: (input: InputOf[T]) => Outcome): Check<T> {
  return defineCheck({ id: `cis-docker-${num}`, benchmark: 'cis-docker', target, ...meta, references: [`${CIS_DOCKER} ${num}`] }, evaluate);
}

/** A recommendation that is a field and an expected value. */
export function cisRule<T extends Target>(num: string, target: T, meta: CisMeta, rule: Rule): Check<T> {
  return ruleCheck({ id: `cis-docker-${num}`, benchmark: 'cis-docker', target, ...meta, references: [`${CIS_DOCKER} ${num}`] }, rule);
}
