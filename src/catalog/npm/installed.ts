import type { CapturedFile } from '../types.js';
import { type Collector, type Found, isObject, licensesOf, location, Notes, str } from './common.js';
import { nameFromKey, resolveFrom } from './resolve.js';

/**
 * Installed packages: every `package.json` at a package root under `node_modules`
 * (`…/node_modules/<name>/` or `…/node_modules/@scope/<name>/`, any depth, pnpm's
 * `.pnpm/` store included), plus workspace members: project dirs matched by a `workspaces`
 * glob of another project's package.json. npm links workspaces into node_modules with a
 * symlink, which a layer gives us as a link, not files; the member's own dir has the files.
 */
const PJ = '/package.json';

/** True for `…/node_modules/<name>/package.json` and `…/node_modules/@scope/<name>/package.json`. */
export function isInstalledManifest(path: string): boolean {
  if (!path.endsWith(PJ)) return false;
  const dir = path.slice(1, -PJ.length);
  return nameFromKey(dir) !== undefined && !dir.slice(dir.lastIndexOf('/') + 1).startsWith('.');
}

/** A package.json outside any node_modules: a project root or workspace member. */
export function isProjectManifest(path: string): boolean {
  return path.endsWith(PJ) && !path.includes('/node_modules/');
}

interface Manifest {
  readonly file: CapturedFile;
  /** Directory relative to `/`, e.g. `app/node_modules/express`. */
  readonly dir: string;
  readonly json: Record<string, unknown>;
}

export function catalogInstalled(files: readonly CapturedFile[], out: Collector): void {
  const installed: Manifest[] = [];
  const projects: Manifest[] = [];
  for (const file of files) {
    const project = isProjectManifest(file.path);
    if (!project && !isInstalledManifest(file.path)) continue;
    const json = parseManifest(file, out);
    if (!json) continue;
    const m = { file, dir: file.path.slice(1, -PJ.length), json };
    (project ? projects : installed).push(m);
  }
  const members = workspaceMembers(projects);
  const ids = new Map<string, string | undefined>();
  for (const m of [...installed, ...members]) {
    const found = manifestFound(m, members.includes(m));
    ids.set(m.dir, found ? out.add(found, location(m.file), undefined) : undefined);
  }
  // depends-on by node's resolution over the directories that hold a package.
  const has = (dir: string) => ids.get(dir) !== undefined;
  for (const m of [...installed, ...members]) {
    const from = ids.get(m.dir);
    if (!from) continue;
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
      const deps = m.json[field];
      if (!isObject(deps)) continue;
      for (const dep of Object.keys(deps).slice(0, 10_000)) {
        const target = resolveFrom(m.dir, dep, has);
        if (target !== undefined) out.edge(from, ids.get(target));
      }
    }
  }
}

function parseManifest(file: CapturedFile, out: Collector): Record<string, unknown> | undefined {
  try {
    const json: unknown = JSON.parse(file.content.toString('utf8'));
    if (isObject(json)) return json;
    out.report(file, notesOf('not a JSON object'));
  } catch (err) {
    out.report(file, notesOf(`not valid JSON: ${(err as Error).message.slice(0, 200)}`));
  }
  return undefined;
}

function notesOf(message: string): Notes {
  const notes = new Notes();
  notes.add(message);
  return notes;
}

function manifestFound(m: Manifest, workspace: boolean): Found | undefined {
  const name = str(m.json.name);
  const version = str(m.json.version);
  if (!name || !version) return undefined;
  const metadata: Record<string, unknown> = { path: m.file.path };
  const dirName = nameFromKey(m.dir);
  if (dirName && dirName !== name) metadata.alias = dirName;
  if (workspace) metadata.workspace = true;
  if (m.json.private === true) metadata.private = true;
  return { name, version, licenses: licensesOf(m.json), metadata };
}

/** Project manifests matched by another project's `workspaces` globs (array or `{packages}`). */
function workspaceMembers(projects: readonly Manifest[]): Manifest[] {
  const members = new Set<Manifest>();
  for (const root of projects) {
    const ws = root.json.workspaces;
    const globs = Array.isArray(ws) ? ws : isObject(ws) && Array.isArray(ws.packages) ? ws.packages : [];
    for (const glob of globs.slice(0, 100)) {
      if (typeof glob !== 'string' || glob.startsWith('!')) continue;
      const re = globToRegExp(root.dir === '' ? glob : `${root.dir}/${glob}`);
      for (const p of projects) if (p !== root && re.test(p.dir)) members.add(p);
    }
  }
  return [...members];
}

/** npm workspace globs: `*` within a segment, `**` across segments; `./` prefixes dropped. */
export function globToRegExp(glob: string): RegExp {
  const clean = glob.replace(/(^|\/)\.\//g, '$1').replace(/\/+$/, '');
  let re = '';
  for (let i = 0; i < clean.length; i++) {
    const c = clean[i] as string;
    if (c === '*' && clean[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
