import type { CompareResult } from './types.js';

/** Sign of a number as a CompareResult. */
export function sign(n: number): CompareResult {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** Code-unit order of two strings (what C's strcmp does for ASCII). */
export function compareStrings(a: string, b: string): CompareResult {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Numeric order of two digit strings of any length (no overflow): leading zeros are
 * ignored, then the longer number is larger, then the digits decide.
 */
export function compareDigits(a: string, b: string): CompareResult {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return compareStrings(x, y);
}

/**
 * The fallback most schemes use to stay total: a valid version sorts above an invalid one,
 * and two invalid strings compare by code-unit order. This keeps the order antisymmetric and
 * transitive over all strings (as golang.org/x/mod/semver does for invalid input).
 */
export function withInvalidFallback<T>(
  parse: (v: string) => T | undefined,
  cmp: (a: T, b: T) => CompareResult,
): (a: string, b: string) => CompareResult {
  return (a, b) => {
    const pa = parse(a);
    const pb = parse(b);
    if (pa !== undefined && pb !== undefined) return cmp(pa, pb);
    if (pa !== undefined) return 1;
    if (pb !== undefined) return -1;
    return compareStrings(a, b);
  };
}

/** Versions longer than this are refused by every scheme: bounds work on hostile input. */
export const MAX_VERSION_LENGTH = 1024;
