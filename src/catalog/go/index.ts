import { PackageURL } from 'packageurl-js';
import { packageId, type Location, type Package } from '../../core/package.js';
import { problem, type Problem } from '../../core/problem.js';
import type { CapturedFile, Cataloger, CatalogResult, CatalogView, EntryInfo, FileSummary } from '../types.js';
import { readBuildInfo } from './buildinfo.js';
import { parseGoMod, replacementFor, type GoMod } from './gomod.js';
import { parseModinfo, stdlibVersion, type GoSummary, type ModuleTuple } from './modinfo.js';
import { fileContext, summarizedFiles } from '../captured-file.js';

/**
 * Go modules from the build info of compiled binaries (SCANNER-NOTES.md §3.7) and from
 * `go.mod` files. Version conventions (trivy's): a main module at `(devel)` is reported with
 * an empty version (the raw one kept in metadata.moduleVersion); the toolchain is the package
 * `stdlib` at `v<go version>`.
 */
const ID = 'go';
const VERSION = '1';
const FOUND_BY = `${ID}@${VERSION}`;
/** Go binaries are megabytes; a tiny executable is a script or a stub. */
const MIN_BINARY_SIZE = 4096;
const MAX_BINARY_SIZE = 512 * 1024 * 1024;
const MAX_GOMOD_SIZE = 10 * 1024 * 1024;
/** Executables that are obviously text, not binaries. */
const SCRIPT_SUFFIXES = ['.sh', '.bash', '.py', '.pl', '.rb', '.js', '.txt', '.md', '.json', '.conf', '.c', '.h'];

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function wantsExecutable(path: string, info: EntryInfo | undefined): boolean {
  if (!info || (info.mode & 0o111) === 0 || info.size < MIN_BINARY_SIZE) return false;
  return !SCRIPT_SUFFIXES.some((s) => path.endsWith(s));
}

function wants(path: string, info?: EntryInfo): boolean {
  return basename(path) === 'go.mod' || wantsExecutable(path, info);
}

/** Summary kinds: a binary's build info, or a parsed go.mod (the bytes are dropped after). */
function summarize(file: { readonly path: string; readonly content: Buffer }): FileSummary {
  try {
    if (basename(file.path) === 'go.mod') {
      if (file.content.length > MAX_GOMOD_SIZE) return { kind: 'go.mod', error: `go.mod is ${file.content.length} bytes` };
      return { kind: 'go.mod', ...parseGoMod(file.content.toString('utf8')) };
    }
    const found = readBuildInfo(file.content);
    if (found.kind === 'none') return null;
    if (found.kind === 'error') return { kind: 'binary', error: found.message };
    return { kind: 'binary', ...parseModinfo(found.info.goVersion, found.info.modinfo) };
  } catch (err) {
    // A bug, not bad input: still never throw while a layer is read.
    return { kind: 'binary', error: `unexpected: ${String(err)}` };
  }
}

function purl(name: string, version: string): string {
  const slash = name.lastIndexOf('/');
  const ns = slash > 0 ? name.slice(0, slash) : undefined;
  return new PackageURL('golang', ns, name.slice(slash + 1), version || undefined, undefined, undefined).toString();
}

function isLocalPath(p: string): boolean {
  return p.startsWith('.') || p.startsWith('/');
}

class Collector {
  readonly byId = new Map<string, Package>();

  add(name: string, version: string, location: Location, metadata: Record<string, unknown>): void {
    const id = packageId('golang', name, version);
    const seen = this.byId.get(id);
    if (seen) {
      if (!seen.locations.some((l) => l.path === location.path && l.layerDiffId === location.layerDiffId)) {
        this.byId.set(id, { ...seen, locations: [...seen.locations, location] });
      }
      return;
    }
    this.byId.set(id, { id, type: 'golang', name, version, licenses: [], purl: purl(name, version), foundBy: FOUND_BY, locations: [location], metadata });
  }

  /** A module, or its replacement: a module replacement is reported, a directory one keeps the original path. */
  addModule(mod: ModuleTuple, replacedBy: ModuleTuple | undefined, location: Location, extra: Record<string, unknown>): void {
    const [path, version, sum] = mod;
    if (!replacedBy) {
      this.add(path, version, location, { ...extra, ...(sum ? { sum } : {}) });
      return;
    }
    const [rPath, rVersion, rSum] = replacedBy;
    const replaces = { path, version };
    if (isLocalPath(rPath)) {
      this.add(path, '', location, { ...extra, replaces, replacedByDirectory: rPath });
      return;
    }
    this.add(rPath, rVersion, location, { ...extra, replaces, ...(rSum ? { sum: rSum } : {}) });
  }
}

function fromBinary(c: Collector, s: GoSummary, location: Location): void {
  const source = { source: 'binary' };
  if (s.main?.path) {
    const raw = s.main.version;
    const version = raw === '(devel)' ? '' : raw;
    const meta = { ...source, mainModule: true, moduleVersion: raw, mainPackage: s.path, goVersion: s.goVersion, settings: s.settings };
    c.addModule([s.main.path, version, s.main.sum], s.main.replacedBy, location, meta);
  }
  for (const [path, version, sum, replacedBy] of s.deps ?? []) c.addModule([path, version, sum], replacedBy, location, source);
  const std = stdlibVersion(s.goVersion);
  if (std) c.add('stdlib', std, location, { ...source, goVersion: s.goVersion, ...(s.main ? {} : { mainPackage: s.path }) });
}

function fromGoMod(c: Collector, mod: GoMod, location: Location): void {
  for (const r of mod.requires ?? []) {
    const rep = replacementFor(mod, r.path, r.version);
    const extra = { source: 'go.mod', ...(r.indirect ? { indirect: true } : {}) };
    c.addModule([r.path, r.version, ''], rep ? [rep.to, rep.toVersion ?? '', ''] : undefined, location, extra);
  }
}

function catalog(view: CatalogView): CatalogResult {
  const c = new Collector();
  const problems: Problem[] = [];
  for (const { file, location, summary: s } of summarizedFiles(view, ID, problems)) {
    if (s.kind === 'go.mod') {
      const mod = s as unknown as GoMod;
      for (const e of mod.errors ?? []) problems.push(problem('CATALOG_PARSE', `${file.path}: ${e}`, where(file)));
      fromGoMod(c, mod, location);
    } else if (s.kind === 'binary') {
      fromBinary(c, s as unknown as GoSummary, location);
    }
  }
  return { packages: [...c.byId.values()], relationships: [], problems };
}

function where(file: CapturedFile) {
  return fileContext(file, ID);
}

export const goCataloger: Cataloger = {
  id: ID,
  version: VERSION,
  wants,
  summarize,
  maxFileSize: MAX_BINARY_SIZE,
  catalog,
};
