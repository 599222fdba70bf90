import { PackageURL } from 'packageurl-js';
import { type Location, type Package, packageId } from '../../core/package.js';
import type { Problem } from '../../core/problem.js';
import { summarizedFiles } from '../captured-file.js';
import type { Cataloger, CatalogResult, CatalogView, EntryInfo, FileSummary } from '../types.js';
import { CLASSIFIERS, classifierFor } from './classifiers.js';
import { MAX_SCAN_BYTES } from './scan.js';

/**
 * Runtimes installed outside any package manager (node, python, openssl, busybox, java),
 * identified by version strings inside their files and reported at low confidence.
 * Files an OS package owns are dropped after cataloging, in src/inventory/ownership.ts: this
 * cataloger sees only its own files, the owners are known once dpkg/apk/rpm have run.
 */
const ID = 'binary';
const VERSION = '1';
const FOUND_BY = `${ID}@${VERSION}`;

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function wants(path: string, info?: EntryInfo): boolean {
  return classifierFor(baseName(path), info) !== undefined;
}

/** One evidence record: which classifier matched what, in which file. */
interface Evidence {
  readonly classifier: string;
  readonly file: string;
  readonly match: string;
}

/**
 * Runs while the layer is read: only the matched string survives, never the file's bytes.
 * Mode and size are not passed here, so the classifier is chosen by name alone (`wants`
 * already checked the mode).
 */
function summarize(file: { readonly path: string; readonly content: Buffer }): FileSummary {
  const name = baseName(file.path);
  const c = CLASSIFIERS.find((x) => x.file.test(name));
  if (!c) return null;
  try {
    const r = c.read(file.content, name);
    if (r.kind === 'none') return null;
    if (r.kind === 'error') return { error: r.message };
    return { classifier: c.id, name: c.name, version: r.version, match: r.evidence, ...(r.extra ? { extra: r.extra } : {}) };
  } catch (err) {
    // A bug, not bad input: still never throw while a layer is read.
    return { error: `unexpected: ${String(err)}` };
  }
}

function purl(name: string, version: string): string {
  return new PackageURL('generic', undefined, name, version, undefined, undefined).toString();
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function catalog(view: CatalogView): CatalogResult {
  const problems: Problem[] = [];
  const found = new Map<string, { name: string; version: string; locations: Location[]; evidence: Evidence[]; extra: Record<string, unknown> }>();
  for (const { file, location, summary } of summarizedFiles(view, ID, problems)) {
    const name = str(summary.name);
    const version = str(summary.version);
    const classifier = str(summary.classifier);
    if (!name || !version || !classifier) continue;
    // Python, node, java and openssl each appear in several files (binary, library,
    // release file): one package per name and version, as Syft merges them.
    const id = packageId('binary', name, version);
    const entry = found.get(id) ?? { name, version, locations: [], evidence: [], extra: {} };
    entry.locations.push(location);
    entry.evidence.push({ classifier, file: file.path, match: str(summary.match) ?? '' });
    if (summary.extra && typeof summary.extra === 'object') Object.assign(entry.extra, summary.extra);
    found.set(id, entry);
  }
  const packages: Package[] = [...found].map(([id, e]) => ({
    id,
    type: 'binary',
    name: e.name,
    version: e.version,
    licenses: [],
    purl: purl(e.name, e.version),
    foundBy: FOUND_BY,
    locations: e.locations,
    metadata: { confidence: 'low', evidence: e.evidence, ...e.extra },
  }));
  return { packages, relationships: [], problems };
}

export const binaryCataloger: Cataloger = {
  id: ID,
  version: VERSION,
  wants,
  summarize,
  maxFileSize: MAX_SCAN_BYTES,
  catalog,
};
