import { compare as pep440Compare, valid as pep440Valid } from '@renovatebot/pep440';
import type { VersionScheme } from '../types.js';
import { MAX_VERSION_LENGTH, sign, withInvalidFallback } from '../util.js';

/**
 * PEP 440 through @renovatebot/pep440 (a port of Python's `packaging`), checked against
 * `packaging.version.Version` by the fixture. Legacy (non-PEP 440) strings are invalid and
 * sort below every valid version.
 */
function parse(v: string): string | undefined {
  if (v.length > MAX_VERSION_LENGTH) return undefined;
  return pep440Valid(v) === null ? undefined : v;
}

export const pep440Scheme: VersionScheme = {
  id: 'pep440',
  specs: [
    'https://peps.python.org/pep-0440/',
    'https://packaging.python.org/en/latest/specifications/version-specifiers/',
  ],
  isValid: (v) => parse(v) !== undefined,
  compare: withInvalidFallback(parse, (a, b) => sign(pep440Compare(a, b))),
};
