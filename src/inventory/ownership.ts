import type { Package, Relationship } from '../core/package.js';
import type { FileTree } from '../image/tree/file-tree.js';

const OS_TYPES = new Set(['deb', 'apk', 'rpm']);

/** Package sources that declare dependencies (lockfiles, go.mod) rather than install them. */
const DECLARED_SOURCES = new Set(['lockfile', 'go.mod']);

export interface Ownership {
  readonly relationships: Relationship[];
  /** Ids of packages read from lockfiles that an OS package installed: not installed software. */
  readonly upstreamLockfilePackages: ReadonlySet<string>;
}

/**
 * Links language packages to the OS package that installed their files (Debian's
 * python3-requests owns requests' dist-info; libcommons-lang3-java owns its jar), so
 * matching can use the distro's advisories and backports for them instead of reporting
 * them a second time. Emits `owned-by` relationships; the SBOM shows both packages.
 */
export function linkOwnership(packages: readonly Package[], tree: FileTree | undefined): Ownership {
  const owner = new Map<string, string>();
  for (const p of packages) {
    if (!OS_TYPES.has(p.type)) continue;
    for (const f of p.files ?? []) if (!owner.has(f)) owner.set(f, p.id);
  }
  if (owner.size === 0) return { relationships: [], upstreamLockfilePackages: new Set() };
  const find = (path: string): string | undefined => {
    const direct = owner.get(path);
    if (direct) return direct;
    // Debian often ships /usr/share/java/x.jar as a symlink to x-1.2.jar; either may be listed.
    const resolved = tree?.resolve(path);
    return resolved && resolved !== path ? owner.get(resolved) : undefined;
  };
  const out: Relationship[] = [];
  const upstream = new Set<string>();
  for (const p of packages) {
    if (OS_TYPES.has(p.type)) continue;
    if (DECLARED_SOURCES.has(String(p.metadata?.source)) && p.locations.some((l) => find(l.path))) {
      // A lockfile an OS package ships (Debian's node-postcss carries upstream's
      // pnpm-lock.yaml) describes upstream's development tree, not what is installed.
      upstream.add(p.id);
      continue;
    }
    let found: string | undefined;
    for (const loc of p.locations) {
      // Nested archives carry `outer.jar:inner.jar`; the outer file is what the OS owns.
      found = find(loc.path.split(':')[0] as string);
      if (found) break;
    }
    if (!found) for (const f of p.files ?? []) if ((found = find(f))) break;
    if (found) out.push({ from: p.id, to: found, type: 'owned-by' });
  }
  return { relationships: out, upstreamLockfilePackages: upstream };
}
