import type { CompareResult } from './types.js';
import { compareDigits, compareStrings } from './util.js';

/** A SemVer 2.0.0 version, numbers kept as digit strings so any size compares exactly. */
export interface SemVer2 {
  readonly major: string;
  readonly minor: string;
  readonly patch: string;
  readonly pre: readonly string[];
  readonly build: readonly string[];
}

const NUM = '(0|[1-9][0-9]*)';
const PRE_ID = '(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)';
const BUILD_ID = '[0-9A-Za-z-]+';
// https://semver.org/#is-there-a-suggested-regular-expression-regex-to-check-a-semver-string
const SEMVER = new RegExp(`^${NUM}\\.${NUM}\\.${NUM}(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+(${BUILD_ID}(?:\\.${BUILD_ID})*))?$`);

/** Strict SemVer 2.0.0: no prefix, no whitespace, no leading zeros. */
export function parseSemVer2(v: string): SemVer2 | undefined {
  if (v.length > 1024) return undefined;
  const m = SEMVER.exec(v);
  if (!m) return undefined;
  return {
    major: m[1] as string,
    minor: m[2] as string,
    patch: m[3] as string,
    pre: m[4] === undefined ? [] : m[4].split('.'),
    build: m[5] === undefined ? [] : m[5].split('.'),
  };
}

const isNumeric = (s: string): boolean => /^[0-9]+$/.test(s);

/**
 * Identifier lists as semver.org §11 orders pre-releases: numeric identifiers numerically and
 * below alphanumeric ones, alphanumeric ones by ASCII (or by `textCompare`), a longer list wins
 * a tie. Cargo's semver crate orders build metadata the same way.
 */
export function compareIdentifiers(
  a: readonly string[],
  b: readonly string[],
  textCompare: (x: string, y: string) => CompareResult = compareStrings,
): CompareResult {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = isNumeric(x);
    const ny = isNumeric(y);
    if (nx && ny) {
      const r = compareDigits(x, y);
      if (r !== 0) return r;
    } else if (nx !== ny) {
      return nx ? -1 : 1;
    } else {
      const r = textCompare(x, y);
      if (r !== 0) return r;
    }
  }
  return 0;
}

/** semver.org §11 precedence: numbers, then a pre-release below its release; build ignored. */
export function compareSemVer2(a: SemVer2, b: SemVer2): CompareResult {
  const core = compareDigits(a.major, b.major) || compareDigits(a.minor, b.minor) || compareDigits(a.patch, b.patch);
  if (core !== 0) return core;
  if (a.pre.length === 0 || b.pre.length === 0) return a.pre.length === b.pre.length ? 0 : a.pre.length === 0 ? 1 : -1;
  return compareIdentifiers(a.pre, b.pre);
}
