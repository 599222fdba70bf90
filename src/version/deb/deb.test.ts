import { describe, expect, it } from 'vitest';
import { loadFixtures } from '../fixture.js';
import { debScheme, parseDebVersion } from './index.js';

const rows = loadFixtures(new URL('./testdata/', import.meta.url).pathname);

describe('deb scheme', () => {
  it('agrees with dpkg --compare-versions on every fixture row', () => {
    expect(rows.length).toBeGreaterThanOrEqual(5000);
    const wrong = rows.filter((r) => debScheme.compare(r.a, r.b) !== r.expected);
    expect(wrong.slice(0, 20)).toEqual([]);
  });

  it('splits epoch at the first colon and revision at the last hyphen', () => {
    expect(parseDebVersion('1:2.0-3-4')).toEqual({ epoch: 1, upstream: '2.0-3', revision: '4' });
    expect(parseDebVersion('2.0')).toEqual({ epoch: 0, upstream: '2.0', revision: '' });
    expect(parseDebVersion(' 1.0-1 ')).toEqual({ epoch: 0, upstream: '1.0', revision: '1' });
  });

  it('rejects what dpkg rejects or warns about', () => {
    for (const v of ['', 'a1.0', '1.0-', ':1.0', '1:', 'x:1.0', '1.0 1', '1.0-1_2', '1.0_1', '99999999999:1']) {
      expect(debScheme.isValid(v), v).toBe(false);
    }
  });

  it('keeps the documented tricky orders', () => {
    expect(debScheme.compare('1~', '1')).toBe(-1);
    expect(debScheme.compare('0foo', '0foo-0')).toBe(0);
    expect(debScheme.compare('2.2~rc-4', '2.2-1')).toBe(-1);
    expect(debScheme.compare('7.4.052', '2:7.4.052')).toBe(-1);
  });
});
