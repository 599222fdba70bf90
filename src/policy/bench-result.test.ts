import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { benchCase as sharedCase } from '../../bench/policy/case.mjs';
import { evaluatePolicy } from './evaluate.js';
import { parsePolicyInput } from './input.js';
import { compilePolicies } from './load.js';

/**
 * The benchmark's case (bench/policy/case.mjs, used by bench/policy/run.mjs) evaluated end to end:
 * the result must serialize byte for byte as testdata/bench-result.json, which the engine
 * wrote before its fast paths (lazy evidence, per-evaluation facts, CEL over findings as
 * engine filters). Any change of verdict, why, evidence or details shows here.
 */

function benchCase() {
  const { input, policyText } = sharedCase(1000);
  return { compiled: compilePolicies([{ file: 'bench.yaml', text: policyText }]), input: parsePolicyInput(input) };
}

describe('the benchmark input', () => {
  it('serializes exactly as before the fast paths, evaluation after evaluation', () => {
    const { compiled, input } = benchCase();
    expect(compiled.diagnostics).toEqual([]);
    const golden = readFileSync(new URL('testdata/bench-result.json', import.meta.url), 'utf8');
    const first = evaluatePolicy(compiled.policies, input, 'deploy');
    expect(first.verdict).toBe('block');
    expect(first.rules.filter((r) => r.matched)).toHaveLength(43);
    expect(JSON.stringify(first)).toBe(golden);
    // Evaluations share nothing: a second one (and reading the first again) gives the same text.
    expect(JSON.stringify(evaluatePolicy(compiled.policies, input, 'deploy'))).toBe(golden);
    expect(JSON.stringify(first)).toBe(golden);
  });
});
