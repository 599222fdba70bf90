import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { benchCase } from '../../bench/policy/case.mjs';
import { evaluatePolicy, type RuleResult } from './evaluate.js';
import { parsePolicyInput } from './input.js';
import { compilePolicies } from './load.js';
import { Pool, takePool } from './pool.js';

/**
 * The evaluation's machinery beyond single criteria: scratch buffers reused from one
 * evaluation to the next (pool.ts), candidate lists shared by rules with the same first
 * tests (candidates.ts), evidence built after the evaluation returned (result.ts).
 */

const golden = readFileSync(new URL('testdata/bench-result.json', import.meta.url), 'utf8');

function compiled(rules: readonly unknown[], exceptions: readonly unknown[], name = 'bench') {
  const text = stringify({ apiVersion: 'portcullis.dev/v1', kind: 'Policy', metadata: { name }, spec: { rules, exceptions } });
  const r = compilePolicies([{ file: `${name}.yaml`, text }]);
  expect(r.diagnostics).toEqual([]);
  return r.policies;
}

describe('evaluations reusing scratch buffers', () => {
  it('build evidence from the input they evaluated, after other evaluations of other sizes reused the buffers', () => {
    const bench = benchCase(1000);
    const policies = compiled(bench.rules, bench.exceptions);
    const first = evaluatePolicy(policies, parsePolicyInput(bench.input), 'deploy');
    // Smaller, larger (beyond what the pool keeps) and empty inputs in between; evidence of `first` is read only afterwards.
    for (const n of [37, 17_000, 0, 1000]) {
      const other = evaluatePolicy(policies, parsePolicyInput(benchCase(n).input), 'deploy');
      expect(other.rules).toHaveLength(50);
      if (n === 0) expect(other.rules.every((r) => r.evidenceTotal === 0)).toBe(true);
    }
    expect(JSON.stringify(first)).toBe(golden);
  });

  it('hand out buffers of at least n + 1, a fresh pool while one is in use, and let go of the input at the end', () => {
    const p = takePool(10);
    expect(p.u8().length).toBeGreaterThanOrEqual(11);
    expect(takePool(10)).not.toBe(p);
    const refs = p.refs<string>();
    refs[0] = 'kept?';
    p.end();
    expect(refs[0]).toBeUndefined();
    expect(takePool(10)).toBe(p);
    p.end();
    // A huge evaluation's buffers are not kept for the next one.
    const big = new Pool();
    big.begin(100_000);
    expect(big.f64().length).toBeGreaterThan(100_000);
    big.end();
    big.begin(5);
    expect(big.f64().length).toBeLessThan(100);
    big.end();
  });
});

describe('rules sharing their first criteria', () => {
  it('give the same results as the same rules evaluated alone', () => {
    const bench = benchCase(300);
    const input = parsePolicyInput(bench.input);
    const together = evaluatePolicy(compiled(bench.rules, bench.exceptions), input, 'deploy');
    const alone: RuleResult[] = bench.rules.flatMap((rule) => evaluatePolicy(compiled([rule], bench.exceptions, 'alone'), input, 'deploy').rules);
    const strip = ({ policy: _, ...r }: RuleResult) => JSON.parse(JSON.stringify(r)) as unknown;
    expect(together.rules.map(strip)).toEqual(alone.map(strip));
    expect(together.rules.filter((r) => r.matched).length).toBeGreaterThan(30);
  });
});

describe('rule results', () => {
  it('are plain to their readers: own enumerable properties in order, evidence included when spread or serialized', () => {
    const bench = benchCase(200);
    const r = evaluatePolicy(compiled(bench.rules, bench.exceptions), parsePolicyInput(bench.input), 'deploy').rules.find((x) => x.evidenceTotal > 0) as RuleResult;
    expect(Object.keys(r)).toEqual(['policy', 'rule', 'action', 'matched', 'why', 'evidence', 'evidenceTotal', 'remediation']);
    const spread = { ...r };
    expect(spread.evidence.length).toBe(Math.min(25, r.evidenceTotal));
    expect(r.evidence).toBe(r.evidence);
    expect(JSON.parse(JSON.stringify(r))).toEqual(JSON.parse(JSON.stringify(spread)));
  });
});
