import { describe, expect, it } from 'vitest';
import { loadFixtures } from '../fixture.js';
import { parseRpmEvr, rpmScheme, rpmvercmp } from './index.js';

const rows = loadFixtures(new URL('./testdata/', import.meta.url).pathname);

describe('rpm scheme', () => {
  it("agrees with rpm's rpm.vercmp() on every fixture row", () => {
    expect(rows.length).toBeGreaterThanOrEqual(3000);
    const wrong = rows.filter((r) => rpmScheme.compare(r.a, r.b) !== r.expected);
    expect(wrong.slice(0, 20)).toEqual([]);
  });

  it('parses EVR: epoch before ":", release after the last "-"', () => {
    expect(parseRpmEvr('1:2.0-3.el9')).toEqual({ epoch: '1', version: '2.0', release: '3.el9' });
    expect(parseRpmEvr(':1.0')).toEqual({ epoch: '0', version: '1.0', release: '' });
    expect(parseRpmEvr('1-2-3-4')).toEqual({ epoch: '0', version: '1-2-3', release: '4' });
  });

  it('raw rpmvercmp ignores separators, EVR parsing does not', () => {
    expect(rpmvercmp('1.2.3.4', '1-2-3-4')).toBe(0);
    expect(rpmScheme.compare('1.2.3.4', '1-2-3-4')).not.toBe(0);
    expect(rpmvercmp('1.0~rc1', '1.0')).toBe(-1);
    expect(rpmvercmp('1.0^git1', '1.0')).toBe(1);
    expect(rpmvercmp('1.0^', '1.0.1')).toBe(-1);
  });

  it('rejects strings rpm would not build', () => {
    for (const v of ['', '1.0-', '1.0 1', 'a:1.0', '1.0-1-', '1/0', '-1']) expect(rpmScheme.isValid(v), v).toBe(false);
  });
});
