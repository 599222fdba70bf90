import type { Location, Package } from '../../core/package.js';
import { type Problem, problem } from '../../core/problem.js';
import type { CapturedFile, CatalogResult, CatalogView, Cataloger } from '../types.js';
import { readBdb } from './bdb.js';
import { type DbRead, messageOf } from './db-read.js';
import { parseHeader } from './header.js';
import { readNdb } from './ndb.js';
import { RPM_CATALOGER_ID, RPM_CATALOGER_VERSION, toPackage } from './package.js';
import { readSqlite } from './sqlite.js';
import { fileLocation } from '../captured-file.js';

/** Directories rpm keeps its database in (rpm's %_dbpath across distros and eras). */
const DB_DIRS = ['/var/lib/rpm', '/usr/share/rpm', '/usr/lib/sysimage/rpm'] as const;

/** Database files in the order rpm itself prefers backends: sqlite, then ndb, then bdb. */
const FORMATS = [
  { file: 'rpmdb.sqlite', format: 'sqlite', read: readSqlite },
  { file: 'Packages.db', format: 'ndb', read: readNdb },
  { file: 'Packages', format: 'bdb', read: readBdb },
] as const satisfies readonly { file: string; format: string; read: (content: Buffer) => DbRead }[];

const WANTED = new Set(DB_DIRS.flatMap((dir) => FORMATS.map((f) => `${dir}/${f.file}`)));

/**
 * `gpg-pubkey` entries are how rpm stores imported signing keys: pseudo-packages with no
 * arch and no files that nothing installs. They are not software, have no advisories and
 * would only add noise to SBOMs and matching, so they are skipped.
 */
const PSEUDO_PACKAGES = new Set(['gpg-pubkey']);

export const rpmCataloger: Cataloger = {
  id: RPM_CATALOGER_ID,
  version: RPM_CATALOGER_VERSION,
  wants: (path) => WANTED.has(path),
  maxFileSize: 512 * 1024 * 1024,
  catalog(view: CatalogView): CatalogResult {
    const byId = new Map<string, Package>();
    const problems: Problem[] = [];
    for (const dir of DB_DIRS) {
      const chosen = chooseDatabase(view, dir);
      if (!chosen) continue;
      for (const pkg of catalogDatabase(chosen.file, chosen.format, chosen.read, view, problems)) {
        const seen = byId.get(pkg.id);
        // The same database is often visible twice (/var/lib/rpm links to /usr/lib/sysimage/rpm).
        byId.set(pkg.id, seen ? { ...seen, locations: [...seen.locations, ...pkg.locations] } : pkg);
      }
    }
    return { packages: [...byId.values()], relationships: [], problems };
  },
};

function chooseDatabase(view: CatalogView, dir: string) {
  for (const f of FORMATS) {
    const file = view.read(`${dir}/${f.file}`);
    if (file) return { file, format: f.format, read: f.read };
  }
  return undefined;
}

function catalogDatabase(
  file: CapturedFile,
  format: string,
  read: (content: Buffer) => DbRead,
  view: CatalogView,
  problems: Problem[],
): Package[] {
  const where = { path: file.path, source: RPM_CATALOGER_ID, ...(file.layerDiffId ? { layer: file.layerDiffId } : {}) };
  const report = (message: string) => problems.push(problem('CATALOG_PARSE', `${file.path}: ${message}`, where));
  const location: Location = fileLocation(file);
  const { blobs, errors, unsupported } = read(file.content);
  if (unsupported) {
    problems.push(problem('CATALOG_UNSUPPORTED', `${file.path}: ${format} database: ${unsupported}`, where));
    return [];
  }
  for (const e of errors) report(`${format} database: ${e}`);
  const packages: Package[] = [];
  blobs.forEach((blob, i) => {
    const parsed = parseHeader(blob);
    if (!parsed.ok) {
      report(`header ${i + 1} of ${blobs.length}: ${parsed.error}`);
      return;
    }
    for (const w of parsed.warnings) report(w);
    if (PSEUDO_PACKAGES.has(parsed.header.name)) return;
    try {
      packages.push(toPackage(parsed.header, location, view.os, format));
    } catch (err) {
      // packageurl-js refuses some names (blank ones, for instance); one such header must not end the scan.
      report(`header ${i + 1} of ${blobs.length} (${JSON.stringify(parsed.header.name)}) cannot become a package: ${messageOf(err)}`);
    }
  });
  return packages;
}
