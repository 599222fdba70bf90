import { PackageURL } from 'packageurl-js';
import { type Package, packageId } from '../../core/package.js';
import { problem, type Problem } from '../../core/problem.js';
import type { CapturedFile } from '../types.js';
import { fileLocation } from '../captured-file.js';

export const ID = 'python';
export const VERSION = '1';
export const FOUND_BY = `${ID}@${VERSION}`;

/** PEP 503 normalization: runs of `-`, `_`, `.` become one `-`, lower case. */
export function normalizeName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/** Valid distribution names per the core metadata spec (PEP 508 `identifier`). */
const NAME_RE = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;
/** Versions are free text in the wild; refuse only what cannot be a version token. */
const VERSION_RE = /^[A-Za-z0-9!+._*-]{1,128}$/;

export function validName(name: string): boolean {
  return name.length <= 256 && NAME_RE.test(name);
}

export function validVersion(version: string): boolean {
  return VERSION_RE.test(version);
}

export interface PyPackageInput {
  readonly name: string;
  readonly version: string;
  readonly file: CapturedFile;
  readonly source: 'installed' | 'lockfile';
  readonly licenses?: readonly string[];
  readonly files?: readonly string[];
  /** Lockfile packages are kept apart per lockfile: each file is its own graph. */
  readonly idPath?: string;
  readonly metadata?: Record<string, unknown>;
}

export function makePackage(input: PyPackageInput): Package {
  const name = normalizeName(input.name);
  const { file } = input;
  return {
    id: packageId('pypi', name, input.version, undefined, input.idPath),
    type: 'pypi',
    name,
    version: input.version,
    licenses: input.licenses ?? [],
    purl: new PackageURL('pypi', undefined, name, input.version, undefined, undefined).toString(),
    foundBy: FOUND_BY,
    locations: [fileLocation(file)],
    ...(input.files ? { files: input.files } : {}),
    metadata: { source: input.source, originalName: input.name, ...input.metadata },
  };
}

export function parseProblem(file: CapturedFile, message: string, code: Problem['code'] = 'CATALOG_PARSE'): Problem {
  return problem(code, `${file.path}: ${message}`, {
    path: file.path,
    source: ID,
    ...(file.layerDiffId ? { layer: file.layerDiffId } : {}),
  });
}

/** Path separator-aware basename and dirname for absolute image paths. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function dirName(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/**
 * Joins a relative path from a manifest onto an absolute directory, resolving `.` and `..`.
 * Returns undefined when the result would climb above the image root: such entries are
 * hostile or broken and are dropped rather than clamped to `/`.
 */
export function resolveInside(dir: string, rel: string): string | undefined {
  const parts: string[] = [];
  const start = rel.startsWith('/') ? rel : `${dir}/${rel}`;
  for (const seg of start.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
      continue;
    }
    parts.push(seg);
  }
  return parts.length === 0 ? undefined : `/${parts.join('/')}`;
}

/** Bytes that never occur in a text manifest: a NUL means binary garbage. */
export function looksBinary(content: Buffer): boolean {
  return content.subarray(0, 8192).includes(0);
}
