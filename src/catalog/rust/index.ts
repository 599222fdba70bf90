import { PackageURL } from 'packageurl-js';
import { packageId, type Location, type Package, type Relationship } from '../../core/package.js';
import type { Problem } from '../../core/problem.js';
import { wantsExecutable } from '../go/index.js';
import type { Cataloger, CatalogResult, CatalogView, EntryInfo, FileSummary } from '../types.js';
import { readAuditable, type AuditData } from './auditable.js';
import { parseCargoLock, resolveDependency, type CargoLock, type LockedCrate } from './cargo-lock.js';
import { summarizedFiles } from '../captured-file.js';

/**
 * Rust crates from `Cargo.lock` files and from binaries built with cargo-auditable
 * (`.dep-v0`). Both are reduced to summaries while the layer is read.
 */
const ID = 'rust';
const VERSION = '1';
const FOUND_BY = `${ID}@${VERSION}`;
const MAX_BINARY_SIZE = 512 * 1024 * 1024;
/** Large workspaces' lockfiles are ~500 KB. */
const MAX_LOCK_SIZE = 10 * 1024 * 1024;

function isLockfile(path: string): boolean {
  return path === 'Cargo.lock' || path.endsWith('/Cargo.lock');
}

function wants(path: string, info?: EntryInfo): boolean {
  return isLockfile(path) || wantsExecutable(path, info);
}

function summarize(file: { readonly path: string; readonly content: Buffer }): FileSummary {
  try {
    if (isLockfile(file.path)) {
      if (file.content.length > MAX_LOCK_SIZE) return { kind: 'lockfile', tooLarge: true, error: `Cargo.lock is ${file.content.length} bytes` };
      const r = parseCargoLock(file.content.toString('utf8'));
      return r.ok ? { kind: 'lockfile', ...r.lock } : { kind: 'lockfile', error: r.error };
    }
    const r = readAuditable(file.content);
    if (r.kind === 'none') return null;
    if (r.kind === 'error') return { kind: 'auditable', error: r.message };
    return { kind: 'auditable', ...r.data };
  } catch (err) {
    return { kind: 'auditable', error: `unexpected: ${String(err)}` };
  }
}

class Collector {
  readonly byId = new Map<string, Package>();
  readonly relationships: Relationship[] = [];
  private readonly edges = new Set<string>();

  add(name: string, version: string, location: Location, metadata: Record<string, unknown>): string {
    const id = packageId('cargo', name, version);
    const seen = this.byId.get(id);
    if (seen) {
      if (!seen.locations.some((l) => l.path === location.path && l.layerDiffId === location.layerDiffId)) {
        this.byId.set(id, { ...seen, locations: [...seen.locations, location] });
      }
      return id;
    }
    const purl = new PackageURL('cargo', undefined, name, version, undefined, undefined).toString();
    this.byId.set(id, { id, type: 'cargo', name, version, licenses: [], purl, foundBy: FOUND_BY, locations: [location], metadata });
    return id;
  }

  dependsOn(from: string, to: string): void {
    const key = `${from}\n${to}`;
    if (from === to || this.edges.has(key)) return;
    this.edges.add(key);
    this.relationships.push({ from, to, type: 'depends-on' });
  }
}

function fromLock(c: Collector, lock: CargoLock, location: Location): void {
  const byName = new Map<string, LockedCrate[]>();
  for (const p of lock.packages ?? []) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
  const ids = new Map<LockedCrate, string>();
  for (const p of lock.packages ?? []) {
    const meta = {
      source: 'lockfile',
      lockfile: `cargo-lock-v${lock.lockVersion}`,
      ...(p.source ? { registry: p.source } : { local: true }),
      ...(p.checksum ? { checksum: p.checksum } : {}),
    };
    ids.set(p, c.add(p.name, p.version, location, meta));
  }
  for (const p of lock.packages ?? []) {
    for (const d of p.dependencies ?? []) {
      const target = resolveDependency(d, byName);
      const from = ids.get(p);
      const to = target && ids.get(target);
      if (from && to) c.dependsOn(from, to);
    }
  }
}

/** Runtime crates only: build dependencies are not in the binary (PARSING.md). */
function fromAudit(c: Collector, data: AuditData, location: Location): void {
  const ids = (data.packages ?? []).map((p) => {
    if ((p.kind ?? 'runtime') !== 'runtime') return undefined;
    const meta = { source: 'binary', registry: p.source, ...(p.source === 'local' ? { local: true } : {}), ...(p.root ? { root: true } : {}) };
    return c.add(p.name, p.version, location, meta);
  });
  (data.packages ?? []).forEach((p, i) => {
    const from = ids[i];
    for (const d of p.dependencies ?? []) {
      const to = ids[d];
      if (from && to) c.dependsOn(from, to);
    }
  });
}

function catalog(view: CatalogView): CatalogResult {
  const c = new Collector();
  const problems: Problem[] = [];
  for (const { location, summary: s } of summarizedFiles(view, ID, problems)) {
    if (s.kind === 'lockfile') fromLock(c, s as unknown as CargoLock, location);
    else if (s.kind === 'auditable') fromAudit(c, s as unknown as AuditData, location);
  }
  return { packages: [...c.byId.values()], relationships: c.relationships, problems };
}


export const rustCataloger: Cataloger = {
  id: ID,
  version: VERSION,
  wants,
  summarize,
  maxFileSize: MAX_BINARY_SIZE,
  catalog,
};
