import type { Package, Relationship } from '../core/package.js';
import type { OsInfo } from '../core/os.js';
import { distroEcosystem, ecosystemForPackageType, normalizePackageName, schemeForEcosystem } from '../vulndb/ecosystem.js';
import type { SchemeId } from '../version/types.js';
import type { Evidence } from '../core/finding.js';

/** One way to look a package up in the database. */
export interface Lookup {
  readonly ecosystem: string;
  readonly name: string;
  /** The version to compare (the source version for distro-source lookups). */
  readonly version: string;
  readonly scheme: SchemeId;
  readonly matchedBy: Evidence['matchedBy'];
}

export type LookupPlan = { readonly lookups: readonly Lookup[] } | { readonly skip: string };

const OS_TYPES = new Set(['deb', 'apk', 'rpm']);

/**
 * Packages compiled into a binary (Go build info, cargo-auditable) are matched through their
 * ecosystem even when an OS package owns the binary: the distro tracks the binary's source
 * package, not the library versions linked into it.
 */
function compiledIn(p: Package): boolean {
  return p.type === 'binary' || p.metadata?.source === 'binary';
}

/** Language packages installed by an OS package: matched through the distro, not again. */
export function ownedPackages(relationships: readonly Relationship[]): Map<string, string> {
  const owned = new Map<string, string>();
  for (const r of relationships) if (r.type === 'owned-by') owned.set(r.from, r.to);
  return owned;
}

/**
 * How to look a package up: by source package in the distro, or by name in its ecosystem.
 * `distroOf` is `distroEcosystem` or a memo of it (one image has one OS: the matcher works its
 * ecosystem out once, not once per OS package).
 */
export function lookupsFor(p: Package, os: OsInfo | undefined, owned: ReadonlyMap<string, string>, distroOf: (os: OsInfo | undefined) => string | undefined = distroEcosystem): LookupPlan {
  if (OS_TYPES.has(p.type)) {
    const ecosystem = distroOf(os);
    if (!ecosystem) return { skip: os ? `no advisories are matched for ${os.id} ${os.versionId}` : 'the operating system is unknown' };
    const scheme = schemeForEcosystem(ecosystem);
    if (!scheme) return { skip: `no version scheme for ${ecosystem}` };
    // Red Hat's data names binary rpms; Debian, Ubuntu and Alpine name source packages.
    if (ecosystem.startsWith('Red Hat:') || !p.source) return { lookups: [{ ecosystem, name: p.name, version: p.version, scheme, matchedBy: 'distro-binary' }] };
    return { lookups: [{ ecosystem, name: p.source.name, version: p.source.version || p.version, scheme, matchedBy: 'distro-source' }] };
  }
  const owner = owned.get(p.id);
  if (owner && !compiledIn(p)) return { skip: `installed by ${owner}: matched through the distro` };
  const ecosystem = ecosystemForPackageType(p.type);
  if (!ecosystem) return { skip: `no advisory ecosystem for ${p.type} packages` };
  if (p.type === 'maven' && p.metadata?.groupIdUnknown) return { skip: 'the groupId is unknown' };
  const scheme = schemeForEcosystem(ecosystem) as SchemeId;
  let version = p.version;
  if (ecosystem === 'Go') {
    if (!version || version === '(devel)') return { skip: 'a Go module without a version (main module or directory replacement)' };
  }
  if (!version) return { skip: 'no version' };
  return { lookups: [{ ecosystem, name: normalizePackageName(ecosystem, p.name), version, scheme, matchedBy: 'ecosystem' }] };
}
