import { posix } from 'node:path';

export type NormalizedName =
  | { readonly kind: 'ok'; readonly path: string; readonly wasAbsolute: boolean }
  | { readonly kind: 'root' }
  | { readonly kind: 'unsafe'; readonly reason: string };

/**
 * Turns a tar member name into an absolute image path (`/etc/passwd`). Names that climb out
 * of the root with `..` are unsafe; absolute names are confined to the root and flagged.
 * Only `./` prefixes are stripped (a character-set strip would eat the dot of `.wh.` files).
 */
export function normalizeMemberName(name: string): NormalizedName {
  if (name.includes('\0')) return { kind: 'unsafe', reason: 'NUL byte in name' };
  const wasAbsolute = name.startsWith('/');
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') return { kind: 'unsafe', reason: '".." in name' };
    parts.push(part);
  }
  if (parts.length === 0) return { kind: 'root' };
  return { kind: 'ok', path: `/${parts.join('/')}`, wasAbsolute };
}

/** True when a symlink at `path` pointing to `target` resolves above the image root. */
export function symlinkEscapes(path: string, target: string): boolean {
  if (target.startsWith('/')) return false; // absolute targets resolve inside the image root
  let depth = posix.dirname(path).split('/').filter(Boolean).length;
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      depth--;
      if (depth < 0) return true;
    } else depth++;
  }
  return false;
}

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';

export type Whiteout = { readonly kind: 'none' } | { readonly kind: 'file'; readonly target: string } | { readonly kind: 'opaque'; readonly dir: string } | { readonly kind: 'meta' };

/** Classifies an (already normalized) path as a whiteout marker per the OCI layer spec. */
export function whiteoutOf(path: string): Whiteout {
  const slash = path.lastIndexOf('/');
  const base = path.slice(slash + 1);
  if (!base.startsWith(WHITEOUT_PREFIX)) return { kind: 'none' };
  const dir = path.slice(0, slash) || '/';
  if (base === OPAQUE_MARKER) return { kind: 'opaque', dir };
  if (base.startsWith('.wh..wh.')) return { kind: 'meta' };
  const name = base.slice(WHITEOUT_PREFIX.length);
  if (name === '' || name === '.' || name === '..') return { kind: 'meta' };
  return { kind: 'file', target: dir === '/' ? `/${name}` : `${dir}/${name}` };
}
