import { describe, expect, it } from 'vitest';
import { schemeById } from '../../version/registry.js';
import type { VersionScheme } from '../../version/types.js';
import { complement, contains, EVERY_VERSION, type Interval, intersect, intersectAll, isEmpty, normalize, toRanges, type VersionOrder } from './ranges.js';
import { rangesInclude } from './testdata/osv-eval.js';

const gem = schemeById('gem') as VersionScheme;
const order: VersionOrder = { compare: gem.compare };
const ge = (v: string) => ({ version: v, inclusive: true });
const gt = (v: string) => ({ version: v, inclusive: false });
const iv = (lower?: { version: string; inclusive: boolean }, upper?: { version: string; inclusive: boolean }): Interval => ({ ...(lower && { lower }), ...(upper && { upper }) });

describe('interval algebra', () => {
  it('knows empty intervals, including a point with one exclusive side', () => {
    expect(isEmpty(iv(ge('2'), ge('1')), order)).toBe(true);
    expect(isEmpty(iv(ge('1'), ge('1')), order)).toBe(false);
    expect(isEmpty(iv(ge('1'), gt('1')), order)).toBe(true);
    expect(isEmpty(iv(gt('1.0'), ge('1')), order)).toBe(true); // 1.0 == 1 in RubyGems
    expect(isEmpty(EVERY_VERSION, order)).toBe(false);
  });

  it('intersects with the tighter bound on ties', () => {
    expect(intersect(iv(ge('1'), gt('3')), iv(gt('1'), ge('3')), order)).toEqual(iv(gt('1'), gt('3')));
    expect(intersect(iv(undefined, gt('2')), iv(ge('2')), order)).toBeUndefined();
    expect(intersect(EVERY_VERSION, iv(ge('5')), order)).toEqual(iv(ge('5')));
  });

  it('normalizes: sorts, drops empties, merges overlapping and touching intervals but not a gap of one version', () => {
    expect(normalize([iv(ge('3'), gt('4')), iv(ge('1'), gt('2')), iv(ge('2'), ge('2.5')), iv(ge('9'), gt('1'))], order)).toEqual([iv(ge('1'), ge('2.5')), iv(ge('3'), gt('4'))]);
    expect(normalize([iv(ge('1'), gt('2')), iv(gt('2'), gt('3'))], order)).toHaveLength(2);
    expect(normalize([iv(ge('1'), ge('2')), iv(gt('2'), gt('3'))], order)).toEqual([iv(ge('1'), gt('3'))]);
    expect(normalize([iv(ge('1')), iv(undefined, gt('0.5')), iv(ge('2'), gt('3'))], order)).toEqual([iv(undefined, gt('0.5')), iv(ge('1'))]);
    expect(normalize([iv(undefined, gt('2')), iv(ge('1'))], order)).toEqual([EVERY_VERSION]);
  });

  it('takes AND of ORs', () => {
    // (< 2 or >= 3) and (>= 1.5, < 3.5)
    expect(intersectAll([[iv(undefined, gt('2')), iv(ge('3'))], [iv(ge('1.5'), gt('3.5'))]], order)).toEqual([iv(ge('1.5'), gt('2')), iv(ge('3'), gt('3.5'))]);
    expect(intersectAll([], order)).toEqual([EVERY_VERSION]);
    expect(intersectAll([[iv(ge('5'))], [iv(undefined, gt('1'))]], order)).toEqual([]);
  });

  it('complements, flipping inclusiveness at each edge', () => {
    expect(complement([], order)).toEqual([EVERY_VERSION]);
    expect(complement([EVERY_VERSION], order)).toEqual([]);
    expect(complement([iv(ge('1'), gt('2')), iv(gt('3'))], order)).toEqual([iv(undefined, gt('1')), iv(ge('2'), ge('3'))]);
    expect(complement([iv(undefined, ge('1'))], order)).toEqual([iv(gt('1'))]);
    expect(complement([iv(ge('1'), ge('1'))], order)).toEqual([iv(undefined, gt('1')), iv(gt('1'))]);
  });

  it('answers membership', () => {
    expect(contains(iv(gt('1'), ge('2')), '1', order)).toBe(false);
    expect(contains(iv(gt('1'), ge('2')), '2.0', order)).toBe(true);
    expect(contains(iv(gt('1'), ge('2')), '2.0.1', order)).toBe(false);
  });
});

