import type { CompareResult, VersionScheme } from '../types.js';
import { compareDigits, compareStrings, MAX_VERSION_LENGTH } from '../util.js';

/** `[epoch:]version[-release]` as rpm splits it (rpmver.c): epoch digits before ':', release after the last '-'. */
export interface RpmEvr {
  readonly epoch: string;
  readonly version: string;
  readonly release: string;
}

// rpmbuild accepts these characters in Version and Release (build/parsePreamble.c).
// Each part needs an alphanumeric: "..", "~" or "^" alone are not versions.
const PART = /^(?=.*[A-Za-z0-9])[A-Za-z0-9._+~^]+$/;
// The version needs a digit too; rpm itself parses "1-2-3-4" as version "1-2-3", release "4".
const VERSION = /^(?=.*[0-9])[A-Za-z0-9._+~^-]+$/;

/** Split any string the way rpm does; rpm compares whatever it is given. */
export function splitRpmEvr(input: string): RpmEvr & { readonly hasRelease: boolean } {
  const m = /^([0-9]*):/.exec(input);
  const epoch = m ? m[1] || '0' : '0';
  const rest = m ? input.slice(m[0].length) : input;
  const hyphen = rest.lastIndexOf('-');
  const version = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  // A missing release compares as "" (below any release), as rpm.vercmp() does.
  const release = hyphen >= 0 ? rest.slice(hyphen + 1) : '';
  return { epoch, version, release, hasRelease: hyphen >= 0 };
}

/** Strict parse: only what rpmbuild would accept as an EVR. */
export function parseRpmEvr(input: string): RpmEvr | undefined {
  if (input.length === 0 || input.length > MAX_VERSION_LENGTH) return undefined;
  const { epoch, version, release, hasRelease } = splitRpmEvr(input);
  if (!VERSION.test(version)) return undefined;
  if (hasRelease && !PART.test(release)) return undefined;
  return { epoch, version, release };
}

const isAlpha = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z]$/.test(c);
const isNum = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isSep = (c: string | undefined): boolean => c !== undefined && !isAlpha(c) && !isNum(c) && c !== '~' && c !== '^';

/**
 * rpmvercmp() (rpmio/rpmvercmp.c): compare alternating alpha and numeric segments, skipping
 * other characters; '~' sorts before everything (even the end), '^' after the end but before
 * any further segment; a numeric segment beats an alpha one; the longer version wins a tie.
 */
export function rpmvercmp(a: string, b: string): CompareResult {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (isSep(a[i])) i++;
    while (isSep(b[j])) j++;
    const ca = a[i];
    const cb = b[j];
    if (ca === '~' || cb === '~') {
      if (ca !== '~') return 1;
      if (cb !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (ca === '^' || cb === '^') {
      if (ca === undefined) return -1;
      if (cb === undefined) return 1;
      if (ca !== '^') return 1;
      if (cb !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (ca === undefined || cb === undefined) break;
    const numeric = isNum(ca);
    const test = numeric ? isNum : isAlpha;
    const si = i;
    const sj = j;
    while (test(a[i])) i++;
    while (test(b[j])) j++;
    // Segments of different types: numeric is newer than alpha.
    if (j === sj) return numeric ? 1 : -1;
    const x = a.slice(si, i);
    const y = b.slice(sj, j);
    const r = numeric ? compareDigits(x, y) : compareStrings(x, y);
    if (r !== 0) return r;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

export function compareRpmEvr(a: RpmEvr, b: RpmEvr): CompareResult {
  return rpmvercmp(a.epoch, b.epoch) || rpmvercmp(a.version, b.version) || rpmvercmp(a.release, b.release);
}

export const rpmScheme: VersionScheme = {
  id: 'rpm',
  specs: [
    'https://github.com/rpm-software-management/rpm/blob/master/rpmio/rpmvercmp.c',
    'https://rpm-software-management.github.io/rpm/manual/dependencies.html#versioning',
  ],
  isValid: (v) => parseRpmEvr(v) !== undefined,
  // Like rpm itself, compare any string: characters other than alphanumerics, '~' and '^'
  // are separators. The work is linear in the input, so no length cap is needed here.
  compare: (a, b) => compareRpmEvr(splitRpmEvr(a), splitRpmEvr(b)),
};
