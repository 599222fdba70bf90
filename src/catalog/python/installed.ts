import type { Package } from '../../core/package.js';
import type { Problem } from '../../core/problem.js';
import type { CapturedFile, CatalogView } from '../types.js';
import { baseName, dirName, looksBinary, makePackage, parseProblem, resolveInside, validName, validVersion } from './common.js';
import { header, licensesOf, parseCoreMetadata } from './metadata.js';

/**
 * Installed distributions: `*.dist-info/METADATA` (wheels), `*.egg-info/PKG-INFO` or a bare
 * `*.egg-info` file (setuptools, Debian), `EGG-INFO/PKG-INFO` (unzipped eggs).
 * https://packaging.python.org/en/latest/specifications/recording-installed-packages/
 */

/** A wheel of a huge framework lists ~30k files; beyond this the list is hostile. */
const MAX_OWNED_FILES = 200_000;
/** RECORD and installed-files.txt of real packages stay far below this. */
export const MAX_LIST_BYTES = 16 * 1024 * 1024;

export type MetadataKind = 'dist-info' | 'egg-info' | 'egg-info-file' | 'egg-dir';

/** Which kind of metadata file a path is, judged by its name and its directory's name. */
export function metadataKind(path: string): MetadataKind | undefined {
  const base = baseName(path);
  // Called for every file of every layer: decide on the basename before looking further.
  if (base === 'METADATA') return parentName(path).endsWith('.dist-info') ? 'dist-info' : undefined;
  if (base === 'PKG-INFO') {
    const parent = parentName(path);
    if (parent.endsWith('.egg-info')) return 'egg-info';
    return parent === 'egg-info' ? 'egg-dir' : undefined;
  }
  if (base.length > '.egg-info'.length && base.toLowerCase().endsWith('.egg-info')) return 'egg-info-file';
  return undefined;
}

function parentName(path: string): string {
  return baseName(dirName(path)).toLowerCase();
}

export function catalogInstalled(view: CatalogView, file: CapturedFile, kind: MetadataKind, problems: Problem[]): Package | undefined {
  if (looksBinary(file.content)) {
    problems.push(parseProblem(file, 'binary content where core metadata was expected'));
    return undefined;
  }
  const meta = parseCoreMetadata(file.content.toString('utf8'));
  const name = header(meta, 'Name');
  const version = header(meta, 'Version');
  if (!name || !version) {
    problems.push(parseProblem(file, `missing ${name ? 'Version' : 'Name'} header`));
    return undefined;
  }
  if (!validName(name) || !validVersion(version)) {
    problems.push(parseProblem(file, `invalid Name or Version: ${JSON.stringify(`${name} ${version}`.slice(0, 80))}`));
    return undefined;
  }
  const files = ownedFiles(view, file.path, kind, problems);
  const metadataVersion = header(meta, 'Metadata-Version');
  return makePackage({
    name,
    version,
    file,
    source: 'installed',
    licenses: licensesOf(meta),
    ...(files ? { files } : {}),
    metadata: { layout: kind, ...(metadataVersion ? { metadataVersion } : {}) },
  });
}

/** Owned files: RECORD for dist-info (relative to the site dir), installed-files.txt for egg-info. */
function ownedFiles(view: CatalogView, metadataPath: string, kind: MetadataKind, problems: Problem[]): string[] | undefined {
  const dir = dirName(metadataPath);
  if (kind === 'dist-info') {
    const record = view.read(`${dir}/RECORD`);
    return record ? readList(record, dirName(dir), recordPaths, problems) : undefined;
  }
  if (kind === 'egg-info') {
    const list = view.read(`${dir}/installed-files.txt`);
    return list ? readList(list, dir, linePaths, problems) : undefined;
  }
  return undefined;
}

function readList(file: CapturedFile, base: string, paths: (text: string) => Iterable<string>, problems: Problem[]): string[] | undefined {
  if (file.content.length > MAX_LIST_BYTES) {
    problems.push(parseProblem(file, `${file.content.length} bytes is more than ${MAX_LIST_BYTES}`, 'FILE_TOO_LARGE'));
    return undefined;
  }
  if (looksBinary(file.content)) {
    problems.push(parseProblem(file, 'binary content where a file list was expected'));
    return undefined;
  }
  const out = new Set<string>();
  let escaped = 0;
  for (const rel of paths(file.content.toString('utf8'))) {
    const abs = resolveInside(base, rel);
    if (abs === undefined) escaped++;
    else out.add(abs);
    if (out.size >= MAX_OWNED_FILES) {
      problems.push(parseProblem(file, `more than ${MAX_OWNED_FILES} files; the rest were ignored`));
      break;
    }
  }
  if (escaped > 0) problems.push(parseProblem(file, `${escaped} paths climb above the image root and were ignored`));
  return [...out].sort();
}

/** First CSV column of each RECORD row (RFC 4180 quoting: `"a,b.py",sha256=…,12`). */
function* recordPaths(text: string): Generator<string> {
  for (const line of text.split('\n')) {
    const row = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (row === '') continue;
    if (!row.startsWith('"')) {
      const comma = row.indexOf(',');
      yield comma < 0 ? row : row.slice(0, comma);
      continue;
    }
    let value = '';
    let i = 1;
    while (i < row.length) {
      const c = row[i];
      if (c === '"' && row[i + 1] === '"') {
        value += '"';
        i += 2;
      } else if (c === '"') break;
      else {
        value += c;
        i++;
      }
    }
    yield value;
  }
}

function* linePaths(text: string): Generator<string> {
  for (const line of text.split('\n')) {
    const p = line.trim();
    if (p !== '') yield p;
  }
}
