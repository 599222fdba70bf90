import semver from 'semver';
import { semverScheme } from '../../../version/semver/index.js';
import { type Bound, type Interval, intersectAll, normalize, type VersionOrder } from '../ranges.js';

/**
 * npm range expressions (`>=2.2.6 <2.47.0 || >2.51.0 <=2.67.0`, `^1.2.3`, `2.0.x`) as version
 * intervals in npm's SemVer order. node-semver, the library npm uses, parses and desugars the
 * expression (`^1.2.3` → `>=1.2.3 <2.0.0-0`); each `||` alternative becomes one interval.
 * https://github.com/npm/node-semver#ranges
 *
 * npm's `satisfies` also refuses a prerelease unless a comparator of the same alternative names
 * a prerelease of the same major.minor.patch. OSV events cannot say that (an ECOSYSTEM range is
 * an interval of the order), so prereleases inside an interval count as affected: the events
 * are exactly `satisfies` for releases and a superset of it for prereleases.
 */

/**
 * SemVer has a smallest version above each version: `1.2.3` → `1.2.4-0` (no prerelease of
 * 1.2.4 is lower, and nothing lies between 1.2.3 and 1.2.4-0), `1.2.3-beta` → `1.2.3-beta.0`
 * (a longer identifier list is higher, and `0` is the lowest identifier).
 */
export function npmSuccessor(v: string): string | undefined {
  const s = semver.parse(v);
  if (!s) return undefined;
  return s.prerelease.length > 0 ? `${s.version}.0` : `${s.major}.${s.minor}.${s.patch + 1}-0`;
}

export const NPM_ORDER: VersionOrder = { compare: semverScheme.compare, successor: npmSuccessor };

function comparatorIntervals(c: semver.Comparator): Interval[] {
  // node-semver's ANY comparator (`*`, `x`, ``) has an empty value and no version.
  if (c.value === '') return [{}];
  const at = (inclusive: boolean): Bound => ({ version: c.semver.version, inclusive });
  switch (c.operator) {
    case '<':
      return [{ upper: at(false) }];
    case '<=':
      return [{ upper: at(true) }];
    case '>':
      return [{ lower: at(false) }];
    case '>=':
      return [{ lower: at(true) }];
    default: // '' and '=': exactly this version
      return [{ lower: at(true), upper: at(true) }];
  }
}

/** The union of the alternatives of `text`, or a message when node-semver cannot read it. */
export function npmRangeIntervals(text: string): Interval[] | string {
  let range: semver.Range;
  try {
    range = new semver.Range(text);
  } catch {
    return `${JSON.stringify(text.slice(0, 100))} is not an npm version range`;
  }
  const union = range.set.flatMap((alternative) => intersectAll(alternative.map(comparatorIntervals), NPM_ORDER));
  return normalize(union, NPM_ORDER);
}
