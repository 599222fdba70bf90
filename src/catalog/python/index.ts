import type { Package, Relationship } from '../../core/package.js';
import type { Problem } from '../../core/problem.js';
import type { Cataloger, CatalogResult, CatalogView } from '../types.js';
import { baseName, ID, parseProblem, VERSION } from './common.js';
import { catalogInstalled, MAX_LIST_BYTES, metadataKind } from './installed.js';
import { catalogPipfile, catalogPoetry, catalogUv, type LockResult } from './lockfiles.js';
import { catalogRequirements } from './requirements.js';

/**
 * Python packages: installed distributions (dist-info / egg-info, SCANNER-NOTES.md §3.5) with
 * their owned files, and the exact pins of poetry.lock, uv.lock, Pipfile.lock and
 * requirements*.txt.
 */
const MAX_FILE_SIZE = MAX_LIST_BYTES;

function isRequirements(base: string): boolean {
  return base.startsWith('requirements') && base.endsWith('.txt');
}

function wants(path: string): boolean {
  const base = baseName(path);
  switch (base) {
    case 'poetry.lock':
    case 'uv.lock':
    case 'Pipfile.lock':
      return true;
    case 'RECORD':
      return path.toLowerCase().endsWith('.dist-info/record');
    case 'installed-files.txt':
      return path.toLowerCase().endsWith('.egg-info/installed-files.txt');
    default:
      return isRequirements(base) || metadataKind(path) !== undefined;
  }
}

function catalog(view: CatalogView): CatalogResult {
  const problems: Problem[] = [];
  const installed = new Map<string, Package>();
  const lockPackages: Package[] = [];
  const relationships: Relationship[] = [];
  const addLock = (r: LockResult | undefined) => {
    if (!r) return;
    lockPackages.push(...r.packages);
    relationships.push(...r.relationships);
  };
  for (const file of view.files()) {
    const base = baseName(file.path);
    // File lists are read (and size-checked) through the metadata file that owns them.
    if (base === 'RECORD' || base === 'installed-files.txt') continue;
    if (file.content.length > MAX_FILE_SIZE) {
      problems.push(parseProblem(file, `${file.content.length} bytes is more than ${MAX_FILE_SIZE}`, 'FILE_TOO_LARGE'));
      continue;
    }
    if (base === 'poetry.lock') addLock(catalogPoetry(file, problems));
    else if (base === 'uv.lock') addLock(catalogUv(file, problems));
    else if (base === 'Pipfile.lock') addLock(catalogPipfile(file, problems));
    else if (isRequirements(base)) lockPackages.push(...catalogRequirements(view, file, problems));
    else {
      const kind = metadataKind(file.path);
      const pkg = kind && catalogInstalled(view, file, kind, problems);
      if (pkg) mergeInstalled(installed, pkg);
    }
  }
  return { packages: [...installed.values(), ...lockPackages], relationships, problems };
}

/** The same name@version in several site dirs (venvs, copies) is one package, several locations. */
function mergeInstalled(byId: Map<string, Package>, pkg: Package): void {
  const seen = byId.get(pkg.id);
  if (!seen) {
    byId.set(pkg.id, pkg);
    return;
  }
  const files = seen.files || pkg.files ? [...new Set([...(seen.files ?? []), ...(pkg.files ?? [])])].sort() : undefined;
  byId.set(pkg.id, {
    ...seen,
    locations: [...seen.locations, ...pkg.locations],
    licenses: seen.licenses.length > 0 ? seen.licenses : pkg.licenses,
    ...(files ? { files } : {}),
  });
}

export const pythonCataloger: Cataloger = {
  id: ID,
  version: VERSION,
  wants,
  maxFileSize: MAX_FILE_SIZE,
  catalog,
};

