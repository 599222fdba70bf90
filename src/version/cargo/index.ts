import type { CompareResult, VersionScheme } from '../types.js';
import { compareSemVer2, parseSemVer2, type SemVer2 } from '../semver2.js';
import { compareDigits, compareStrings, withInvalidFallback } from '../util.js';

const isNumeric = (s: string): boolean => /^[0-9]+$/.test(s);

/**
 * The semver crate's `Ord for BuildMetadata`: identifier by identifier, numeric ones by value
 * and then the less zero-padded first, numeric below alphanumeric, alphanumeric by ASCII; an
 * exhausted list first.
 */
function compareBuild(a: readonly string[], b: readonly string[]): CompareResult {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = isNumeric(x);
    const ny = isNumeric(y);
    if (nx !== ny) return nx ? -1 : 1;
    const r = nx ? compareDigits(x, y) || compareDigits(String(x.length), String(y.length)) : compareStrings(x, y);
    if (r !== 0) return r;
  }
  return 0;
}

/**
 * Cargo's versions (the `semver` crate, 1.x): strict SemVer 2.0.0 — no 'v', no leading zeros,
 * no whitespace. Unlike semver.org precedence, the crate's `Ord` breaks ties on build metadata
 * (none first), so `1.0.0 < 1.0.0+a`.
 */
export function compareCargo(a: SemVer2, b: SemVer2): CompareResult {
  return compareSemVer2(a, b) || compareBuild(a.build, b.build);
}

export const cargoScheme: VersionScheme = {
  id: 'cargo',
  specs: ['https://doc.rust-lang.org/cargo/reference/semver.html', 'https://docs.rs/semver/1/semver/struct.Version.html'],
  isValid: (v) => parseSemVer2(v) !== undefined,
  compare: withInvalidFallback(parseSemVer2, compareCargo),
};
