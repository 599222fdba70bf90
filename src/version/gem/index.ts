import type { CompareResult, VersionScheme } from '../types.js';
import { compareDigits, compareStrings, MAX_VERSION_LENGTH, withInvalidFallback } from '../util.js';

/** A segment: digits (kept as a string so huge numbers compare exactly) or letters. */
type Segment = { readonly num: string } | { readonly str: string };

// Gem::Version::ANCHORED_VERSION_PATTERN (rubygems lib/rubygems/version.rb).
const PATTERN = /^\s*([0-9]+(?:\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?)?\s*$/;

const isZero = (s: Segment): boolean => 'num' in s && /^0+$/.test(s.num);

function dropTrailingZeros(segs: Segment[]): Segment[] {
  let end = segs.length;
  while (end > 0 && isZero(segs[end - 1] as Segment)) end--;
  return segs.slice(0, end);
}

/**
 * Gem::Version#canonical_segments: '-' becomes '.pre.', segments are digit or letter runs,
 * and trailing zeros are dropped from the numeric part and from the prerelease part alike.
 */
export function parseGemVersion(input: string): Segment[] | undefined {
  // RubyGems reads a blank string as "0"; a blank version in package metadata is an error, so refuse it.
  if (input.length > MAX_VERSION_LENGTH || input.trim() === '' || !PATTERN.test(input)) return undefined;
  const v = input.trim().replaceAll('-', '.pre.');
  const segs: Segment[] = (v.match(/[0-9]+|[a-z]+/gi) ?? []).map((s) => (/^[0-9]/.test(s) ? { num: s } : { str: s }));
  const firstString = segs.findIndex((s) => 'str' in s);
  const cut = firstString < 0 ? segs.length : firstString;
  return [...dropTrailingZeros(segs.slice(0, cut)), ...dropTrailingZeros(segs.slice(cut))];
}

const ZERO: Segment = { num: '0' };

/** Gem::Version#<=>: numbers numerically, strings by byte order, a string below a number. */
export function compareGemSegments(a: readonly Segment[], b: readonly Segment[]): CompareResult {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? ZERO;
    const y = b[i] ?? ZERO;
    if ('num' in x && 'num' in y) {
      const r = compareDigits(x.num, y.num);
      if (r !== 0) return r;
    } else if ('str' in x && 'str' in y) {
      const r = compareStrings(x.str, y.str);
      if (r !== 0) return r;
    } else {
      return 'str' in x ? -1 : 1;
    }
  }
  return 0;
}

export const gemScheme: VersionScheme = {
  id: 'gem',
  specs: ['https://guides.rubygems.org/patterns/#semantic-versioning', 'https://github.com/rubygems/rubygems/blob/master/lib/rubygems/version.rb'],
  isValid: (v) => parseGemVersion(v) !== undefined,
  compare: withInvalidFallback(parseGemVersion, compareGemSegments),
};
