import type { Package, Relationship } from '../core/package.js';
import type { FileTree } from '../image/tree/file-tree.js';

const OS_TYPES = new Set(['deb', 'apk', 'rpm']);

/**
 * Links language packages to the OS package that installed their files (Debian's
 * python3-requests owns requests' dist-info; libcommons-lang3-java owns its jar), so
 * matching can use the distro's advisories and backports for them instead of reporting
 * them a second time. Emits `owned-by` relationships; the SBOM shows both packages.
 */
export function linkOwnership(packages: readonly Package[], tree: FileTree | undefined): Relationship[] {
  const owner = new Map<string, string>();
  for (const p of packages) {
    if (!OS_TYPES.has(p.type)) continue;
    for (const f of p.files ?? []) if (!owner.has(f)) owner.set(f, p.id);
  }
  if (owner.size === 0) return [];
  const find = (path: string): string | undefined => {
    const direct = owner.get(path);
    if (direct) return direct;
    // Debian often ships /usr/share/java/x.jar as a symlink to x-1.2.jar; either may be listed.
    const resolved = tree?.resolve(path);
    return resolved && resolved !== path ? owner.get(resolved) : undefined;
  };
  const out: Relationship[] = [];
  for (const p of packages) {
    if (OS_TYPES.has(p.type)) continue;
    let found: string | undefined;
    for (const loc of p.locations) {
      // Nested archives carry `outer.jar:inner.jar`; the outer file is what the OS owns.
      found = find(loc.path.split(':')[0] as string);
      if (found) break;
    }
    if (!found) for (const f of p.files ?? []) if ((found = find(f))) break;
    if (found) out.push({ from: p.id, to: found, type: 'owned-by' });
  }
  return out;
}
