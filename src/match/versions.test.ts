import { describe, expect, it } from 'vitest';
import { advisoryScheme } from '../vulndb/ecosystem.js';
import { MatchVersions, MemoScheme } from './versions.js';

describe('MatchVersions', () => {
  it('answers as the advisory scheme does, asking it once per pair', () => {
    const versions = new MatchVersions();
    const memo = versions.get('go');
    const base = advisoryScheme('go');
    if (!memo || !base) throw new Error('no go scheme');
    expect(versions.get('go')).toBe(memo);
    // Go advisories write versions without the v: the memo keeps advisoryScheme's reading.
    const pairs: [string, string][] = [
      ['v1.19.8', '1.19.9'],
      ['1.19.9', 'v1.19.8'],
      ['v0.7.0', '0.7.0'],
      ['v1.0.0-20220101000000-abcdefabcdef', '1.0.0'],
    ];
    for (const [a, b] of pairs) expect(memo.compare(a, b)).toBe(base.compare(a, b));
    // One scheme call per pair and direction, however often the match asks.
    const pep440 = advisoryScheme('pep440');
    if (!pep440) throw new Error('no pep440 scheme');
    let calls = 0;
    const counting = new MemoScheme({ ...pep440, compare: (a, b) => (calls++, pep440.compare(a, b)) });
    expect([counting.compare('2.31.0', '2.4'), counting.compare('2.31.0', '2.4'), counting.compare('2.4', '2.31.0')]).toEqual([1, 1, -1]);
    expect(calls).toBe(2);
    expect([memo.isValid('v1.2.3'), memo.isValid('not a version')]).toEqual([true, false]);
    expect(versions.get('nope' as never)).toBeUndefined();
  });
});
