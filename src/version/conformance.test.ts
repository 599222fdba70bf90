import { describe, expect, it } from 'vitest';
import { compareChecked } from './checked.js';
import { loadFixtures } from './fixture.js';
import { SCHEMES } from './registry.js';
import { isConventionalMavenVersion } from './maven/index.js';
import type { CompareResult, SchemeId } from './types.js';

/** Strings no scheme accepts as a version; compare must still answer, never throw. */
const GARBAGE = ['', ' ', '\t', '\u0000', '!!!', '💥', 'not a version', '..', '--', '::', '~', '^', '+', 'v', '1 2', '1\n2', 'x'.repeat(5000)];
const HOSTILE = [
  // Backtracking bait for version regexes (composer's stability suffix once took seconds here).
  `1.0.0-beta${'1'.repeat(40)}x`,
  `2023${'1'.repeat(40)}x`,
  `1.0.0-${'a-'.repeat(400)}!`,
  '9'.repeat(100_000),
  `1${'.1'.repeat(50_000)}`,
  `1${'-1'.repeat(50_000)}`,
  `1${'a1'.repeat(50_000)}`,
  '~'.repeat(100_000),
];

/**
 * Where the native tool itself is not transitive over every version, the part of its domain
 * where it is: `compare` stays faithful to the tool, the suite samples only from this part.
 * Each entry explains itself where it is defined.
 */
const CONSISTENT_DOMAIN: Partial<Record<SchemeId, (v: string) => boolean>> = {
  maven: isConventionalMavenVersion,
};

const negate = (r: CompareResult): CompareResult => (r === 0 ? 0 : r === 1 ? -1 : 1);

/** A sample of distinct versions from the fixture, spread over it, plus garbage. */
function sample(id: SchemeId, n: number): string[] {
  const rows = loadFixtures(new URL(`./${id}/testdata/`, import.meta.url).pathname);
  const keep = CONSISTENT_DOMAIN[id] ?? (() => true);
  const all = [...new Set(rows.flatMap((r) => [r.a, r.b]))].filter(keep).sort();
  const step = Math.max(1, Math.floor(all.length / n));
  return all.filter((_, i) => i % step === 0).slice(0, n);
}

describe.each(SCHEMES.map((s) => [s.id, s] as const))('%s conformance', (_id, scheme) => {
  const versions = sample(scheme.id, 120);
  const pool = [...versions, ...GARBAGE.slice(0, 8)];
  const cmp = (a: string, b: string): CompareResult => scheme.compare(a, b);
  let matrix: CompareResult[][] | undefined;
  /** Every pairwise comparison of the pool, computed once. */
  const m = (): CompareResult[][] => {
    matrix ??= pool.map((a) => pool.map((b) => cmp(a, b)));
    return matrix;
  };
  const at = (i: number, j: number): CompareResult => (m()[i] as CompareResult[])[j] as CompareResult;
  const idx = pool.map((_, i) => i);

  it('is reflexive and antisymmetric over its fixture versions and garbage', () => {
    for (const i of idx) {
      expect(at(i, i), pool[i]).toBe(0);
      for (const j of idx) if (at(i, j) !== negate(at(j, i))) expect.fail(`${pool[i]} vs ${pool[j]}: ${at(i, j)} / ${at(j, i)}`);
    }
  });

  it('is transitive over its fixture versions and garbage', () => {
    const sorted = [...idx].sort(at);
    // A consistent total preorder: after sorting, every earlier element is <= every later one.
    for (let x = 0; x < sorted.length; x++) {
      for (let y = x + 1; y < sorted.length; y++) {
        const [i, j] = [sorted[x] as number, sorted[y] as number];
        if (at(i, j) > 0) expect.fail(`not transitive: ${pool[i]} > ${pool[j]} after sorting`);
      }
    }
    // Equality is an equivalence: a == b and b == c imply a == c.
    for (const i of idx) {
      for (const j of idx) {
        if (at(i, j) !== 0) continue;
        for (const k of idx) if (at(j, k) === 0 && at(i, k) !== 0) expect.fail(`${pool[i]} == ${pool[j]} == ${pool[k]} but not ${pool[i]} == ${pool[k]}`);
      }
    }
  });

  it('rejects garbage in isValid and still compares it without throwing', () => {
    for (const g of GARBAGE) {
      expect(scheme.isValid(g), JSON.stringify(g.slice(0, 20))).toBe(false);
      expect([-1, 0, 1]).toContain(cmp(g, versions[0] as string));
      expect([-1, 0, 1]).toContain(cmp(versions[0] as string, g));
    }
  });

  it('answers hostile input quickly', () => {
    const start = Date.now();
    for (const h of HOSTILE) {
      expect(typeof scheme.isValid(h)).toBe('boolean');
      expect([-1, 0, 1]).toContain(cmp(h, h.slice(0, -1)));
    }
    expect(Date.now() - start).toBeLessThan(5000);
  });

  it('compareChecked refuses invalid input and agrees with compare on valid input', () => {
    const valid = versions.filter((v) => scheme.isValid(v));
    expect(valid.length).toBeGreaterThan(0);
    const [a, b] = [valid[0] as string, valid[valid.length - 1] as string];
    expect(compareChecked(scheme, a, b)).toEqual({ ok: true, result: cmp(a, b) });
    const bad = compareChecked(scheme, a, '!!!');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.reason).toContain('"!!!"');
  });
});
