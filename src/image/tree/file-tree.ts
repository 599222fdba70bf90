import type { LayerAnalysis, LayerEntry } from '../layers/analysis.js';
import { type PathKind, resolveConfined, splitPath } from './resolve-path.js';

/** A file as the squashed image shows it, with the layer that last wrote it. */
export interface TreeFile {
  readonly path: string;
  readonly entry: LayerEntry;
  /** Index of the layer that last wrote this path; -1 for directories only implied by children. */
  readonly layer: number;
}

interface Node {
  entry: LayerEntry | undefined;
  layer: number;
  children: Map<string, Node> | undefined;
}

const split = splitPath;
const ABSENT: PathKind = { kind: 'absent' };
const OTHER: PathKind = { kind: 'other' };

/**
 * The squashed, read-only view of an image's file system. Layers are applied bottom-up:
 * a layer's whiteouts and opaque directories hide what lower layers wrote, then its own
 * entries are added (OCI image-spec layer.md, "Whiteouts"). Holds metadata only, never
 * file contents, so memory grows with the number of paths, not with image size.
 */
export class FileTree {
  private readonly root: Node = { entry: undefined, layer: -1, children: new Map() };
  private count = 0;

  /** Applies one layer; returns nothing, use `get` / `walk` to read the result. */
  applyLayer(index: number, layer: Pick<LayerAnalysis, 'entries' | 'whiteouts' | 'opaqueDirs'>): void {
    this.lastDir = undefined;
    this.lastNode = undefined;
    for (const dir of layer.opaqueDirs) {
      const node = this.lookup(split(dir));
      if (node?.children) {
        this.count -= countBelow(node);
        node.children.clear();
      }
    }
    for (const target of layer.whiteouts) this.remove(target);
    for (const entry of layer.entries) this.add(index, entry);
  }

  get size(): number {
    return this.count;
  }

  /** The entry at `path` without following a final symlink. */
  get(path: string): TreeFile | undefined {
    const node = this.lookup(split(path));
    if (!node || node === this.root) return undefined;
    const p = normalize(path);
    return { path: p, entry: node.entry ?? impliedDir(p), layer: node.layer };
  }

  exists(path: string): boolean {
    return this.lookup(split(path)) !== undefined;
  }

  /**
   * Resolves symlinks (in every component) confined to the image root, as the kernel
   * would inside a chroot; returns the final path, or undefined for loops / dangling links.
   */
  resolve(path: string): string | undefined {
    return resolveConfined(path, (parts) => {
      const node = this.lookup(parts);
      if (!node) return ABSENT;
      return node.entry?.type === 'symlink' && node.entry.link !== undefined ? { kind: 'symlink', link: node.entry.link } : OTHER;
    });
  }

  /** Every path in the tree, depth-first in name order. */
  *walk(): Generator<TreeFile> {
    yield* walkNode(this.root, '');
  }

  private lookup(parts: readonly string[]): Node | undefined {
    let node: Node | undefined = this.root;
    for (const part of parts) {
      node = node.children?.get(part);
      if (!node) return undefined;
    }
    return node;
  }

  private remove(path: string): void {
    const parts = split(path);
    const name = parts.pop();
    if (name === undefined) return;
    const parent = this.lookup(parts);
    const node = parent?.children?.get(name);
    if (!parent?.children || !node) return;
    this.count -= 1 + countBelow(node);
    parent.children.delete(name);
  }

  /** Parent directory of the previous add: tar entries come grouped by directory. */
  private lastDir: string | undefined;
  private lastNode: Node | undefined;

  private add(layer: number, entry: LayerEntry): void {
    const slash = entry.path.lastIndexOf('/');
    const dir = entry.path.slice(0, slash);
    const name = entry.path.slice(slash + 1);
    if (name === '' || name === '.' || name === '..' || entry.path.includes('//') || entry.path.includes('/./')) {
      this.lastDir = undefined;
      return this.addSlow(layer, entry);
    }
    let node: Node;
    if (dir === this.lastDir && this.lastNode) node = this.lastNode;
    else {
      node = this.walkToDir(split(dir));
      this.lastDir = dir;
      this.lastNode = node;
    }
    this.setChild(node, name, layer, entry);
  }

  private addSlow(layer: number, entry: LayerEntry): void {
    const parts = split(entry.path);
    const name = parts.pop();
    if (name === undefined) return;
    this.setChild(this.walkToDir(parts), name, layer, entry);
  }

  /** Walks to (creating implied directories) the node for `parts`. */
  private walkToDir(parts: readonly string[]): Node {
    let node = this.root;
    for (const part of parts) {
      node.children ??= new Map();
      let next = node.children.get(part);
      if (!next) {
        next = { entry: undefined, layer: -1, children: new Map() };
        node.children.set(part, next);
        this.count++;
      } else if (!next.children) {
        // A lower layer had a file or symlink here; a directory entry replaces it.
        next.children = new Map();
      }
      node = next;
    }
    return node;
  }

  private setChild(node: Node, name: string, layer: number, entry: LayerEntry): void {
    node.children ??= new Map();
    const existing = node.children.get(name);
    if (existing) {
      existing.entry = entry;
      existing.layer = layer;
      if (entry.type !== 'dir' && existing.children) {
        this.count -= countBelow(existing);
        existing.children = undefined;
        // The cached parent may sit in the subtree just dropped.
        this.lastDir = undefined;
        this.lastNode = undefined;
      } else if (entry.type === 'dir') existing.children ??= new Map();
      return;
    }
    node.children.set(name, { entry, layer, children: entry.type === 'dir' ? new Map() : undefined });
    this.count++;
  }
}

function countBelow(node: Node): number {
  let n = 0;
  for (const child of node.children?.values() ?? []) n += 1 + countBelow(child);
  return n;
}

function* walkNode(node: Node, prefix: string): Generator<TreeFile> {
  if (!node.children) return;
  const names = [...node.children.keys()].sort();
  for (const name of names) {
    const child = node.children.get(name) as Node;
    const path = `${prefix}/${name}`;
    yield { path, entry: child.entry ?? impliedDir(path), layer: child.layer };
    yield* walkNode(child, path);
  }
}

/** A directory no layer wrote, only implied by the files below it. */
function impliedDir(path: string): LayerEntry {
  return { path, type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0 };
}

function normalize(path: string): string {
  return `/${split(path).join('/')}`;
}
