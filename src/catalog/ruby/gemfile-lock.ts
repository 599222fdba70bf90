import type { Package, Relationship } from '../../core/package.js';
import type { Problem } from '../../core/problem.js';
import type { CapturedFile } from '../types.js';
import { looksBinary, makeGem, parseProblem, validGem } from './common.js';

/**
 * Gemfile.lock as Bundler writes it: sections GEM / GIT / PATH each with `remote:` and
 * `specs:`; under specs, 4-space `name (version[-platform])` lines are gems and the
 * 6-space lines below one are its dependencies. PLATFORMS, DEPENDENCIES, BUNDLED WITH
 * and others are skipped.
 * https://bundler.io/guides/bundler_2_upgrade.html (format), bundler/lockfile_parser.rb
 */

const SOURCE_SECTIONS = new Set(['GEM', 'GIT', 'PATH']);
/** Bundler's version capture stops at the first `-`: what follows is the platform. */
const SPEC_RE = /^ {4}([^ (]+) \(([^-)]+)(?:-([^)]+))?\)!?$/;
const DEP_RE = /^ {6}([^ (]+)(?: \(.*\))?!?$/;
const MAX_LINES = 500_000;
const MAX_BAD_LINES_SHOWN = 5;

export interface LockResult {
  readonly packages: Package[];
  readonly relationships: Relationship[];
}

export function catalogGemfileLock(file: CapturedFile, problems: Problem[]): LockResult {
  if (looksBinary(file.content)) {
    problems.push(parseProblem(file, 'binary content where a Gemfile.lock was expected'));
    return { packages: [], relationships: [] };
  }
  const byId = new Map<string, Package>();
  const byName = new Map<string, Package[]>();
  const edges: [Package, string][] = [];
  let section = '';
  let remote: string | undefined;
  let inSpecs = false;
  let current: Package | undefined;
  let sawSection = false;
  const bad: string[] = [];
  const lines = file.content.toString('utf8').split('\n');
  if (lines.length > MAX_LINES) problems.push(parseProblem(file, `more than ${MAX_LINES} lines; the rest were ignored`));
  for (const raw of lines.slice(0, MAX_LINES)) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') continue;
    if (!line.startsWith(' ')) {
      section = line.trim();
      sawSection ||= SOURCE_SECTIONS.has(section);
      remote = undefined;
      inSpecs = false;
      current = undefined;
      continue;
    }
    if (!SOURCE_SECTIONS.has(section)) continue;
    if (line.startsWith('  remote: ')) remote = line.slice('  remote: '.length).trim();
    if (line === '  specs:') inSpecs = true;
    if (!inSpecs || (line.startsWith('  ') && !line.startsWith('    '))) continue;
    const spec = SPEC_RE.exec(line);
    if (spec?.[1] && spec[2]) {
      current = specPackage(file, section, remote, spec[1], spec[2], spec[3], byId, byName);
      if (!current) bad.push(line.trim());
      continue;
    }
    const dep = DEP_RE.exec(line);
    if (dep?.[1] && current) edges.push([current, dep[1]]);
    else bad.push(line.trim());
  }
  if (!sawSection) problems.push(parseProblem(file, 'no GEM, GIT or PATH section: not a Gemfile.lock'));
  if (bad.length > 0) {
    const shown = bad.slice(0, MAX_BAD_LINES_SHOWN).map((l) => JSON.stringify(l.slice(0, 80)));
    problems.push(parseProblem(file, `${bad.length} unreadable spec lines, e.g. ${shown.join(', ')}`));
  }
  const relationships: Relationship[] = [];
  const seen = new Set<string>();
  for (const [from, name] of edges) {
    for (const to of byName.get(name) ?? []) {
      const key = `${from.id} ${to.id}`;
      if (seen.has(key) || from.id === to.id) continue;
      seen.add(key);
      relationships.push({ from: from.id, to: to.id, type: 'depends-on' });
    }
  }
  return { packages: [...byId.values()], relationships };
}

/** One package per name@version: platform variants (`-x86_64-linux`) are listed in metadata. */
function specPackage(
  file: CapturedFile,
  section: string,
  remote: string | undefined,
  name: string,
  version: string,
  platform: string | undefined,
  byId: Map<string, Package>,
  byName: Map<string, Package[]>,
): Package | undefined {
  if (!validGem(name, version)) return undefined;
  const pkg = makeGem({
    name,
    version,
    file,
    source: 'lockfile',
    idPath: file.path,
    metadata: { lockfile: 'Gemfile.lock', section, ...(remote ? { remote } : {}), ...(platform ? { platform, platforms: [platform] } : {}) },
  });
  const seen = byId.get(pkg.id);
  if (!seen) {
    byId.set(pkg.id, pkg);
    byName.set(name, [...(byName.get(name) ?? []), pkg]);
    return pkg;
  }
  if (platform) {
    const platforms = [...((seen.metadata?.platforms as string[] | undefined) ?? []), platform];
    const merged = { ...seen, metadata: { ...seen.metadata, platform: platforms[0], platforms } };
    byId.set(seen.id, merged);
    byName.set(name, (byName.get(name) ?? []).map((p) => (p.id === seen.id ? merged : p)));
    return merged;
  }
  return seen;
}
