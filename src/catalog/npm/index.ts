import { problem } from '../../core/problem.js';
import type { CapturedFile, Cataloger, CatalogResult, CatalogView } from '../types.js';
import { Collector, ID, Notes, type ParsedFile, VERSION, where } from './common.js';
import { catalogInstalled, isInstalledManifest, isProjectManifest } from './installed.js';
import { parsePackageLock } from './package-lock.js';
import { parsePnpmLock } from './pnpm-lock.js';
import { parseYarnLock } from './yarn-lock.js';

/**
 * Node.js packages (SCANNER-NOTES.md §3.4): installed `node_modules/**​/package.json`
 * (metadata.source 'installed') and the lockfiles package-lock.json / npm-shrinkwrap.json,
 * yarn.lock and pnpm-lock.yaml (metadata.source 'lockfile'). Lockfiles shipped inside an
 * installed package (`node_modules/x/yarn.lock`) describe that package's development, not
 * the image, and are skipped.
 */
const LOCKFILES: Record<string, (text: string) => ParsedFile> = {
  'package-lock.json': parsePackageLock,
  'npm-shrinkwrap.json': parsePackageLock,
  'yarn.lock': parseYarnLock,
  'pnpm-lock.yaml': parsePnpmLock,
};
/** A package.json larger than this is not a manifest (npm ≤ 4 inlined READMEs: ~1 MB). */
const MAX_MANIFEST = 4 * 1024 * 1024;
/** Real lockfiles of large monorepos reach ~20 MB. */
const MAX_LOCKFILE = 64 * 1024 * 1024;

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function isLockfile(path: string): boolean {
  return basename(path) in LOCKFILES && !path.includes('/node_modules/');
}

function wants(path: string): boolean {
  if (!path.endsWith('.json') && !path.endsWith('.lock') && !path.endsWith('.yaml')) return false;
  return isLockfile(path) || isInstalledManifest(path) || isProjectManifest(path);
}

function catalog(view: CatalogView): CatalogResult {
  const installed = new Collector('installed');
  const locked = new Collector('lockfile');
  const manifests: CapturedFile[] = [];
  for (const file of view.files()) {
    const lockfile = isLockfile(file.path);
    const limit = lockfile ? MAX_LOCKFILE : MAX_MANIFEST;
    if (file.content.length > limit) {
      locked.problems.push(problem('FILE_TOO_LARGE', `${file.path} is ${file.content.length} bytes (limit ${limit})`, where(file)));
      continue;
    }
    if (!lockfile) {
      manifests.push(file);
      continue;
    }
    const parse = LOCKFILES[basename(file.path)] as (text: string) => ParsedFile;
    try {
      // One id per lockfile: the same name@version in two lockfiles are two packages.
      locked.addFile(file, parse(file.content.toString('utf8')), file.path);
    } catch (err) {
      // Parsers do not throw on bad input; this guards the scan against a bug.
      const notes = new Notes();
      notes.add(`parser failed: ${(err as Error).message?.slice(0, 200)}`);
      locked.report(file, notes);
    }
  }
  catalogInstalled(manifests, installed);
  return {
    packages: [...installed.packages(), ...locked.packages()],
    relationships: [...installed.relationships, ...locked.relationships],
    problems: [...installed.problems, ...locked.problems],
  };
}

export const npmCataloger: Cataloger = {
  id: ID,
  version: VERSION,
  wants,
  maxFileSize: MAX_LOCKFILE,
  catalog,
};