describe('toRanges', () => {
  it('writes one range per interval: introduced, then fixed / last_affected / limit', () => {
    const r = toRanges([iv(ge('3'), ge('3.5')), iv(undefined, gt('1.2')), iv(ge('4'), gt('5')), iv(ge('6'))], order, { type: 'ECOSYSTEM', isFix: (v) => v !== '5' });
    expect(r).toEqual({
      ranges: [
        { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.2' }] },
        { type: 'ECOSYSTEM', events: [{ introduced: '3' }, { last_affected: '3.5' }] },
        { type: 'ECOSYSTEM', events: [{ introduced: '4' }, { limit: '5' }] },
        { type: 'ECOSYSTEM', events: [{ introduced: '6' }] },
      ],
      widened: [],
    });
    expect(toRanges([], order, { type: 'ECOSYSTEM' }).ranges).toEqual([]);
    expect(toRanges([EVERY_VERSION], order, { type: 'SEMVER' }).ranges).toEqual([{ type: 'SEMVER', events: [{ introduced: '0' }] }]);
  });

  it('widens an exclusive lower bound to inclusive when the order has no successor, and says so', () => {
    const union = [iv(gt('1.6.9'), gt('1.6.14'))];
    const r = toRanges(union, order, { type: 'ECOSYSTEM' });
    expect(r).toEqual({ ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1.6.9' }, { fixed: '1.6.14' }] }], widened: ['1.6.9'] });
    // The only version whose answer changes is the bound itself: a false positive, never a miss.
    for (const v of ['1.6.8', '1.6.9.1', '1.6.10', '1.6.13.9', '1.6.14', '2']) expect(rangesInclude(r.ranges, v, gem.compare), v).toBe(contains(union[0] as Interval, v, order));
    expect(rangesInclude(r.ranges, '1.6.9', gem.compare)).toBe(true);
  });

  it('uses the successor when the order names one, exactly (npm)', () => {
    const semver = schemeById('semver') as VersionScheme;
    const npm: VersionOrder = { compare: semver.compare, successor: (v) => `${v}.0` };
    const r = toRanges([iv(gt('1.0.0-beta'), gt('2.0.0'))], npm, { type: 'ECOSYSTEM' });
    expect(r).toEqual({ ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1.0.0-beta.0' }, { fixed: '2.0.0' }] }], widened: [] });
    // A successor that reaches the upper bound leaves nothing: no range.
    const empty = toRanges([iv(gt('1.0.0'), gt('1.0.1-0'))], { compare: semver.compare, successor: () => '1.0.1-0' }, { type: 'ECOSYSTEM' });
    expect(empty.ranges).toEqual([]);
  });

  it('round-trips: the events say exactly what the intervals say, over a grid of versions', () => {
    const versions = ['0.1', '0.9', '1', '1.0.1', '1.1', '1.2.a', '1.2', '1.5', '2', '2.0.0.1', '2.5', '3', '3.a', '3.1', '4', '10'];
    const bounds = ['0.9', '1', '1.2', '2', '3', '4'];
    let checked = 0;
    for (const a of bounds) for (const b of bounds) for (const ai of [true, false]) for (const bi of [true, false]) {
      const union = [iv(undefined, { version: a, inclusive: ai }), iv({ version: b, inclusive: bi }, { version: '10', inclusive: false })];
      const intervals = normalize(union, order);
      const { ranges, widened } = toRanges(intervals, order, { type: 'ECOSYSTEM' });
      for (const v of versions) {
        const want = intervals.some((i) => contains(i, v, order)) || widened.some((w) => gem.compare(v, w) === 0);
        expect(rangesInclude(ranges, v, gem.compare), `${JSON.stringify(intervals)} @ ${v}`).toBe(want);
        checked++;
      }
    }
    expect(checked).toBe(6 * 6 * 4 * versions.length);
  });
});
