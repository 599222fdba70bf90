/**
 * Symlink resolution confined to an image's root, as the kernel would resolve inside a chroot:
 * every component is looked up from the root, `..` never climbs above it, absolute link
 * targets restart at the root, and more than MAX_SYMLINK_HOPS links (a loop) give up. One
 * algorithm for every view of a tree (FileTree, and the recording view a cached scan uses).
 */

export const MAX_SYMLINK_HOPS = 40;

/** What a lookup of a full path (as components) found: nothing, a symlink and its target, or anything else. */
export type PathKind = { readonly kind: 'absent' } | { readonly kind: 'symlink'; readonly link: string } | { readonly kind: 'other' };

export function splitPath(path: string): string[] {
  return path.split('/').filter((p) => p !== '' && p !== '.');
}

/** The final path `path` leads to, or undefined for a dangling link, a missing component or a loop. */
export function resolveConfined(path: string, look: (parts: readonly string[]) => PathKind): string | undefined {
  let pending = splitPath(path);
  const done: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '..') {
      done.pop();
      continue;
    }
    const found = look([...done, part]);
    if (found.kind === 'absent') return undefined;
    if (found.kind === 'symlink') {
      if (++hops > MAX_SYMLINK_HOPS) return undefined;
      if (found.link.startsWith('/')) done.length = 0;
      pending = [...splitPath(found.link), ...pending];
      continue;
    }
    done.push(part);
  }
  return `/${done.join('/')}`;
}
