import type { Location, Package, Relationship } from '../core/package.js';
import type { TreeQueries } from './recording-tree.js';

const OS_TYPES = new Set(['deb', 'apk', 'rpm']);

/** Package sources that declare dependencies (lockfiles, go.mod) rather than install them. */
const DECLARED_SOURCES = new Set(['lockfile', 'go.mod']);

export interface Ownership {
  readonly relationships: Relationship[];
  /** Ids of packages read from lockfiles that an OS package installed: not installed software. */
  readonly upstreamLockfilePackages: ReadonlySet<string>;
  /**
   * Runtimes found by version strings (type `binary`) in files an OS package owns: id → the
   * locations no OS package owns. Empty: every file is packaged, the package is dropped.
   */
  readonly ownedBinaries: ReadonlyMap<string, readonly Location[]>;
}

function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/**
 * Path → owning OS package id. Databases list paths as the package wrote them (`/bin/busybox`),
 * while a merged-/usr image stores the file under the directory symlink's target
 * (`/usr/bin/busybox`): on a miss, the owned paths are indexed once more under their
 * resolved directories (one resolution per directory, not per file).
 */
function ownerIndex(packages: readonly Package[], tree: Pick<TreeQueries, 'resolve'> | undefined): ((path: string) => string | undefined) | undefined {
  const owner = new Map<string, string>();
  for (const p of packages) {
    if (!OS_TYPES.has(p.type)) continue;
    for (const f of p.files ?? []) if (!owner.has(f)) owner.set(f, p.id);
  }
  if (owner.size === 0) return undefined;
  let viaDirs: Map<string, string> | undefined;
  const byResolvedDir = (path: string): string | undefined => {
    if (!tree) return undefined;
    if (!viaDirs) {
      viaDirs = new Map();
      const dirs = new Map<string, string | undefined>();
      for (const [f, id] of owner) {
        const dir = dirname(f);
        if (!dirs.has(dir)) dirs.set(dir, tree.resolve(dir));
        const real = dirs.get(dir);
        if (!real || real === dir) continue;
        const alias = `${real === '/' ? '' : real}/${f.slice(dir.length + 1)}`;
        if (!owner.has(alias) && !viaDirs.has(alias)) viaDirs.set(alias, id);
      }
    }
    return viaDirs.get(path);
  };
  return (path: string): string | undefined => {
    const direct = owner.get(path);
    if (direct) return direct;
    // Debian often ships /usr/share/java/x.jar as a symlink to x-1.2.jar; either may be listed.
    const resolved = tree?.resolve(path);
    const viaLink = resolved && resolved !== path ? owner.get(resolved) : undefined;
    return viaLink ?? byResolvedDir(resolved ?? path);
  };
}

/**
 * Links language packages to the OS package that installed their files (Debian's
 * python3-requests owns requests' dist-info; libcommons-lang3-java owns its jar), so
 * matching can use the distro's advisories and backports for them instead of reporting
 * them a second time. Emits `owned-by` relationships; the SBOM shows both packages.
 * Runtimes identified from version strings are different: a packaged python3.11 is already
 * the OS package, so those files are reported in `ownedBinaries` to be dropped.
 */
export function linkOwnership(packages: readonly Package[], tree: Pick<TreeQueries, 'resolve'> | undefined): Ownership {
  const find = ownerIndex(packages, tree);
  if (!find) return { relationships: [], upstreamLockfilePackages: new Set(), ownedBinaries: new Map() };
  const out: Relationship[] = [];
  const upstream = new Set<string>();
  const ownedBinaries = new Map<string, readonly Location[]>();
  for (const p of packages) {
    if (OS_TYPES.has(p.type)) continue;
    if (p.type === 'binary') {
      const unowned = p.locations.filter((l) => !find(l.path));
      if (unowned.length < p.locations.length) ownedBinaries.set(p.id, unowned);
      continue;
    }
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
  return { relationships: out, upstreamLockfilePackages: upstream, ownedBinaries };
}

/**
 * The packages an inventory keeps: without upstream lockfile packages and packaged runtimes,
 * and runtimes found both inside and outside OS packages reduced to their unowned files.
 */
export function keptPackages(packages: readonly Package[], owned: Ownership): { packages: Package[]; dropped: ReadonlySet<string> } {
  const dropped = new Set(owned.upstreamLockfilePackages);
  for (const [id, left] of owned.ownedBinaries) if (left.length === 0) dropped.add(id);
  if (dropped.size === 0 && owned.ownedBinaries.size === 0) return { packages: [...packages], dropped };
  const kept: Package[] = [];
  for (const p of packages) {
    if (dropped.has(p.id)) continue;
    const left = owned.ownedBinaries.get(p.id);
    kept.push(left ? trimmed(p, left) : p);
  }
  return { packages: kept, dropped };
}

/** A runtime reduced to its unowned files; its `metadata.evidence` ({file, …}[]) follows. */
function trimmed(p: Package, left: readonly Location[]): Package {
  const paths = new Set(left.map((l) => l.path));
  const evidence = p.metadata?.evidence;
  if (!Array.isArray(evidence)) return { ...p, locations: left };
  const kept = evidence.filter((e: unknown) => typeof e !== 'object' || e === null || paths.has(String((e as { file?: unknown }).file)));
  return { ...p, locations: left, metadata: { ...p.metadata, evidence: kept } };
}
