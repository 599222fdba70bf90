import type { LayerAnalysis } from '../image/layers/analysis.js';
import type { FileTree } from '../image/tree/file-tree.js';
import { type PathKind, resolveConfined, splitPath } from '../image/tree/resolve-path.js';

/** The two questions the final stage of a scan (OS detection, ownership) asks the tree. */
export interface TreeQueries {
  exists(path: string): boolean;
  resolve(path: string): string | undefined;
}

/**
 * What one lookup of a full path saw: `A` absent, `P` present and not a symlink, or
 * `L<target>` a symlink. Every answer of `exists` and `resolve` is a function of these.
 */
export type Seen = string;

const split = splitPath;
const ABSENT: PathKind = { kind: 'absent' };
const OTHER: PathKind = { kind: 'other' };

/**
 * Answers `exists` and `resolve` from a FileTree (with FileTree's own confined resolution,
 * resolve-path.ts) while
 * recording what each looked-up path was. A later layer that changes none of the recorded
 * paths cannot change any answer (see `layerChangesSeen`), which lets a cached scan be
 * reused for an image that adds such layers.
 */
export class RecordingTree implements TreeQueries {
  readonly seen = new Map<string, Seen>();

  constructor(private readonly tree: FileTree) {}

  private look(parts: readonly string[]): Seen {
    const path = `/${parts.join('/')}`;
    const known = this.seen.get(path);
    if (known !== undefined) return known;
    const f = parts.length === 0 ? undefined : this.tree.get(path);
    const seen = parts.length === 0 ? 'P' : !f ? 'A' : f.entry.type === 'symlink' && f.entry.link !== undefined ? `L${f.entry.link}` : 'P';
    this.seen.set(path, seen);
    return seen;
  }

  exists(path: string): boolean {
    return this.look(split(path)) !== 'A';
  }

  resolve(path: string): string | undefined {
    return resolveConfined(path, (parts) => {
      const seen = this.look(parts);
      if (seen === 'A') return ABSENT;
      return seen.startsWith('L') ? { kind: 'symlink', link: seen.slice(1) } : OTHER;
    });
  }
}

/** Strict ancestors of every recorded path that was present: a layer that cuts them off changes answers. */
export function presentAncestors(seen: ReadonlyMap<string, Seen>): Set<string> {
  const out = new Set<string>();
  for (const [path, s] of seen) {
    if (s === 'A') continue;
    for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
      const dir = path.slice(0, i);
      if (out.has(dir)) break;
      out.add(dir);
    }
    if (path !== '/') out.add('/');
  }
  return out;
}

function norm(path: string): string {
  return `/${split(path).join('/')}`;
}

/**
 * Whether applying `layer` on top of the tree the recording was made on could change what
 * any recorded path looks like (conservative: true when unsure). `above` comes from
 * `presentAncestors(seen)`. Mirrors FileTree.applyLayer: opaque dirs clear children,
 * whiteouts remove subtrees, an entry replaces its path (a non-directory drops the subtree
 * below it) and creates its missing parent directories.
 */
export function layerChangesSeen(seen: ReadonlyMap<string, Seen>, above: ReadonlySet<string>, layer: Pick<LayerAnalysis, 'entries' | 'whiteouts' | 'opaqueDirs'>): boolean {
  const present = (p: string): boolean => {
    const s = seen.get(p);
    return s !== undefined && s !== 'A';
  };
  for (const dir of layer.opaqueDirs) if (above.has(norm(dir))) return true;
  for (const w of layer.whiteouts) {
    const p = norm(w);
    if (present(p) || above.has(p)) return true;
  }
  for (const e of layer.entries) {
    const p = norm(e.path);
    const was = seen.get(p);
    const now = e.type === 'symlink' && e.link !== undefined ? `L${e.link}` : 'P';
    if (was !== undefined && was !== now) return true;
    if (e.type !== 'dir' && above.has(p)) return true;
    for (let i = p.lastIndexOf('/'); i > 0; i = p.lastIndexOf('/', i - 1)) {
      if (seen.get(p.slice(0, i)) === 'A') return true;
    }
  }
  return false;
}
