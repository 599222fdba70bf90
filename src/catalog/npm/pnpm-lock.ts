import { type Found, isObject, MAX_ENTRIES, Notes, parseYamlMapping, type ParsedFile, splitNameAt, str } from './common.js';

/**
 * pnpm-lock.yaml v5 (`/name/1.2.3_peer`), v6 (`/name@1.2.3(peer)`) and v9 (`packages`
 * keyed `name@1.2.3` plus `snapshots` keyed with the peer suffix) — SCANNER-NOTES.md §3.4,
 * https://github.com/pnpm/spec/tree/master/lockfile. Dev: v5/v6 write `dev: true|false`;
 * v9 does not, so a package is dev when only `devDependencies` of the importers reach it.
 */
type Major = 5 | 6 | 9;

export function parsePnpmLock(text: string): ParsedFile {
  const notes = new Notes();
  const doc = parseYamlMapping(text, notes);
  if (!doc) return { found: [], edges: [], notes };
  const major = majorOf(doc.lockfileVersion);
  if (!major) {
    notes.add(`unsupported lockfileVersion ${JSON.stringify(doc.lockfileVersion)?.slice(0, 40)}`);
    return { found: [], edges: [], notes };
  }
  const packages = isObject(doc.packages) ? doc.packages : {};
  const snapshots = major === 9 && isObject(doc.snapshots) ? doc.snapshots : packages;
  const found: Found[] = [];
  /** package key without peer suffix → index in `found`. */
  const atKey = new Map<string, number>();
  const keys = Object.keys(packages);
  if (keys.length > MAX_ENTRIES) notes.add(`more than ${MAX_ENTRIES} entries; the rest were ignored`);
  const reach = reachability(doc, snapshots, major);
  for (const key of keys.slice(0, MAX_ENTRIES)) {
    const entry = packages[key];
    if (!isObject(entry)) continue;
    const parsed = nameVersion(key, major);
    const name = str(entry.name) ?? parsed?.[0];
    const version = str(entry.version) ?? parsed?.[1];
    if (!name || !version) {
      notes.add(`cannot read name and version from key "${key.slice(0, 100)}"`);
      continue;
    }
    const metadata: Record<string, unknown> = {
      lockfile: `pnpm-v${major}`,
      key,
    };
    const resolution = isObject(entry.resolution) ? entry.resolution : {};
    if (str(resolution.integrity)) metadata.integrity = resolution.integrity;
    if (str(resolution.tarball)) metadata.resolved = resolution.tarball;
    if (entry.optional === true) metadata.optional = true;
    const base = stripPeers(key, major);
    const dev = typeof entry.dev === 'boolean' ? entry.dev : reach.dev.has(base) && !reach.prod.has(base);
    atKey.set(base, found.length);
    found.push({ name, version, metadata, dev });
  }
  const edges: Array<readonly [number, number]> = [];
  for (const [key, snap] of Object.entries(snapshots).slice(0, MAX_ENTRIES)) {
    const from = atKey.get(stripPeers(key, major));
    if (from === undefined || !isObject(snap)) continue;
    for (const target of depKeys(snap, major)) {
      const to = atKey.get(stripPeers(target, major));
      if (to !== undefined) edges.push([from, to]);
    }
  }
  return { found, edges, notes };
}

function majorOf(v: unknown): Major | undefined {
  const n = Number.parseFloat(String(v));
  if (n >= 5 && n < 6) return 5;
  if (n >= 6 && n < 7) return 6;
  if (n >= 9 && n < 10) return 9;
  return undefined;
}

/** v5: `/@s/a/1.2.3_peer@1` ; v6: `/@s/a@1.2.3(peer@1)` ; v9: `@s/a@1.2.3(peer@1)`. */
function nameVersion(key: string, major: Major): [string, string] | undefined {
  const k = stripPeers(key, major);
  if (major === 5) {
    const parts = k.replace(/^\//, '').split('/');
    const scoped = parts[0]?.startsWith('@');
    if (parts.length !== (scoped ? 3 : 2)) return undefined;
    return [parts.slice(0, -1).join('/'), parts[parts.length - 1] as string];
  }
  return splitNameAt(k.replace(/^\//, ''));
}

function stripPeers(key: string, major: Major): string {
  if (major === 5) {
    // The peer suffix follows the version segment: `/a/1.0.0_b@2.0.0+c@1`.
    const parts = key.split('/');
    const at = parts[1]?.startsWith('@') ? 3 : 2;
    const segment = parts[at];
    const underscore = segment ? segment.indexOf('_') : -1;
    if (underscore < 0) return key;
    return [...parts.slice(0, at), (segment as string).slice(0, underscore)].join('/');
  }
  const paren = key.indexOf('(');
  return paren < 0 ? key : key.slice(0, paren);
}

/** The snapshot/package keys an entry's dependencies point at; `link:` deps are local dirs. */
function depKeys(entry: Record<string, unknown>, major: Major): string[] {
  const out: string[] = [];
  for (const field of ['dependencies', 'optionalDependencies']) {
    const deps = entry[field];
    if (!isObject(deps)) continue;
    for (const [name, ref] of Object.entries(deps)) {
      const key = refToKey(name, ref, major);
      if (key) out.push(key);
    }
  }
  return out;
}

function refToKey(name: string, ref: unknown, major: Major): string | undefined {
  // Importers (v6/v9) write `{specifier, version}`; packages write the version directly.
  const v = isObject(ref) ? ref.version : ref;
  const value = typeof v === 'number' ? String(v) : v;
  if (typeof value !== 'string' || value.startsWith('link:') || value.startsWith('file:')) return undefined;
  if (major === 5) return value.startsWith('/') ? value : `/${name}/${value}`;
  if (major === 6) return value.startsWith('/') ? value : `/${name}@${value}`;
  // v9 aliases write `real@1.0.0`; plain versions start with a digit.
  return /^\d/.test(value) ? `${name}@${value}` : value;
}

/** Package keys (peer suffix stripped) reachable from the importers' prod and dev roots. */
function reachability(doc: Record<string, unknown>, snapshots: Record<string, unknown>, major: Major) {
  const importers = isObject(doc.importers) ? doc.importers : { '.': doc };
  const graph = new Map<string, string[]>();
  for (const [key, snap] of Object.entries(snapshots).slice(0, MAX_ENTRIES)) {
    if (isObject(snap))
      graph.set(
        stripPeers(key, major),
        depKeys(snap, major).map((k) => stripPeers(k, major)),
      );
  }
  const walk = (fields: string[]): Set<string> => {
    const seen = new Set<string>();
    const stack: string[] = [];
    for (const imp of Object.values(importers).slice(0, 10_000)) {
      if (!isObject(imp)) continue;
      for (const field of fields) {
        const deps = imp[field];
        if (!isObject(deps)) continue;
        for (const [name, ref] of Object.entries(deps)) {
          const key = refToKey(name, ref, major);
          if (key) stack.push(stripPeers(key, major));
        }
      }
    }
    // Iterative: a hostile graph must not blow the stack.
    while (stack.length) {
      const key = stack.pop() as string;
      if (seen.has(key)) continue;
      seen.add(key);
      for (const next of graph.get(key) ?? []) if (!seen.has(next)) stack.push(next);
    }
    return seen;
  };
  return {
    prod: walk(['dependencies', 'optionalDependencies']),
    dev: walk(['devDependencies']),
  };
}
