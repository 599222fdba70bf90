import { posix } from 'node:path';
import { PackageURL } from 'packageurl-js';
import { type Package, packageId, type Relationship } from '../../core/package.js';
import { type Problem, problem } from '../../core/problem.js';
import type { CapturedFile, Cataloger, CatalogResult, CatalogView } from '../types.js';
import { type ComposerEntry, parseComposerJson } from './parse.js';
import { fileContext, fileLocation } from '../captured-file.js';

/**
 * PHP packages from `vendor/composer/installed.json` (metadata.source 'installed') and
 * `composer.lock` (metadata.source 'lockfile'). Versions are kept as written (`v1.28.0`);
 * Composer's normalized form goes to metadata.versionNormalized.
 */
const ID = 'composer';
const VERSION = '1';
const FOUND_BY = `${ID}@${VERSION}`;
const INSTALLED = '/vendor/composer/installed.json';
/** Large projects' lockfiles are ~1 MB. */
const MAX_FILE_SIZE = 32 * 1024 * 1024;

function isLock(path: string): boolean {
  // A composer.lock shipped inside an installed package describes its development, not the image.
  return path.endsWith('/composer.lock') && !path.includes('/vendor/');
}

function wants(path: string): boolean {
  return path.endsWith(INSTALLED) || isLock(path);
}

function where(file: CapturedFile) {
  return fileContext(file, ID);
}

/** https://github.com/package-url/purl-spec/blob/main/PURL-TYPES.rst#composer */
function composerPurl(name: string, version: string): string {
  const slash = name.indexOf('/');
  const ns = slash > 0 ? name.slice(0, slash) : undefined;
  return new PackageURL('composer', ns, slash > 0 ? name.slice(slash + 1) : name, version, undefined, undefined).toString();
}

function catalog(view: CatalogView): CatalogResult {
  const byId = new Map<string, Package>();
  const relationships: Relationship[] = [];
  const problems: Problem[] = [];
  for (const file of view.files()) {
    if (file.content.length > MAX_FILE_SIZE) {
      problems.push(problem('FILE_TOO_LARGE', `${file.path} is ${file.content.length} bytes (limit ${MAX_FILE_SIZE})`, where(file)));
      continue;
    }
    const lock = isLock(file.path);
    let parsed: ReturnType<typeof parseComposerJson>;
    try {
      parsed = parseComposerJson(file.content.toString('utf8'), lock ? 'lock' : 'installed');
    } catch (err) {
      // The parser does not throw on bad input; this guards the scan against a bug.
      problems.push(problem('CATALOG_PARSE', `${file.path}: parser failed: ${(err as Error).message?.slice(0, 200)}`, where(file)));
      continue;
    }
    for (const m of parsed.messages) problems.push(problem('CATALOG_PARSE', `${file.path}: ${m}`, where(file)));
    const location = fileLocation(file);
    const ids = new Map<string, string>();
    for (const e of parsed.entries) {
      // Installed copies merge across vendor dirs; lockfile packages are per lockfile.
      const id = packageId('composer', e.name, e.version, undefined, lock ? file.path : undefined);
      const seen = byId.get(id);
      if (seen) {
        // dev only while every sighting is dev.
        const { dev: _dev, ...rest } = seen.metadata ?? {};
        const metadata = seen.metadata?.dev === true && e.dev ? { ...rest, dev: true } : rest;
        const locations = seen.locations.some((l) => l.path === file.path) ? seen.locations : [...seen.locations, location];
        byId.set(id, { ...seen, locations, metadata });
      } else {
        const pkg = toPackage(e, id, location, parsed.format, file.path);
        if (!pkg) {
          problems.push(problem('CATALOG_PARSE', `${file.path}: cannot make a purl for ${e.name.slice(0, 100)}`, where(file)));
          continue;
        }
        byId.set(id, pkg);
      }
      ids.set(e.name.toLowerCase(), id);
    }
    // `require` names (platform ones like php and ext-* match nothing) become depends-on.
    for (const e of parsed.entries) {
      const from = ids.get(e.name.toLowerCase());
      for (const r of e.requires) {
        const to = ids.get(r.toLowerCase());
        if (from && to && from !== to) relationships.push({ from, to, type: 'depends-on' });
      }
    }
  }
  return {
    packages: [...byId.values()],
    relationships: dedupe(relationships),
    problems,
  };
}

function toPackage(
  e: ComposerEntry,
  id: string,
  location: Package['locations'][number],
  format: string,
  path: string,
): Package | undefined {
  let purl: string;
  try {
    purl = composerPurl(e.name, e.version);
  } catch {
    return undefined;
  }
  const metadata: Record<string, unknown> = {
    source: format === 'composer-lock' ? 'lockfile' : 'installed',
    format,
  };
  if (e.dev) metadata.dev = true;
  if (e.versionNormalized) metadata.versionNormalized = e.versionNormalized;
  if (e.reference) metadata.reference = e.reference;
  if (e.type) metadata.packageType = e.type;
  // install-path is relative to vendor/composer/, where installed.json sits.
  if (e.installPath) metadata.installPath = posix.join(posix.dirname(path), e.installPath);
  return {
    id,
    type: 'composer',
    name: e.name,
    version: e.version,
    licenses: e.licenses,
    purl,
    foundBy: FOUND_BY,
    locations: [location],
    metadata,
  };
}

function dedupe(rels: Relationship[]): Relationship[] {
  const seen = new Set<string>();
  return rels.filter((r) => {
    const k = `${r.from}\n${r.to}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export const composerCataloger: Cataloger = {
  id: ID,
  version: VERSION,
  wants,
  maxFileSize: MAX_FILE_SIZE,
  catalog,
};
