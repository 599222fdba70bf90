import { type Found, isObject, MAX_DEPTH, MAX_ENTRIES, Notes, type ParsedFile, str } from './common.js';
import { nameFromKey, resolveFrom } from './resolve.js';

/**
 * package-lock.json / npm-shrinkwrap.json, lockfile versions 1–3 (SCANNER-NOTES.md §3.4;
 * https://docs.npmjs.com/cli/v10/configuring-npm/package-lock-json). v2 carries both
 * `packages` and the v1 `dependencies`: `packages` wins, as in npm ≥ 7.
 */
export function parsePackageLock(text: string): ParsedFile {
  const notes = new Notes();
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    notes.add(`not valid JSON: ${(err as Error).message.slice(0, 200)}`);
    return { found: [], edges: [], notes };
  }
  if (!isObject(doc)) {
    notes.add('not a JSON object');
    return { found: [], edges: [], notes };
  }
  if (isObject(doc.packages)) return fromPackages(doc.packages, doc.lockfileVersion, notes);
  if (isObject(doc.dependencies)) return fromDependencies(doc.dependencies, notes);
  notes.add('neither "packages" nor "dependencies" is an object');
  return { found: [], edges: [], notes };
}

/** v2/v3: keys are install paths (`node_modules/a/node_modules/b`) or workspace dirs. */
function fromPackages(packages: Record<string, unknown>, lockfileVersion: unknown, notes: Notes): ParsedFile {
  const lockfile = `package-lock-v${lockfileVersion === 2 ? 2 : 3}`;
  const found: Found[] = [];
  const edges: Array<readonly [number, number]> = [];
  const atKey = new Map<string, number>();
  /** `link: true` entries point at a workspace dir: resolution follows them. */
  const links = new Map<string, string>();
  const keys = Object.keys(packages);
  if (keys.length > MAX_ENTRIES) notes.add(`more than ${MAX_ENTRIES} entries; the rest were ignored`);
  for (const key of keys.slice(0, MAX_ENTRIES)) {
    const entry = packages[key];
    if (key === '' || !isObject(entry)) continue;
    if (entry.link === true) {
      const target = str(entry.resolved);
      if (target) links.set(key, target);
      continue;
    }
    const keyName = nameFromKey(key);
    const workspace = keyName === undefined;
    const name = str(entry.name) ?? keyName ?? key.split('/').pop() ?? key;
    const version = str(entry.version);
    if (!version) continue; // e.g. a workspace dir without a version: nothing to report
    const metadata: Record<string, unknown> = { lockfile, path: key };
    if (keyName && keyName !== name) metadata.alias = keyName;
    if (workspace) metadata.workspace = true;
    for (const flag of ['optional', 'devOptional', 'peer', 'inBundle'] as const) if (entry[flag] === true) metadata[flag] = true;
    if (str(entry.resolved)) metadata.resolved = entry.resolved;
    if (str(entry.integrity)) metadata.integrity = entry.integrity;
    const licenses = str(entry.license) ? [entry.license as string] : [];
    atKey.set(key, found.length);
    found.push({ name, version, licenses, metadata, dev: entry.dev === true });
  }
  // Edges by node's resolution over the install paths, as npm itself lays them out.
  const has = (k: string) => atKey.has(k) || links.has(k);
  for (const [key, index] of atKey) {
    const entry = packages[key] as Record<string, unknown>;
    for (const dep of depNames(entry)) {
      let target = resolveFrom(key, dep, has);
      if (target !== undefined && links.has(target)) target = links.get(target);
      const to = target === undefined ? undefined : atKey.get(target);
      if (to !== undefined) edges.push([index, to]);
    }
  }
  return { found, edges, notes };
}

function depNames(entry: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
    const deps = entry[field];
    if (isObject(deps)) out.push(...Object.keys(deps));
  }
  return out;
}

/** v1: nested `dependencies`; `requires` resolve to the nearest enclosing scope that has the name. */
function fromDependencies(root: Record<string, unknown>, notes: Notes): ParsedFile {
  const found: Found[] = [];
  const edges: Array<readonly [number, number]> = [];
  type Scope = Map<string, number>;
  const pending: Array<{ from: number; names: string[]; chain: Scope[] }> = [];
  let truncated = false;
  /** Returns the scope chain seen from inside this level. */
  const walk = (deps: Record<string, unknown>, parents: Scope[], depth: number): Scope[] => {
    const scope: Scope = new Map();
    const chain = [scope, ...parents];
    if (depth > MAX_DEPTH) {
      notes.add(`dependencies nested deeper than ${MAX_DEPTH}; the deeper ones were ignored`);
      return chain;
    }
    const entries: Array<[number, Record<string, unknown>]> = [];
    for (const [key, entry] of Object.entries(deps)) {
      if (found.length >= MAX_ENTRIES) {
        if (!truncated) notes.add(`more than ${MAX_ENTRIES} entries; the rest were ignored`);
        truncated = true;
        break;
      }
      const f = isObject(entry) ? v1Found(key, entry) : undefined;
      if (!f) continue;
      scope.set(key, found.length);
      entries.push([found.length, entry as Record<string, unknown>]);
      found.push(f);
    }
    for (const [index, entry] of entries) {
      // A package's own nested deps come first, then the scopes around it (node's lookup).
      const own = isObject(entry.dependencies) ? walk(entry.dependencies, chain, depth + 1) : chain;
      if (isObject(entry.requires))
        pending.push({
          from: index,
          names: Object.keys(entry.requires),
          chain: own,
        });
    }
    return chain;
  };
  walk(root, [], 0);
  for (const p of pending) {
    for (const name of p.names) {
      const to = p.chain.find((s) => s.has(name))?.get(name);
      if (to !== undefined) edges.push([p.from, to]);
    }
  }
  return { found, edges, notes };
}

function v1Found(key: string, entry: Record<string, unknown>): Found | undefined {
  const written = str(entry.version);
  // `file:` / `link:` versions are local directories (npm 7 writes workspace links so), not packages.
  if (!written || written.startsWith('file:') || written.startsWith('link:')) return undefined;
  // Aliases are written `"alias": {"version": "npm:real@1.2.3"}`.
  const alias = written.startsWith('npm:') ? written.slice(4) : undefined;
  const at = alias ? alias.lastIndexOf('@') : -1;
  const name = alias && at > 0 ? alias.slice(0, at) : key;
  const version = alias && at > 0 ? alias.slice(at + 1) : written;
  const metadata: Record<string, unknown> = { lockfile: 'package-lock-v1' };
  if (name !== key) metadata.alias = key;
  if (entry.optional === true) metadata.optional = true;
  if (str(entry.resolved)) metadata.resolved = entry.resolved;
  if (str(entry.integrity)) metadata.integrity = entry.integrity;
  return { name, version, metadata, dev: entry.dev === true };
}
