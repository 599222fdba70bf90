import type { Package, Relationship } from '../../core/package.js';
import type { Problem } from '../../core/problem.js';
import type { CapturedFile, Cataloger, CatalogResult, CatalogView } from '../types.js';
import { ID, looksBinary, makeGem, parseProblem, VERSION, validGem } from './common.js';
import { catalogGemfileLock } from './gemfile-lock.js';
import { parseGemspec } from './gemspec.js';

/**
 * Ruby gems: installed specifications (`…/specifications/*.gemspec`, default gems in
 * `specifications/default/`) and Gemfile.lock (SCANNER-NOTES.md §3.6).
 */
const MAX_FILE_SIZE = 10 * 1024 * 1024;
const LOCKFILES = new Set(['Gemfile.lock', 'gems.locked']);

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function isGemspec(path: string): boolean {
  if (!path.endsWith('.gemspec')) return false;
  const dir = path.slice(0, path.lastIndexOf('/'));
  return dir.endsWith('/specifications') || dir.endsWith('/specifications/default');
}

function wants(path: string): boolean {
  return isGemspec(path) || LOCKFILES.has(baseName(path));
}

function catalog(view: CatalogView): CatalogResult {
  const problems: Problem[] = [];
  const installed = new Map<string, Package>();
  const locked: Package[] = [];
  const relationships: Relationship[] = [];
  for (const file of view.files()) {
    if (file.content.length > MAX_FILE_SIZE) {
      problems.push(parseProblem(file, `${file.content.length} bytes is more than ${MAX_FILE_SIZE}`, 'FILE_TOO_LARGE'));
      continue;
    }
    if (LOCKFILES.has(baseName(file.path))) {
      const r = catalogGemfileLock(file, problems);
      locked.push(...r.packages);
      relationships.push(...r.relationships);
      continue;
    }
    const pkg = installedGem(file, problems);
    if (!pkg) continue;
    const seen = installed.get(pkg.id);
    // The same gem in several gem dirs (Debian's rubygems-integration and Ruby's own): one package.
    installed.set(pkg.id, seen ? { ...seen, locations: [...seen.locations, ...pkg.locations] } : pkg);
  }
  return { packages: [...installed.values(), ...locked], relationships, problems };
}

function installedGem(file: CapturedFile, problems: Problem[]): Package | undefined {
  // No NUL test up front: RubyGems itself writes NUL-separated extension lists in `# stub:` lines.
  const spec = parseGemspec(file.content.toString('utf8'));
  if (spec.kind === 'invalid') {
    problems.push(parseProblem(file, looksBinary(file.content) ? `binary content: ${spec.reason}` : spec.reason));
    return undefined;
  }
  if (!validGem(spec.name, spec.version)) {
    problems.push(parseProblem(file, `invalid gem name or version ${JSON.stringify(`${spec.name} ${spec.version}`.slice(0, 80))}`));
    return undefined;
  }
  return makeGem({
    name: spec.name,
    version: spec.version,
    file,
    source: 'installed',
    licenses: spec.licenses,
    metadata: {
      ...(file.path.includes('/specifications/default/') ? { defaultGem: true } : {}),
      ...(spec.platform ? { platform: spec.platform } : {}),
    },
  });
}

export const rubyCataloger: Cataloger = {
  id: ID,
  version: VERSION,
  wants,
  maxFileSize: MAX_FILE_SIZE,
  catalog,
};
