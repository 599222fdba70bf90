import { describe, expect, it } from 'vitest';
import { loadFixtures } from '../fixture.js';
import { gemScheme } from './index.js';

const rows = loadFixtures(new URL('./testdata/', import.meta.url).pathname);

describe('gem scheme', () => {
  it('agrees with Gem::Version#<=> on every fixture row', () => {
    expect(rows.length).toBeGreaterThanOrEqual(1000);
    const wrong = rows.filter((r) => gemScheme.compare(r.a, r.b) !== r.expected);
    expect(wrong.slice(0, 20)).toEqual([]);
  });

  it('keeps the documented orders', () => {
    expect(gemScheme.compare('1.0', '1.0.0')).toBe(0);
    expect(gemScheme.compare('1.0.0-1', '1')).toBe(-1);
    expect(gemScheme.compare('1.0.a10', '1.0.a2')).toBe(1);
    expect(gemScheme.compare('1.0.rc1', '1.0')).toBe(-1);
  });

  it('rejects what Gem::Version rejects (platform suffixes are not versions)', () => {
    for (const v of ['1.0-', '1..0', 'a1', '1.0 beta', '1.0.-1', '1.19.3_x86']) expect(gemScheme.isValid(v), v).toBe(false);
    expect(gemScheme.isValid('1.19.3-aarch64-linux-gnu')).toBe(true); // valid grammar, but a platform: callers strip it
  });
});
