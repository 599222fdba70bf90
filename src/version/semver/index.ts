import semver from 'semver';
import type { VersionScheme } from '../types.js';
import { MAX_VERSION_LENGTH, sign, withInvalidFallback } from '../util.js';

/**
 * npm's SemVer through node-semver (the library npm itself uses), strict mode: a leading 'v'
 * or '=' and surrounding whitespace are tolerated as npm does; build metadata is ignored.
 */
function parse(v: string): semver.SemVer | undefined {
  if (v.length > MAX_VERSION_LENGTH) return undefined;
  return semver.parse(v) ?? undefined;
}

export const semverScheme: VersionScheme = {
  id: 'semver',
  specs: ['https://semver.org/spec/v2.0.0.html', 'https://github.com/npm/node-semver#versions'],
  isValid: (v) => parse(v) !== undefined,
  compare: withInvalidFallback(parse, (a, b) => sign(a.compare(b))),
};
