import type { CompareResult, VersionScheme } from '../types.js';
import { compareDigits, MAX_VERSION_LENGTH, sign, withInvalidFallback } from '../util.js';

/** `[epoch:]upstream[-revision]`, split the way dpkg's parseversion() splits it. */
export interface DebVersion {
  readonly epoch: number;
  readonly upstream: string;
  readonly revision: string;
}

const UPSTREAM = /^[0-9][A-Za-z0-9.+~:-]*$/;
const REVISION = /^[A-Za-z0-9.+~]+$/;
const MAX_EPOCH = 2147483647; // dpkg refuses epochs above INT_MAX

/**
 * Parse like dpkg (lib/dpkg/parsehelp.c parseversion): surrounding whitespace is ignored,
 * the epoch ends at the first ':', the revision starts after the last '-'. Anything dpkg
 * reports as an error or a warning makes the version invalid here.
 */
export function parseDebVersion(input: string): DebVersion | undefined {
  if (input.length > MAX_VERSION_LENGTH) return undefined;
  const s = input.trim();
  if (s === '' || /\s/.test(s)) return undefined;
  let epoch = 0;
  let rest = s;
  const colon = s.indexOf(':');
  if (colon >= 0) {
    const e = s.slice(0, colon);
    if (!/^[0-9]+$/.test(e)) return undefined;
    epoch = Number(e);
    if (epoch > MAX_EPOCH) return undefined;
    rest = s.slice(colon + 1);
    if (rest === '') return undefined;
  }
  let upstream = rest;
  let revision = '';
  const hyphen = rest.lastIndexOf('-');
  if (hyphen >= 0) {
    upstream = rest.slice(0, hyphen);
    revision = rest.slice(hyphen + 1);
    if (revision === '' || !REVISION.test(revision)) return undefined;
  }
  if (!UPSTREAM.test(upstream)) return undefined;
  return { epoch, upstream, revision };
}

/** dpkg's character weight: '~' before the end, letters before everything else. */
function order(s: string, i: number): number {
  if (i >= s.length) return 0;
  const c = s.charCodeAt(i);
  if (c >= 48 && c <= 57) return 0;
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) return c;
  if (c === 126) return -1; // '~'
  return c + 256;
}

const isDigit = (s: string, i: number): boolean => i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57;

/** dpkg's verrevcmp(): alternate non-digit runs (by weight) and digit runs (numerically). */
export function verrevcmp(a: string, b: string): CompareResult {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a, i)) || (j < b.length && !isDigit(b, j))) {
      const d = order(a, i) - order(b, j);
      if (d !== 0) return sign(d);
      i++;
      j++;
    }
    const si = i;
    const sj = j;
    while (isDigit(a, i)) i++;
    while (isDigit(b, j)) j++;
    const d = compareDigits(a.slice(si, i), b.slice(sj, j));
    if (d !== 0) return d;
  }
  return 0;
}

export function compareDebVersions(a: DebVersion, b: DebVersion): CompareResult {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  return verrevcmp(a.upstream, b.upstream) || verrevcmp(a.revision, b.revision);
}

export const debScheme: VersionScheme = {
  id: 'deb',
  specs: [
    'https://www.debian.org/doc/debian-policy/ch-controlfields.html#version',
    'https://git.dpkg.org/cgit/dpkg/dpkg.git/tree/lib/dpkg/version.c',
  ],
  isValid: (v) => parseDebVersion(v) !== undefined,
  compare: withInvalidFallback(parseDebVersion, compareDebVersions),
};
