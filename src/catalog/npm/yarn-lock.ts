import { type Found, isObject, MAX_ENTRIES, Notes, type ParsedFile, parseYamlMapping, splitNameAt, str } from './common.js';

/** yarn.lock: berry (YAML with `__metadata`) or classic v1 (its own format). */
export function parseYarnLock(text: string): ParsedFile {
  return /^__metadata:/m.test(text.slice(0, 4096)) ? parseBerry(text) : parseClassic(text);
}

/** Strips one layer of double quotes, as yarn v1 writes keys and values with spaces or `@`. */
function unquote(s: string): string {
  const t = s.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}

/**
 * Classic yarn.lock v1 (https://classic.yarnpkg.com/lang/en/docs/yarn-lock/): blocks that
 * start with `spec, spec:` at column 0, then `  version "1.0.3"`, `  resolved …`, and a
 * `  dependencies:` map of `    name "range"`. Aliases are written `alias@npm:real@range`.
 */
export function parseClassic(text: string): ParsedFile {
  const notes = new Notes();
  const found: Found[] = [];
  const bySpec = new Map<string, number>();
  const deps: Array<{ from: number; specs: string[] }> = [];
  let current:
    | {
        specs: string[];
        version?: string;
        resolved?: string;
        integrity?: string;
        deps: string[];
      }
    | undefined;
  let section: 'top' | 'deps' | 'other' = 'top';
  let lineNo = 0;
  const flush = () => {
    if (!current) return;
    const block = current;
    current = undefined;
    if (!block.version) {
      notes.add(`entry "${block.specs.join(', ').slice(0, 100)}" has no version`);
      return;
    }
    const first = block.specs[0] as string;
    const named = realName(first);
    if (!named) return notes.add(`cannot read a package name from "${first.slice(0, 100)}"`);
    const metadata: Record<string, unknown> = { lockfile: 'yarn-v1' };
    if (named.alias) metadata.alias = named.alias;
    if (block.resolved) metadata.resolved = block.resolved;
    if (block.integrity) metadata.integrity = block.integrity;
    const index = found.length;
    found.push({ name: named.name, version: block.version, metadata });
    for (const s of block.specs) bySpec.set(s, index);
    if (block.deps.length) deps.push({ from: index, specs: block.deps });
  };
  for (const raw of text.split('\n')) {
    lineNo++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const indent = line.length - line.trimStart().length;
    if (indent === 0) {
      flush();
      if (found.length >= MAX_ENTRIES) {
        notes.add(`more than ${MAX_ENTRIES} entries; the rest were ignored`);
        break;
      }
      if (!line.endsWith(':')) {
        notes.add(`line ${lineNo}: expected "spec:" at column 0`);
        continue;
      }
      current = {
        specs: line.slice(0, -1).split(',').map(unquote).filter(Boolean).slice(0, 1000),
        deps: [],
      };
      section = 'top';
      continue;
    }
    if (!current) continue; // inside a block we could not read: already reported
    const body = line.trim();
    if (indent <= 2) {
      section = body === 'dependencies:' || body === 'optionalDependencies:' ? 'deps' : body.endsWith(':') ? 'other' : 'top';
      if (section !== 'top') continue;
      const sp = body.indexOf(' ');
      const key = sp < 0 ? body : body.slice(0, sp);
      const value = sp < 0 ? '' : unquote(body.slice(sp + 1));
      if (key === 'version') current.version = value;
      else if (key === 'resolved') current.resolved = value;
      else if (key === 'integrity') current.integrity = value;
    } else if (section === 'deps' && current.deps.length < 10_000) {
      const m = /^("[^"]+"|\S+)\s+(.+)$/.exec(body);
      if (m) current.deps.push(`${unquote(m[1] as string)}@${unquote(m[2] as string)}`);
    }
  }
  flush();
  const edges: Array<readonly [number, number]> = [];
  for (const d of deps) {
    for (const spec of d.specs) {
      const to = bySpec.get(spec);
      if (to !== undefined) edges.push([d.from, to]);
    }
  }
  return { found, edges, notes };
}

/** `a@^1` → a; `@s/a@^1` → @s/a; `alias@npm:real@^1` → real (alias kept). */
function realName(spec: string): { name: string; alias?: string } | undefined {
  const split = splitNameAt(spec);
  if (!split) return undefined;
  const npmAt = spec.indexOf('@npm:', spec.startsWith('@') ? 1 : 0);
  if (npmAt > 0) {
    const real = splitNameAt(spec.slice(npmAt + 5));
    const alias = spec.slice(0, npmAt);
    if (real && real[0] !== alias) return { name: real[0], alias };
    return { name: alias };
  }
  return { name: split[0] };
}

/** Protocols whose entries are local directories, not packages from a registry. */
const LOCAL = ['workspace:', 'link:', 'portal:'];

/**
 * Yarn berry (v2+) lockfile: YAML, keys `"a@npm:^1, a@npm:1.0.3"`, each with `version`,
 * `resolution` (`a@npm:1.0.3`), `dependencies` (`b: "npm:^2"`), `checksum`, `linkType`.
 * `@workspace:`, `link:` and `portal:` entries are the project's own dirs and are skipped.
 */
export function parseBerry(text: string): ParsedFile {
  const notes = new Notes();
  const doc = parseYamlMapping(text, notes, { uniqueKeys: false });
  if (!doc) return { found: [], edges: [], notes };
  const found: Found[] = [];
  const byDescriptor = new Map<string, number>();
  const pending: Array<{ from: number; deps: Record<string, unknown> }> = [];
  for (const [key, entry] of Object.entries(doc).slice(0, MAX_ENTRIES)) {
    if (key === '__metadata' || !isObject(entry)) continue;
    const resolution = str(entry.resolution);
    const version = str(typeof entry.version === 'number' ? String(entry.version) : entry.version);
    const split = resolution ? splitProtocol(resolution) : undefined;
    if (!resolution || !version || !split) {
      notes.add(`entry "${key.slice(0, 100)}" has no usable resolution or version`);
      continue;
    }
    if (LOCAL.some((p) => split.protocol.startsWith(p))) continue;
    const metadata: Record<string, unknown> = {
      lockfile: 'yarn-berry',
      resolution,
    };
    if (split.protocol !== 'npm:') metadata.protocol = split.protocol.slice(0, split.protocol.indexOf(':') + 1);
    if (str(entry.checksum)) metadata.checksum = entry.checksum;
    const index = found.length;
    found.push({ name: split.name, version, metadata });
    for (const d of key.split(',')) byDescriptor.set(d.trim(), index);
    if (isObject(entry.dependencies)) pending.push({ from: index, deps: entry.dependencies });
  }
  const edges: Array<readonly [number, number]> = [];
  for (const p of pending) {
    for (const [name, range] of Object.entries(p.deps)) {
      const to = typeof range === 'string' ? byDescriptor.get(`${name}@${range}`) : undefined;
      if (to !== undefined) edges.push([p.from, to]);
    }
  }
  return { found, edges, notes };
}

/** `@s/a@npm:1.0.0` → {name: '@s/a', protocol: 'npm:1.0.0'}: the first `@` after the name. */
function splitProtocol(resolution: string): { name: string; protocol: string } | undefined {
  const at = resolution.indexOf('@', resolution.startsWith('@') ? 1 : 0);
  if (at <= 0) return undefined;
  return { name: resolution.slice(0, at), protocol: resolution.slice(at + 1) };
}
