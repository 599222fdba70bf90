import type { CompareResult, VersionScheme } from '../types.js';
import { compareSemVer2, parseSemVer2, type SemVer2 } from '../semver2.js';
import { MAX_VERSION_LENGTH } from '../util.js';

/**
 * Go module versions as golang.org/x/mod/semver reads them: a required 'v', the shorthands
 * `v1` = `v1.0.0` and `v1.2` = `v1.2.0` (only without pre-release or build), build metadata
 * such as `+incompatible` ignored. Pseudo-versions (`v0.0.0-20210121094942-22b2f8951d46`)
 * are ordinary pre-releases, so they order by their timestamp.
 */
export function parseGoVersion(v: string): SemVer2 | undefined {
  if (v.length > MAX_VERSION_LENGTH || !v.startsWith('v')) return undefined;
  const short = /^v(0|[1-9][0-9]*)(?:\.(0|[1-9][0-9]*))?$/.exec(v);
  if (short) return { major: short[1] as string, minor: short[2] ?? '0', patch: '0', pre: [], build: [] };
  return parseSemVer2(v.slice(1));
}

/** As semver.Compare: an invalid version is below every valid one and equal to any other invalid one. */
export function compareGo(a: string, b: string): CompareResult {
  const pa = parseGoVersion(a);
  const pb = parseGoVersion(b);
  if (pa && pb) return compareSemVer2(pa, pb);
  if (pa) return 1;
  if (pb) return -1;
  return 0;
}

export const goScheme: VersionScheme = {
  id: 'go',
  specs: ['https://go.dev/ref/mod#versions', 'https://pkg.go.dev/golang.org/x/mod/semver', 'https://go.dev/ref/mod#pseudo-versions'],
  isValid: (v) => parseGoVersion(v) !== undefined,
  compare: compareGo,
};
