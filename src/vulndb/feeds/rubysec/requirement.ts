import { gemScheme, parseGemVersion } from '../../../version/gem/index.js';
import { type Interval, intersectAll, type VersionOrder } from '../ranges.js';

/**
 * RubyGems requirements (`~> 5.2.4, >= 5.2.4.3`) as version intervals, following
 * Gem::Requirement (https://github.com/rubygems/rubygems/blob/master/lib/rubygems/requirement.rb):
 * operators `=`, `!=`, `>`, `<`, `>=`, `<=`, `~>`; no operator means `=`. A requirement string
 * is split on commas as bundler-audit does, and its parts must all hold.
 */

/**
 * The nearest version above `v` we can name. RubyGems has no smallest one (1.2 < 1.2.0.0.1 <
 * 1.2.0.1 …), so `v.0.0.1` stands in: only versions of the form `v.0.0.0…` or prereleases of
 * `v.0.0.1` lie between, and nobody publishes those. Used for `> v` and the gap after `<= v`.
 */
export const gemSuccessor = (v: string): string => `${v.trim()}.0.0.1`;

export const GEM_ORDER: VersionOrder = { compare: gemScheme.compare, successor: gemSuccessor };

/** Gem::Version#segments: digit runs as numbers, letter runs as strings, `-` read as `.pre.`. */
function segments(v: string): (number | string)[] {
  return (v.trim().replaceAll('-', '.pre.').match(/[0-9]+|[a-z]+/gi) ?? []).map((s) => (/^[0-9]/.test(s) ? Number(s) : s));
}

/** Gem::Version#bump: drop prerelease parts and the last number, then increment: 5.2.4 → 5.3, 5 → 6. */
export function bump(v: string): string {
  const segs = segments(v);
  while (segs.some((s) => typeof s === 'string')) segs.pop();
  if (segs.length > 1) segs.pop();
  segs[segs.length - 1] = ((segs[segs.length - 1] as number | undefined) ?? 0) + 1;
  return segs.join('.');
}

/**
 * `~> r` holds for `v >= r && v.release < r.bump`: prereleases of the bump (6.0.0.beta1 for
 * `~> 5.2`) are outside. Those sort just below the bump, and no version is the lowest of them,
 * so the upper bound is `<bump>.A`: below every prerelease of the bump (`A` is the smallest
 * letter run) except the absurd `<bump>.A.<letters>…`, and above every release below the bump.
 */
const pessimisticLimit = (r: string): string => `${bump(r)}.A`;

const OPERATOR = /^\s*(=|!=|>=|<=|>|<|~>)?\s*(\S+)\s*$/;

/** One comparator (`>= 1.2`) as a union of intervals, or a message when it cannot be read. */
export function comparatorIntervals(text: string): Interval[] | string {
  const m = OPERATOR.exec(text);
  const version = m?.[2];
  if (!m || version === undefined || parseGemVersion(version) === undefined) return `${JSON.stringify(text.slice(0, 100))} is not a RubyGems requirement`;
  const at = (inclusive: boolean) => ({ version, inclusive });
  switch (m[1] ?? '=') {
    case '=':
      return [{ lower: at(true), upper: at(true) }];
    case '!=':
      return [{ upper: at(false) }, { lower: at(false) }];
    case '>':
      return [{ lower: at(false) }];
    case '>=':
      return [{ lower: at(true) }];
    case '<':
      return [{ upper: at(false) }];
    case '<=':
      return [{ upper: at(true) }];
    default:
      return [{ lower: at(true), upper: { version: pessimisticLimit(version), inclusive: false } }];
  }
}

/** A requirement string (`"~> 5.2.4, >= 5.2.4.3"`): the intersection of its comparators. */
export function requirementIntervals(text: string): Interval[] | string {
  const parts: Interval[][] = [];
  for (const c of text.split(',')) {
    const r = comparatorIntervals(c);
    if (typeof r === 'string') return r;
    parts.push(r);
  }
  return intersectAll(parts, GEM_ORDER);
}
