import type { OsInfo } from '../core/os.js';
import type { PackageType } from '../core/package.js';
import { schemeById } from '../version/registry.js';
import type { SchemeId, VersionScheme } from '../version/types.js';

/**
 * Ecosystem names as OSV writes them, the version scheme each one orders by, and the
 * normalizations that make an advisory's package name equal the name a cataloger found.
 * https://ossf.github.io/osv-schema/#affectedpackage-field
 */

export const LANGUAGE_ECOSYSTEMS = {
  npm: { type: 'npm', scheme: 'semver' },
  PyPI: { type: 'pypi', scheme: 'pep440' },
  Go: { type: 'golang', scheme: 'go' },
  'crates.io': { type: 'cargo', scheme: 'cargo' },
  RubyGems: { type: 'gem', scheme: 'gem' },
  Maven: { type: 'maven', scheme: 'maven' },
  Packagist: { type: 'composer', scheme: 'composer' },
  NuGet: { type: 'nuget', scheme: 'nuget' },
} as const satisfies Record<string, { type: PackageType; scheme: SchemeId }>;
export type LanguageEcosystem = keyof typeof LANGUAGE_ECOSYSTEMS;

/** Distro families: the OSV ecosystem prefix, the os-release ids that belong to it, and its scheme. */
export const DISTRO_FAMILIES = {
  Debian: { osIds: ['debian'], scheme: 'deb' },
  Ubuntu: { osIds: ['ubuntu'], scheme: 'deb' },
  Alpine: { osIds: ['alpine'], scheme: 'apk' },
  'Red Hat': { osIds: ['rhel', 'centos'], scheme: 'rpm' },
  AlmaLinux: { osIds: ['almalinux'], scheme: 'rpm' },
  'Rocky Linux': { osIds: ['rocky'], scheme: 'rpm' },
} as const satisfies Record<string, { osIds: readonly string[]; scheme: SchemeId }>;
export type DistroFamily = keyof typeof DISTRO_FAMILIES;

/** Debian codenames → release numbers (the tracker and DSA lists use codenames). */
export const DEBIAN_CODENAMES: Readonly<Record<string, string>> = {
  buzz: '1.1', rex: '1.2', bo: '1.3', hamm: '2.0', slink: '2.1', potato: '2.2', woody: '3.0', sarge: '3.1',
  etch: '4', lenny: '5', squeeze: '6', wheezy: '7', jessie: '8', stretch: '9', buster: '10',
  bullseye: '11', bookworm: '12', trixie: '13', forky: '14', sid: 'sid',
};

/** The version scheme that orders versions of `ecosystem`, or undefined for an unknown one. */
export function schemeForEcosystem(ecosystem: string): SchemeId | undefined {
  if (ecosystem in LANGUAGE_ECOSYSTEMS) return LANGUAGE_ECOSYSTEMS[ecosystem as LanguageEcosystem].scheme;
  const family = ecosystem.split(':')[0] ?? '';
  if (family in DISTRO_FAMILIES) return DISTRO_FAMILIES[family as DistroFamily].scheme;
  return undefined;
}

/**
 * Canonical form of an OSV ecosystem string: release qualifiers that do not change which
 * packages match are dropped (`Ubuntu:22.04:LTS` → `Ubuntu:22.04`, `Alpine:v3.18` stays,
 * `Debian:12.4` → `Debian:12`). Returns undefined for ecosystems Portcullis does not match.
 */
export function normalizeEcosystem(ecosystem: string): string | undefined {
  if (ecosystem in LANGUAGE_ECOSYSTEMS) return ecosystem;
  const parts = ecosystem.split(':');
  const family = parts[0] ?? '';
  if (!(family in DISTRO_FAMILIES)) return undefined;
  if (parts.length === 1) return undefined; // a distro without its release cannot be matched safely
  if (family === 'Ubuntu') {
    const rest = parts.slice(1).filter((p) => p !== 'LTS');
    return `Ubuntu:${rest.join(':')}`;
  }
  const release = parts[1] ?? '';
  if (family === 'Alpine') {
    const m = /^v?(\d+\.\d+)/.exec(release);
    return m ? `Alpine:v${m[1]}` : release === 'edge' ? 'Alpine:edge' : undefined;
  }
  if (family === 'Debian') {
    const num = DEBIAN_CODENAMES[release] ?? release;
    const major = /^\d+/.exec(num)?.[0] ?? (num === 'sid' ? 'sid' : undefined);
    return major ? `Debian:${major}` : undefined;
  }
  const major = /^\d+/.exec(release)?.[0];
  return major ? `${family}:${major}` : undefined;
}

/** The distro ecosystem an image's packages are matched in, e.g. `Debian:12`, `Alpine:v3.18`. */
export function distroEcosystem(os: OsInfo | undefined): string | undefined {
  if (!os) return undefined;
  for (const [family, info] of Object.entries(DISTRO_FAMILIES)) {
    if (!(info.osIds as readonly string[]).includes(os.id)) continue;
    if (family === 'Debian' && !os.versionId) return os.versionCodename ? normalizeEcosystem(`Debian:${os.versionCodename}`) : undefined;
    return normalizeEcosystem(`${family}:${os.versionId}`);
  }
  return undefined;
}

const ADVISORY_SCHEMES = new Map<SchemeId, VersionScheme | undefined>();

/**
 * A scheme that reads versions as advisories write them. Go's scheme (like the go command)
 * wants the `v` prefix that OSV's Go records leave out (`1.19.9`, `0.7.0`), so here both sides
 * get it; every other scheme is returned as is. One object per scheme for the process (range
 * evaluation caches per scheme object).
 */
export function advisoryScheme(id: SchemeId): VersionScheme | undefined {
  if (ADVISORY_SCHEMES.has(id)) return ADVISORY_SCHEMES.get(id);
  const scheme = schemeById(id);
  const v = (s: string) => (s.startsWith('v') || s === '0' ? s : `v${s}`);
  const out = !scheme || id !== 'go' ? scheme : { ...scheme, isValid: (s: string) => scheme.isValid(v(s)), compare: (a: string, b: string) => scheme.compare(v(a), v(b)) };
  ADVISORY_SCHEMES.set(id, out);
  return out;
}

/** PEP 503 for PyPI, lower case where the registry is case-insensitive, as written elsewhere. */
export function normalizePackageName(ecosystem: string, name: string): string {
  switch (ecosystem) {
    case 'PyPI':
      return name.toLowerCase().replace(/[-_.]+/g, '-');
    case 'Packagist':
    case 'NuGet':
    case 'npm':
      return name.toLowerCase();
    default:
      return name;
  }
}

/** The language ecosystem of a cataloged package type, or undefined for OS and binary packages. */
const BY_TYPE: ReadonlyMap<PackageType, LanguageEcosystem> = new Map(Object.entries(LANGUAGE_ECOSYSTEMS).map(([eco, info]) => [info.type, eco as LanguageEcosystem]));

export function ecosystemForPackageType(type: PackageType): LanguageEcosystem | undefined {
  return BY_TYPE.get(type);
}
