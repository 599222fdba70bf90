import type { Package } from '../../core/package.js';
import { problem, type Problem } from '../../core/problem.js';
import type { CapturedFile, Cataloger, CatalogResult, CatalogView } from '../types.js';
import { parseDeb822 } from './deb822.js';
import { INFO_DIR, listCandidates, ownedFiles, STATUS_D_DIR } from './files.js';
import { DPKG_FIELDS, stanzaToPackage } from './package.js';
import { fileContext, fileLocation } from '../captured-file.js';

/**
 * Debian / Ubuntu / distroless packages from dpkg's database (SCANNER-NOTES.md §3.1):
 * `/var/lib/dpkg/status`, or one stanza per file in `status.d/` on distroless images,
 * with file ownership from `info/*.list` or `*.md5sums`.
 */
const ID = 'dpkg';
const VERSION = '1';
const FOUND_BY = `${ID}@${VERSION}`;

const STATUS = '/var/lib/dpkg/status';
/** Beyond this many problems in one file, one summary problem stands for the rest. */
const MAX_PROBLEMS_PER_FILE = 20;
/** Real databases hold a few thousand stanzas; beyond this the file is hostile. */
const MAX_STANZAS = 200_000;
/** A large Debian system's status is ~10 MB; 64 MiB leaves room without inviting abuse. */
const MAX_FILE_SIZE = 64 * 1024 * 1024;

/** True for a direct child of `dir` whose name is non-empty. */
function isChild(path: string, dir: string): boolean {
  return path.length > dir.length && path.startsWith(dir) && !path.includes('/', dir.length);
}

function wants(path: string): boolean {
  if (path === STATUS) return true;
  if (isChild(path, STATUS_D_DIR)) return true;
  return isChild(path, INFO_DIR) && (path.endsWith('.list') || path.endsWith('.md5sums'));
}

/** The control databases in the view: the status file and status.d stanza files. */
function databases(view: CatalogView): CapturedFile[] {
  return view
    .files()
    .filter((f) => f.path === STATUS || (isChild(f.path, STATUS_D_DIR) && !f.path.endsWith('.md5sums')));
}

function catalog(view: CatalogView): CatalogResult {
  const problems: Problem[] = [];
  const byId = new Map<string, Package>();
  for (const db of databases(view)) {
    const messages = new Messages();
    if (db.content.length > MAX_FILE_SIZE) {
      problems.push(problem('FILE_TOO_LARGE', `${db.path} is ${db.content.length} bytes`, where(db)));
      continue;
    }
    const statusD = db.path !== STATUS;
    const location = fileLocation(db);
    let count = 0;
    for (const stanza of parseDeb822(db.content.toString('utf8'), DPKG_FIELDS)) {
      if (++count > MAX_STANZAS) {
        messages.add(`more than ${MAX_STANZAS} stanzas; the rest of the file was ignored`);
        break;
      }
      for (const w of stanza.warnings) messages.add(w);
      const outcome = stanzaToPackage(stanza, { location, os: view.os, foundBy: FOUND_BY, statusOptional: statusD });
      if (outcome.kind === 'invalid') messages.add(outcome.reason);
      if (outcome.kind !== 'package') continue;
      const seen = byId.get(outcome.pkg.id);
      if (seen) {
        // The same package in status and status.d (or twice): one package, both locations.
        byId.set(seen.id, { ...seen, locations: [...seen.locations, location] });
        continue;
      }
      const pkg = outcome.pkg;
      const owned = ownedFiles(view, listCandidates(pkg.name, pkg.arch, statusD ? db.path : undefined));
      if (owned && owned.badLines > 0) {
        problems.push(problem('CATALOG_PARSE', `${owned.badLines} malformed lines in ${owned.from}`, { path: owned.from, source: ID }));
      }
      byId.set(pkg.id, owned ? { ...pkg, files: owned.files } : pkg);
    }
    problems.push(...messages.toProblems(db));
  }
  return { packages: [...byId.values()], relationships: [], problems };
}

function where(db: CapturedFile) {
  return fileContext(db, ID);
}

/** The first problems of one file, and a count of the rest (garbage yields millions). */
class Messages {
  private readonly shown: string[] = [];
  private hidden = 0;

  add(message: string): void {
    if (this.shown.length < MAX_PROBLEMS_PER_FILE) this.shown.push(message);
    else this.hidden++;
  }

  toProblems(db: CapturedFile): Problem[] {
    const out = this.shown.map((m) => problem('CATALOG_PARSE', `${db.path}: ${m}`, where(db)));
    if (this.hidden > 0) out.push(problem('CATALOG_PARSE', `${db.path}: ${this.hidden} more problems not shown`, where(db)));
    return out;
  }
}

export const dpkgCataloger: Cataloger = {
  id: ID,
  version: VERSION,
  wants,
  maxFileSize: MAX_FILE_SIZE,
  catalog,
};
