import { PackageURL } from 'packageurl-js';
import { distroQualifier, type OsInfo } from '../../core/os.js';
import { packageId, type Location, type Package } from '../../core/package.js';
import { problem, type Problem } from '../../core/problem.js';
import { osPurlNamespace } from '../os/index.js';
import type { Cataloger, CatalogResult, CatalogView } from '../types.js';
import { type ApkStanza, parseInstalledDb } from './installed-db.js';
import { fileLocation } from '../captured-file.js';

/**
 * Alpine / Wolfi / Chainguard packages from apk's installed database
 * (SCANNER-NOTES.md §3.2). Newer apk and Wolfi keep it under /usr/lib.
 */
const ID = 'apk';
const VERSION = '1';
const FOUND_BY = `${ID}@${VERSION}`;
const DB_PATHS: ReadonlySet<string> = new Set(['/lib/apk/db/installed', '/usr/lib/apk/db/installed']);
/** A large Alpine image's database is a few MB. */
const MAX_FILE_SIZE = 64 * 1024 * 1024;
const MAX_PROBLEMS_PER_FILE = 20;
/** Real databases hold a few thousand stanzas; beyond this the file is hostile. */
const MAX_STANZAS = 200_000;

// apk-tools accepts these in names and versions (apk_blob_pull / version.c); we are a bit
// lenient on case, but nothing with spaces or control characters passes.
const NAME = /^[A-Za-z0-9][A-Za-z0-9+._-]*$/;
const APK_VERSION = /^[0-9][A-Za-z0-9._+~-]*$/;
const ARCH = /^[A-Za-z0-9_-]+$/;

function catalog(view: CatalogView): CatalogResult {
  const problems: Problem[] = [];
  const byId = new Map<string, Package>();
  for (const db of view.files().filter((f) => DB_PATHS.has(f.path))) {
    const where = { path: db.path, source: ID, ...(db.layerDiffId ? { layer: db.layerDiffId } : {}) };
    if (db.content.length > MAX_FILE_SIZE) {
      problems.push(problem('FILE_TOO_LARGE', `${db.path} is ${db.content.length} bytes`, where));
      continue;
    }
    const location: Location = fileLocation(db);
    const messages: string[] = [];
    let hidden = 0;
    const note = (m: string): void => {
      if (messages.length < MAX_PROBLEMS_PER_FILE) messages.push(m);
      else hidden++;
    };
    let count = 0;
    for (const stanza of parseInstalledDb(db.content.toString('utf8'))) {
      if (++count > MAX_STANZAS) {
        note(`more than ${MAX_STANZAS} stanzas; the rest of the file was ignored`);
        break;
      }
      for (const w of stanza.warnings) note(w);
      const made = toPackage(stanza, location, view.os);
      if (typeof made === 'string') {
        note(made);
        continue;
      }
      const seen = byId.get(made.id);
      // Both database paths can hold the same package (one is often a symlinked copy).
      byId.set(made.id, seen ? { ...seen, locations: [...seen.locations, location] } : made);
    }
    for (const m of messages) problems.push(problem('CATALOG_PARSE', `${db.path}: ${m}`, where));
    if (hidden > 0) problems.push(problem('CATALOG_PARSE', `${db.path}: ${hidden} more problems not shown`, where));
  }
  return { packages: [...byId.values()], relationships: [], problems };
}

/** A package, or the reason the stanza cannot be one. */
function toPackage(s: ApkStanza, location: Location, os: OsInfo | undefined): Package | string {
  if (s.error) return s.error;
  const f = s.fields;
  const name = f.get('P');
  if (name === undefined) return `stanza at line ${s.line} has no P: (name)`;
  if (!NAME.test(name)) return `line ${s.line}: invalid package name`;
  const version = f.get('V');
  if (version === undefined) return `package ${name} (line ${s.line}) has no V: (version); dropped`;
  if (!APK_VERSION.test(version)) return `package ${name} has an invalid version`;
  const archField = f.get('A');
  const arch = archField !== undefined && ARCH.test(archField) ? archField : undefined;
  const originField = f.get('o');
  const origin = originField !== undefined && NAME.test(originField) ? originField : name;

  return {
    id: packageId('apk', name, version, arch),
    type: 'apk',
    name,
    version,
    ...(arch ? { arch } : {}),
    source: { name: origin, version },
    licenses: splitLicense(f.get('L')),
    purl: apkPurl(name, version, arch, origin, os),
    foundBy: FOUND_BY,
    locations: [location],
    files: [...s.files],
    metadata: metadata(s, origin),
  };
}

/**
 * `L:` is an SPDX expression on current Alpine (`( Apache-2.0 OR MIT ) AND MPL-2.0`) and a
 * space-separated list on old releases (`MIT BSD GPL2+`). Expressions stay whole.
 */
export function splitLicense(value: string | undefined): string[] {
  const text = value?.trim();
  if (!text) return [];
  if (/[()]|\s(AND|OR|WITH)\s/.test(text)) return [text];
  return text.split(/\s+/);
}

/** https://github.com/package-url/purl-spec/blob/main/PURL-TYPES.rst#apk */
function apkPurl(name: string, version: string, arch: string | undefined, origin: string, os: OsInfo | undefined): string {
  const qualifiers: Record<string, string> = {};
  if (arch) qualifiers.arch = arch;
  const distro = distroQualifier(os);
  if (distro) qualifiers.distro = distro;
  if (origin !== name) qualifiers.upstream = origin;
  return new PackageURL('apk', osPurlNamespace(os, 'alpine'), name, version, qualifiers, undefined).toString();
}

function metadata(s: ApkStanza, origin: string): Record<string, unknown> {
  const out: Record<string, unknown> = { origin, dependencies: [...s.depends], provides: [...s.provides] };
  const text: readonly (readonly [string, string])[] = [
    ['maintainer', 'm'],
    ['url', 'U'],
    ['description', 'T'],
    ['commit', 'c'],
    ['checksum', 'C'],
  ];
  for (const [key, field] of text) {
    const value = s.fields.get(field);
    if (value !== undefined && value !== '') out[key] = value;
  }
  const numbers: readonly (readonly [string, string])[] = [
    ['size', 'S'],
    ['installedSize', 'I'],
    ['buildTime', 't'],
  ];
  for (const [key, field] of numbers) {
    const value = s.fields.get(field);
    if (value !== undefined && /^\d{1,15}$/.test(value)) out[key] = Number(value);
  }
  return out;
}

export const apkCataloger: Cataloger = {
  id: ID,
  version: VERSION,
  wants: (path) => DB_PATHS.has(path),
  maxFileSize: MAX_FILE_SIZE,
  catalog,
};
