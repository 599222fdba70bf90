import { describe, expect, it } from 'vitest';
import { loadFixtures } from '../fixture.js';
import { cargoScheme } from './index.js';

const rows = loadFixtures(new URL('./testdata/', import.meta.url).pathname);

describe('cargo scheme', () => {
  it('agrees with the Rust semver crate on every fixture row', () => {
    expect(rows.length).toBeGreaterThanOrEqual(1000);
    const wrong = rows.filter((r) => cargoScheme.compare(r.a, r.b) !== r.expected);
    expect(wrong.slice(0, 20)).toEqual([]);
  });

  it('is strict SemVer with build metadata as a tie-breaker', () => {
    expect(cargoScheme.compare('1.0.0', '1.0.0+build')).toBe(-1);
    expect(cargoScheme.compare('1.0.0-alpha.1', '1.0.0-alpha.beta')).toBe(-1);
    for (const v of ['v1.0.0', '1.0', '01.0.0', ' 1.0.0', '1.0.0-01', '']) expect(cargoScheme.isValid(v), v).toBe(false);
  });
});
