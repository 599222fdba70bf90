import { describe, expect, it } from 'vitest';
import { loadFixtures } from '../fixture.js';
import { goScheme } from './index.js';

const rows = loadFixtures(new URL('./testdata/', import.meta.url).pathname);

describe('go scheme', () => {
  it('agrees with golang.org/x/mod/semver on every fixture row', () => {
    expect(rows.length).toBeGreaterThanOrEqual(1000);
    const wrong = rows.filter((r) => goScheme.compare(r.a, r.b) !== r.expected);
    expect(wrong.slice(0, 20)).toEqual([]);
  });

  it('accepts shorthands and pseudo-versions, rejects what x/mod rejects', () => {
    expect(goScheme.compare('v1', 'v1.0.0')).toBe(0);
    expect(goScheme.compare('v1.2', 'v1.2.0')).toBe(0);
    expect(goScheme.compare('v2.0.0+incompatible', 'v2.0.0')).toBe(0);
    expect(goScheme.compare('v0.0.0-20210121094942-22b2f8951d46', 'v0.0.0-20220101000000-aaaaaaaaaaaa')).toBe(-1);
    expect(goScheme.compare('v1.2.4-0.20210101000000-abcdefabcdef', 'v1.2.4')).toBe(-1);
    expect(goScheme.compare('v1.2.4-0.20210101000000-abcdefabcdef', 'v1.2.3')).toBe(1);
    for (const v of ['1.0.0', 'v1.2-pre', 'v01.0.0', 'V1.0.0', 'v', '']) expect(goScheme.isValid(v), v).toBe(false);
    expect(goScheme.compare('junk', 'other junk')).toBe(0);
    expect(goScheme.compare('junk', 'v0.0.0')).toBe(-1);
  });
});
