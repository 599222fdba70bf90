import type { CapturedFile, CatalogResult, CatalogView, Cataloger } from '../catalog/types.js';
import type { OsInfo } from '../core/os.js';
import { problem } from '../core/problem.js';
import type { LayerAnalysis } from '../image/layers/analysis.js';
import type { TreeQueries } from './recording-tree.js';

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
export function readResolved(state: CapturedState, tree: TreeQueries, path: string): CapturedFile | undefined {
  const direct = state.get(path);
  if (direct) return direct;
  const resolved = tree.resolve(path);
  return resolved && resolved !== path ? state.get(resolved) : undefined;
}

/** One cataloger's view of the image at some layer. */
export class View implements CatalogView {
  private sorted: CapturedFile[] | undefined;
  constructor(
    private readonly state: CapturedState,
    private readonly tree: TreeQueries,
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

/** Runs one cataloger; a throw becomes an INTERNAL problem. */
export function runCataloger(c: Cataloger, view: CatalogView): CatalogResult {
  try {
    return c.catalog(view);
  } catch (err) {
    // A cataloger bug must not lose the rest of the scan.
    return { packages: [], relationships: [], problems: [problem('INTERNAL', `cataloger ${c.id} failed: ${(err as Error).message}`, { source: c.id })] };
  }
}
