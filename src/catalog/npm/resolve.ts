/**
 * Node's module resolution over install paths (https://nodejs.org/api/modules.html#loading-from-node_modules-folders):
 * from `a/node_modules/b`, a require of `c` tries `a/node_modules/b/node_modules/c`,
 * then `a/node_modules/c`, then `node_modules/c`. Paths are relative to the project root.
 */
export function resolveFrom(from: string, dep: string, has: (path: string) => boolean): string | undefined {
  let dir = from;
  for (let i = 0; i < 512; i++) {
    const candidate = dir === '' ? `node_modules/${dep}` : `${dir}/node_modules/${dep}`;
    if (has(candidate)) return candidate;
    if (dir === '') return undefined;
    dir = parentDir(dir);
  }
  return undefined;
}

/** The next directory up that can hold a node_modules: skips `node_modules` itself and scope dirs. */
function parentDir(dir: string): string {
  const cut = dir.lastIndexOf('/node_modules/');
  if (cut >= 0) return dir.slice(0, cut);
  if (dir.startsWith('node_modules/')) return '';
  const slash = dir.lastIndexOf('/');
  return slash < 0 ? '' : dir.slice(0, slash);
}

/** `node_modules/a/node_modules/@s/b` → `@s/b`; undefined when the key is not an install path. */
export function nameFromKey(key: string): string | undefined {
  const marker = key.lastIndexOf('node_modules/');
  if (marker < 0 || (marker > 0 && key[marker - 1] !== '/')) return undefined;
  const name = key.slice(marker + 'node_modules/'.length);
  if (!name) return undefined;
  const parts = name.split('/');
  if (name.startsWith('@') ? parts.length !== 2 : parts.length !== 1) return undefined;
  return name;
}
