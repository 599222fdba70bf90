import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';
import type { Package, Relationship } from '../../core/package.js';
import type { Problem } from '../../core/problem.js';
import type { CapturedFile } from '../types.js';
import { looksBinary, makePackage, normalizeName, parseProblem, validName, validVersion } from './common.js';

/**
 * Lockfiles with exact versions: poetry.lock, uv.lock (TOML `[[package]]`) and Pipfile.lock
 * (JSON). Each lockfile is its own graph: package ids carry the lockfile path.
 */

export interface LockResult {
  readonly packages: Package[];
  readonly relationships: Relationship[];
}

/** A real lockfile holds at most a few thousand packages. */
const MAX_PACKAGES = 50_000;

const DepEntry = z.object({ name: z.string(), version: z.string().optional() });
const DepList = z.array(DepEntry);

const PoetryLock = z.object({
  package: z
    .array(
      z.object({
        name: z.string(),
        version: z.string(),
        category: z.string().optional(),
        groups: z.array(z.string()).optional(),
        dependencies: z.record(z.string(), z.unknown()).optional(),
      }),
    )
    .max(MAX_PACKAGES)
    .default([]),
});

const UvLock = z.object({
  package: z
    .array(
      z.object({
        name: z.string(),
        version: z.string().optional(),
        source: z.record(z.string(), z.unknown()).optional(),
        dependencies: DepList.optional(),
        'optional-dependencies': z.record(z.string(), DepList).optional(),
        'dev-dependencies': z.record(z.string(), DepList).optional(),
      }),
    )
    .max(MAX_PACKAGES)
    .default([]),
});

const PipfileSection = z.record(z.string(), z.object({ version: z.string().optional() }).passthrough());
const PipfileLock = z.object({ default: PipfileSection.optional(), develop: PipfileSection.optional() });

type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

function parseText(file: CapturedFile, kind: 'toml' | 'json'): Parsed {
  if (looksBinary(file.content)) return { ok: false, message: 'binary content where a lockfile was expected' };
  try {
    const text = file.content.toString('utf8');
    return { ok: true, value: kind === 'toml' ? parseToml(text) : JSON.parse(text) };
  } catch (err) {
    return { ok: false, message: `not valid ${kind.toUpperCase()}: ${String((err as Error).message).split('\n')[0]}` };
  }
}

function schemaMessage(error: z.ZodError): string {
  const first = error.issues[0];
  return `unexpected structure at ${first?.path.join('.') || '(root)'}: ${first?.message ?? 'invalid'}`;
}

/** A package from a lockfile row, or a problem when the row cannot name one. */
function lockPackage(file: CapturedFile, name: string, version: string, lockfile: string, dev: boolean, problems: Problem[]): Package | undefined {
  if (!validName(name) || !validVersion(version)) {
    problems.push(parseProblem(file, `invalid package ${JSON.stringify(`${name}@${version}`.slice(0, 80))}`));
    return undefined;
  }
  return makePackage({ name, version, file, source: 'lockfile', idPath: file.path, metadata: { lockfile, dev } });
}

export function catalogPoetry(file: CapturedFile, problems: Problem[]): LockResult | undefined {
  const parsed = parseText(file, 'toml');
  if (!parsed.ok) return void problems.push(parseProblem(file, parsed.message));
  const lock = PoetryLock.safeParse(parsed.value);
  if (!lock.success) return void problems.push(parseProblem(file, schemaMessage(lock.error)));
  const packages: Package[] = [];
  const byName = new Map<string, Package>();
  for (const row of lock.data.package) {
    // Lock format 1.x writes `category = "dev"`; 2.1 (poetry 2) writes `groups = [...]`.
    const dev = row.category === 'dev' || (row.groups !== undefined && !row.groups.includes('main'));
    const pkg = lockPackage(file, row.name, row.version, 'poetry', dev, problems);
    if (!pkg) continue;
    packages.push(pkg);
    byName.set(pkg.name, pkg);
  }
  const relationships: Relationship[] = [];
  lock.data.package.forEach((row) => {
    const from = byName.get(normalizeName(row.name));
    for (const dep of Object.keys(row.dependencies ?? {})) {
      const to = byName.get(normalizeName(dep));
      if (from && to) relationships.push({ from: from.id, to: to.id, type: 'depends-on' });
    }
  });
  return { packages, relationships };
}

