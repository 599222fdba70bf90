import type { CapturedFile, CatalogResult, CatalogView, Cataloger } from '../catalog/types.js';
import type { OsInfo } from '../core/os.js';
import type { LayerRef, Package, Relationship } from '../core/package.js';
import { problem, type Problem } from '../core/problem.js';
import type { LayerAnalysis } from '../image/layers/analysis.js';
import { FileTree } from '../image/tree/file-tree.js';

export interface CatalogedLayers {
  readonly tree: FileTree;
  readonly packages: Package[];
  readonly relationships: Relationship[];
  readonly problems: Problem[];
}

/** Applies every layer to a fresh tree. */
export function squash(analyses: readonly LayerAnalysis[]): FileTree {
  const tree = new FileTree();
  analyses.forEach((a, i) => tree.applyLayer(i, a));
  return tree;
}

/** Captured files visible at some layer, with the diffID of the layer that wrote each. */
export type CapturedState = Map<string, CapturedFile>;

/** Whether a whiteout (of the path or an ancestor) or an opaque ancestor dir hides `path`. */
function hidden(path: string, gone: ReadonlySet<string>, opaque: ReadonlySet<string>): boolean {
  if (gone.has(path)) return true;
  for (let i = path.lastIndexOf('/'); i >= 0; i = path.lastIndexOf('/', i - 1)) {
    const dir = i === 0 ? '/' : path.slice(0, i);
    if (gone.has(dir) || opaque.has(dir)) return true;
    if (i === 0) break;
  }
  return false;
}

/**
 * Applies one layer's whiteouts, entries and captures to the captured-file state; returns
 * the ids of the catalogers whose files changed (appeared, changed or disappeared).
 */
export function applyCaptured(state: CapturedState, a: LayerAnalysis, diffId: string | undefined): Set<string> {
  const changed = new Set<string>();
  const remove = (p: string): void => {
    const old = state.get(p);
    if (!old) return;
    for (const id of old.wantedBy) changed.add(id);
    state.delete(p);
  };
  if (state.size > 0 && (a.opaqueDirs.length > 0 || a.whiteouts.length > 0)) {
    // One pass over the captured paths, checking each path's ancestors against the layer's
    // whiteouts and opaque dirs (a layer can white out thousands of paths).
    const gone = new Set(a.whiteouts);
    const opaque = new Set(a.opaqueDirs);
    for (const p of [...state.keys()]) if (hidden(p, gone, opaque)) remove(p);
  }
  if (state.size > 0) {
    for (const e of a.entries) {
      if (e.type !== 'dir' && state.has(e.path) && !a.captured.has(e.path)) remove(e.path);
    }
  }
  for (const [path, content] of a.captured) {
    remove(path);
    const by = a.capturedBy.get(path) ?? { wantedBy: [] };
    for (const id of by.wantedBy) changed.add(id);
    state.set(path, {
      path,
      content,
      wantedBy: by.wantedBy,
      ...(by.summaries ? { summaries: by.summaries } : {}),
      ...(diffId ? { layerDiffId: diffId } : {}),
    });
  }
  return changed;
}

/** Reads a captured file, following symlinks (confined to the image root) when needed. */
export function readResolved(state: CapturedState, tree: FileTree, path: string): CapturedFile | undefined {
  const direct = state.get(path);
  if (direct) return direct;
  const resolved = tree.resolve(path);
  return resolved && resolved !== path ? state.get(resolved) : undefined;
}

class View implements CatalogView {
  private sorted: CapturedFile[] | undefined;
  constructor(
    private readonly state: CapturedState,
    private readonly tree: FileTree,
    private readonly cataloger: Cataloger,
    readonly os: OsInfo | undefined,
  ) {}
  files(): readonly CapturedFile[] {
    const id = this.cataloger.id;
    this.sorted ??= [...this.state.values()].filter((f) => f.wantedBy.includes(id)).sort((a, b) => (a.path < b.path ? -1 : 1));
    return this.sorted;
  }
  read(path: string): CapturedFile | undefined {
    return readResolved(this.state, this.tree, path);
  }
  exists(path: string): boolean {
    return this.tree.exists(path);
  }
}

function runCataloger(c: Cataloger, view: CatalogView): CatalogResult {
  try {
    return c.catalog(view);
  } catch (err) {
    // A cataloger bug must not lose the rest of the scan.
    return { packages: [], relationships: [], problems: [problem('INTERNAL', `cataloger ${c.id} failed: ${(err as Error).message}`, { source: c.id })] };
  }
}

/**
 * Applies layers bottom-up, re-running each cataloger on the squashed view after every
 * layer that changed one of its files. A package is attributed to the earliest layer from
 * which it stayed present, unchanged, up to the top: the layer that introduced this exact
 * version (an upgrade in a later layer moves it; a rewrite of the database does not).
 */
export function catalogLayers(
  analyses: readonly LayerAnalysis[],
  layers: readonly LayerRef[],
  catalogers: readonly Cataloger[],
  os: OsInfo | undefined,
  finalTree?: FileTree,
): CatalogedLayers {
  // The squashed tree of the whole image answers `exists` and symlink lookups in every view:
  // captured contents are exact per layer, while path existence at intermediate layers is
  // approximated by the final image (it only serves lookups such as distroless detection).
  const tree = finalTree ?? squash(analyses);
  const state: CapturedState = new Map();
  // Earlier runs keep only package ids (for attribution); only the last result is kept whole.
  const runs = new Map<string, { layer: number; ids: Set<string> }[]>();
  const last = new Map<string, CatalogResult>();
  analyses.forEach((a, index) => {
    const changed = applyCaptured(state, a, layers[index]?.diffId);
    for (const c of catalogers) {
      if (!changed.has(c.id)) continue;
      const result = runCataloger(c, new View(state, tree, c, os));
      const list = runs.get(c.id) ?? [];
      list.push({ layer: index, ids: new Set(result.packages.map((p) => p.id)) });
      runs.set(c.id, list);
      last.set(c.id, result);
    }
  });

  const packages: Package[] = [];
  const relationships: Relationship[] = [];
  const problems: Problem[] = [];
  for (const c of catalogers) {
    const list = runs.get(c.id);
    const final = last.get(c.id);
    if (!list || !final) continue;
    for (const pkg of final.packages) {
      let first = list.length - 1;
      while (first > 0 && list[first - 1]?.ids.has(pkg.id)) first--;
      const layer = layers[list[first]?.layer ?? -1];
      if (layer) pkg.layer = layer;
      packages.push(pkg);
    }
    relationships.push(...final.relationships);
    problems.push(...final.problems);
  }
  return { tree, packages, relationships, problems };
}
