import { PackageURL } from 'packageurl-js';
import { type Location, type Package, packageId, type Relationship } from '../../core/package.js';
import { type Problem, problem } from '../../core/problem.js';
import type { CapturedFile } from '../types.js';
import { fileContext, fileLocation } from '../captured-file.js';
import { parse as parseYaml } from 'yaml';

export const ID = 'npm';
export const VERSION = '1';
export const FOUND_BY = `${ID}@${VERSION}`;
/** Beyond this many entries one lockfile is hostile: a 10k-package monorepo has ~15k. */
export const MAX_ENTRIES = 500_000;
/** v1 lockfiles and node resolution nest; real trees are < 50 deep. */
export const MAX_DEPTH = 256;

export type Source = 'installed' | 'lockfile';

/** What one parser reports for one package, before it becomes a `Package`. */
export interface Found {
  readonly name: string;
  readonly version: string;
  readonly licenses?: readonly string[];
  /** Metadata beyond `source`; `dev` is merged (a package is dev only if every sighting is). */
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly dev?: boolean;
}

/** Result of one file's parser: packages keyed by the parser's own handle, and edges between handles. */
export interface ParsedFile {
  readonly found: Found[];
  /** Edges as indexes into `found`. */
  readonly edges: Array<readonly [number, number]>;
  readonly notes: Notes;
}

/** A parser's messages, bounded: garbage input yields millions, the report shows the first 20. */
export class Notes {
  readonly shown: string[] = [];
  hidden = 0;

  add(message: string): void {
    if (this.shown.length < 20) this.shown.push(message);
    else this.hidden++;
  }
}

export function location(file: CapturedFile): Location {
  return fileLocation(file);
}

export function where(file: CapturedFile) {
  return fileContext(file, ID);
}

/** https://github.com/package-url/purl-spec/blob/main/PURL-TYPES.rst#npm — scope is the namespace. */
export function npmPurl(name: string, version: string): string {
  const slash = name.startsWith('@') ? name.indexOf('/') : -1;
  const ns = slash > 0 ? name.slice(0, slash) : undefined;
  const base = slash > 0 ? name.slice(slash + 1) : name;
  return new PackageURL('npm', ns, base, version, undefined, undefined).toString();
}

/** Split `name@version` / `@scope/name@version` at the last `@` that is not the first char. */
export function splitNameAt(spec: string): [string, string] | undefined {
  const at = spec.lastIndexOf('@');
  if (at <= 0) return undefined;
  return [spec.slice(0, at), spec.slice(at + 1)];
}

/** `license` (string or legacy `{type}`) and the deprecated `licenses` array, as SPDX-ish strings. */
export function licensesOf(manifest: Record<string, unknown>): string[] {
  const out: string[] = [];
  const add = (v: unknown) => {
    if (typeof v === 'string' && v.trim()) out.push(v.trim());
    else if (isObject(v) && typeof v.type === 'string' && v.type.trim()) out.push(v.type.trim());
  };
  add(manifest.license);
  if (Array.isArray(manifest.licenses)) for (const l of manifest.licenses.slice(0, 32)) add(l);
  return [...new Set(out)];
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** A plausible npm name: blocks garbage keys from becoming packages (and bad purls). */
export function validName(name: string): boolean {
  return name.length > 0 && name.length <= 214 && !/[\s\\]/.test(name) && !name.startsWith('.');
}

/**
 * Packages of one kind, merged by id: the same name@version seen again adds a location;
 * `dev` stays true only while every sighting is dev.
 */
export class Collector {
  private readonly byId = new Map<string, Package>();
  readonly relationships: Relationship[] = [];
  private readonly edgeKeys = new Set<string>();
  readonly problems: Problem[] = [];

  constructor(private readonly source: Source) {}

  add(found: Found, loc: Location, idPath: string | undefined): string | undefined {
    if (!validName(found.name) || !found.version) return undefined;
    const id = packageId('npm', found.name, found.version, undefined, idPath);
    const seen = this.byId.get(id);
    if (seen) {
      const locations = seen.locations.some((l) => l.path === loc.path) ? seen.locations : [...seen.locations, loc];
      const dev = seen.metadata?.dev === true && found.dev === true;
      const licenses = seen.licenses.length ? seen.licenses : (found.licenses ?? []);
      this.byId.set(id, {
        ...seen,
        licenses,
        locations,
        metadata: withDev({ ...seen.metadata }, dev),
      });
      return id;
    }
    let purl: string;
    try {
      purl = npmPurl(found.name, found.version);
    } catch {
      return undefined; // packageurl-js refuses some names; skip one entry, not the file
    }
    const metadata = withDev({ source: this.source, ...found.metadata }, found.dev === true);
    this.byId.set(id, {
      id,
      type: 'npm',
      name: found.name,
      version: found.version,
      licenses: found.licenses ?? [],
      purl,
      foundBy: FOUND_BY,
      locations: [loc],
      metadata,
    });
    return id;
  }

  /** Adds one parsed file: its packages, its edges (mapped to ids) and its messages. */
  addFile(file: CapturedFile, parsed: ParsedFile, idPath: string | undefined): void {
    const loc = location(file);
    const ids = parsed.found.map((f) => this.add(f, loc, idPath));
    for (const [a, b] of parsed.edges) this.edge(ids[a], ids[b]);
    this.report(file, parsed.notes);
  }

  edge(from: string | undefined, to: string | undefined): void {
    if (!from || !to || from === to) return;
    const key = `${from}\n${to}`;
    if (this.edgeKeys.has(key)) return;
    this.edgeKeys.add(key);
    this.relationships.push({ from, to, type: 'depends-on' });
  }

  report(file: CapturedFile, notes: Notes): void {
    for (const m of notes.shown) this.problems.push(problem('CATALOG_PARSE', `${file.path}: ${m}`, where(file)));
    if (notes.hidden > 0) {
      this.problems.push(problem('CATALOG_PARSE', `${file.path}: ${notes.hidden} more problems not shown`, where(file)));
    }
  }

  packages(): Package[] {
    return [...this.byId.values()];
  }
}

function withDev(metadata: Record<string, unknown>, dev: boolean): Record<string, unknown> {
  if (dev) metadata.dev = true;
  else delete metadata.dev;
  return metadata;
}

/**
 * Parses a YAML lockfile into a mapping, or records why not. `maxAliasCount` bounds
 * "billion laughs" alias expansion (neither pnpm nor yarn writes aliases).
 */
export function parseYamlMapping(text: string, notes: Notes, opts: { uniqueKeys?: boolean } = {}): Record<string, unknown> | undefined {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100, ...opts });
  } catch (err) {
    notes.add(`not valid YAML: ${(err as Error).message.slice(0, 200)}`);
    return undefined;
  }
  if (!isObject(doc)) {
    notes.add('not a YAML mapping');
    return undefined;
  }
  return doc;
}