export function catalogUv(file: CapturedFile, problems: Problem[]): LockResult | undefined {
  const parsed = parseText(file, 'toml');
  if (!parsed.ok) return void problems.push(parseProblem(file, parsed.message));
  const lock = UvLock.safeParse(parsed.value);
  if (!lock.success) return void problems.push(parseProblem(file, schemaMessage(lock.error)));
  const rows = lock.data.package;
  // The project itself (editable or virtual source) is the root, not a dependency.
  const isRoot = (r: (typeof rows)[number]) => r.source !== undefined && ('editable' in r.source || 'virtual' in r.source);
  const key = (name: string, version?: string) => `${normalizeName(name)}@${version ?? ''}`;
  const rowByKey = new Map<string, (typeof rows)[number]>();
  const rowByName = new Map<string, (typeof rows)[number]>();
  for (const r of rows) {
    rowByKey.set(key(r.name, r.version), r);
    rowByName.set(normalizeName(r.name), r);
  }
  const target = (d: z.infer<typeof DepEntry>) => (d.version ? rowByKey.get(key(d.name, d.version)) : rowByName.get(normalizeName(d.name)));
  const depsOf = (r: (typeof rows)[number]) => [...(r.dependencies ?? []), ...Object.values(r['optional-dependencies'] ?? {}).flat()];
  const reach = (start: z.infer<typeof DepEntry>[]) => {
    const seen = new Set<(typeof rows)[number]>();
    const stack = start.map(target).filter((r) => r !== undefined);
    for (let r = stack.pop(); r; r = stack.pop()) {
      if (seen.has(r)) continue;
      seen.add(r);
      for (const d of depsOf(r)) {
        const t = target(d);
        if (t) stack.push(t);
      }
    }
    return seen;
  };
  const roots = rows.filter(isRoot);
  const main = reach(roots.flatMap(depsOf));
  const devRoots = reach(roots.flatMap((r) => Object.values(r['dev-dependencies'] ?? {}).flat()));
  const pkgOf = new Map<(typeof rows)[number], Package>();
  for (const r of rows) {
    if (isRoot(r) || r.version === undefined) continue;
    const pkg = lockPackage(file, r.name, r.version, 'uv', !main.has(r) && devRoots.has(r), problems);
    if (pkg) pkgOf.set(r, pkg);
  }
  const relationships: Relationship[] = [];
  for (const [r, from] of pkgOf) {
    for (const d of depsOf(r)) {
      const t = target(d);
      const to = t && pkgOf.get(t);
      if (to) relationships.push({ from: from.id, to: to.id, type: 'depends-on' });
    }
  }
  return { packages: [...pkgOf.values()], relationships };
}

export function catalogPipfile(file: CapturedFile, problems: Problem[]): LockResult | undefined {
  const parsed = parseText(file, 'json');
  if (!parsed.ok) return void problems.push(parseProblem(file, parsed.message));
  const lock = PipfileLock.safeParse(parsed.value);
  if (!lock.success) return void problems.push(parseProblem(file, schemaMessage(lock.error)));
  const packages: Package[] = [];
  const ids = new Set<string>();
  const sections = [
    [lock.data.default ?? {}, false],
    [lock.data.develop ?? {}, true],
  ] as const;
  for (const [section, dev] of sections) {
    for (const [name, entry] of Object.entries(section).slice(0, MAX_PACKAGES)) {
      // VCS / path entries have no `version`: nothing exact to report.
      const version = entry.version?.startsWith('==') ? entry.version.slice(2).trim() : undefined;
      if (!version) continue;
      const pkg = lockPackage(file, name, version, 'pipfile', dev, problems);
      if (!pkg || ids.has(pkg.id)) continue;
      ids.add(pkg.id);
      packages.push(pkg);
    }
  }
  return { packages, relationships: [] };
}
