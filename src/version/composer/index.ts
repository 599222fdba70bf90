import type { VersionScheme } from '../types.js';
import { compareStrings, MAX_VERSION_LENGTH } from '../util.js';
import { phpVersionCompare } from './php-version-compare.js';

// Composer writes `(?:[.-]?\d+)*+` (possessive). JS has no possessive quantifier: `(?!\d)` makes
// every digit run maximal instead, so the group cannot backtrack exponentially (ReDoS).
const MODIFIER = '[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\\d+(?!\\d))*)?)?([.-]?dev)?';
const CLASSIC = new RegExp(`^v?(\\d{1,5})(\\.\\d+)?(\\.\\d+)?(\\.\\d+)?${MODIFIER}$`, 'i');
const DATE = new RegExp(`^v?(\\d{4}(?:[.:-]?\\d{2}){1,6}(?:[.:-]?\\d{1,3})?)${MODIFIER}$`, 'i');
const BRANCH = /^v?(\d+)(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?$/i;
const EXPAND: Readonly<Record<string, string>> = { a: 'alpha', b: 'beta', p: 'patch', pl: 'patch', rc: 'RC' };

/**
 * Composer's VersionParser::normalize() (composer/semver): `v` prefix, 4 numeric parts,
 * stability suffixes (`dev < alpha < beta < RC < stable < patch`), `1.0.x-dev` branches and
 * `dev-<name>` branches. Aliases (`1.0 as 2.0`) are constraints, not versions: refused.
 */
export function normalizeComposerVersion(input: string): string | undefined {
  if (input.length > MAX_VERSION_LENGTH) return undefined;
  let v = input.trim().replace(/@(?:stable|RC|beta|alpha|dev)$/i, '');
  if (v === 'master' || v === 'trunk' || v === 'default') v = `dev-${v}`;
  if (v.toLowerCase().startsWith('dev-')) return v.length > 4 ? `dev-${v.slice(4)}` : undefined;
  const build = /^([^,\s+]+)\+\S+$/.exec(v);
  if (build) v = build[1] as string;
  const classic = CLASSIC.exec(v);
  const m = classic ?? DATE.exec(v);
  let base: string | undefined;
  let idx = 5;
  if (classic) base = `${classic[1]}${classic[2] || '.0'}${classic[3] || '.0'}${classic[4] || '.0'}`;
  else if (m) {
    base = (m[1] as string).replace(/\D/g, '.');
    idx = 2;
  }
  if (m && base !== undefined) {
    const stability = m[idx];
    if (stability) {
      if (stability === 'stable') return base;
      const low = stability.toLowerCase();
      base += `-${EXPAND[low] ?? low}${(m[idx + 1] ?? '').replace(/^[.-]+/, '')}`;
    }
    return m[idx + 2] ? `${base}-dev` : base;
  }
  const dev = /^(.*?)[.-]?dev$/i.exec(v);
  const branch = dev ? BRANCH.exec((dev[1] as string).trim()) : null;
  if (branch) {
    const parts = [1, 2, 3, 4].map((i) => (i === 1 ? branch[1] : (branch[i]?.replace(/[*X]/, 'x') ?? '.x')));
    return `${parts.join('').replaceAll('x', '9999999')}-dev`;
  }
  return undefined;
}

export const composerScheme: VersionScheme = {
  id: 'composer',
  specs: ['https://getcomposer.org/doc/articles/versions.md', 'https://github.com/composer/semver/blob/main/src/VersionParser.php'],
  isValid: (v) => normalizeComposerVersion(v) !== undefined,
  // Composer compares normalized versions with PHP's version_compare(). Two dev branches are
  // unordered in Composer; we order them by name to stay total. Invalid strings sort below
  // every valid version, and among themselves by code-unit order.
  compare: (a, b) => {
    const na = normalizeComposerVersion(a);
    const nb = normalizeComposerVersion(b);
    if (na === undefined || nb === undefined) {
      if (na !== undefined) return 1;
      if (nb !== undefined) return -1;
      return compareStrings(a, b);
    }
    if (na.startsWith('dev-') && nb.startsWith('dev-')) return compareStrings(na, nb);
    return phpVersionCompare(na, nb);
  },
};
