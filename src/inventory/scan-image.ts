import type { Inventory } from '../catalog/inventory.js';
import { wantsOsFile } from '../catalog/os/index.js';
import type { Cataloger, EntryInfo, FileSummary } from '../catalog/types.js';
import type { LayerRef } from '../core/package.js';
import type { Problem } from '../core/problem.js';
import type { CaptureInfo, LayerAnalysis } from '../image/layers/analysis.js';
import type { LayerCache } from '../image/layers/cache.js';
import type { LayerMeta, OpenedImage } from '../image/types.js';
import { applyCaptured, type CapturedState } from './captured-state.js';
import { catalogedOf, LayerFold, withOwnership } from './layer-fold.js';
import { type ReadLayersOptions, supplyLayers } from './read-layers.js';
import { layerChangesSeen, presentAncestors } from './recording-tree.js';
import { ScanCache, type ScanState } from './scan-cache.js';
import { walkRootfs } from './walk-rootfs.js';

export interface ScanOptions {
  readonly catalogers: readonly Cataloger[];
  readonly toolVersion: string;
  readonly cache?: LayerCache;
  readonly now?: Date;
  readonly maxLayerBytes?: number;
  readonly onLayerStart?: (meta: LayerMeta | undefined) => void;
  readonly onBytes?: (n: number) => void;
}

const DEFAULT_MAX_FILE = 64 * 1024 * 1024;
const OS_FILE_MAX = 64 * 1024;

/**
 * How the scan was made: `cold` folded every layer; `warm` took a cached scan of the whole
 * image; `extended` took a cached scan of its lower layers and found the layers above change
 * nothing it depends on; `resumed` took a cached scan of its lower layers and cataloged the
 * layers above on top of it.
 */
export type ScanMode = 'cold' | 'warm' | 'extended' | 'resumed';

export interface ScanResult {
  readonly inventory: Inventory;
  /** Layers whose analysis came from the layer cache, or whose scan was cached. */
  readonly cacheHits: number;
  readonly mode: ScanMode;
}

const EMPTY = Buffer.alloc(0);

/**
 * Decides what to keep of a captured file: who wanted it, the summaries of the catalogers
 * that summarize, and the bytes only if some wanter (or OS detection) needs them.
 */
export function captureFor(catalogers: readonly Cataloger[], path: string, data: Buffer, entry: EntryInfo): { keep: Buffer; info: CaptureInfo } {
  const wantedBy: string[] = [];
  const summaries: Record<string, FileSummary> = {};
  let needBytes = wantsOsFile(path);
  for (const c of catalogers) {
    if (!c.wants(path, entry)) continue;
    wantedBy.push(c.id);
    if (!c.summarize) {
      needBytes = true;
      continue;
    }
    try {
      summaries[c.id] = c.summarize({ path, content: data });
    } catch (err) {
      summaries[c.id] = { error: `summarize failed: ${(err as Error).message}` };
    }
  }
  const info: CaptureInfo = Object.keys(summaries).length > 0 ? { wantedBy, summaries } : { wantedBy };
  return { keep: needBytes ? data : EMPTY, info };
}

function readOptions(opts: ScanOptions, plugins: ReadLayersOptions['plugins']): ReadLayersOptions {
  const { catalogers } = opts;
  return {
    wants: (path, info) => wantsOsFile(path) || catalogers.some((c) => c.wants(path, info)),
    maxFileSize: (path, info) => {
      let max = wantsOsFile(path) ? OS_FILE_MAX : 0;
      for (const c of catalogers) if (c.wants(path, info)) max = Math.max(max, c.maxFileSize ?? DEFAULT_MAX_FILE);
      return max;
    },
    onCapture: (path, data, entry) => captureFor(catalogers, path, data, entry),
    // As captureFor decides: bytes are kept for OS detection and catalogers that do not summarize.
    keepsBytes: (path, info) => wantsOsFile(path) || catalogers.some((c) => !c.summarize && c.wants(path, info)),
    plugins,
    ...(opts.cache ? { cache: opts.cache } : {}),
    ...(opts.maxLayerBytes ? { maxLayerBytes: opts.maxLayerBytes } : {}),
    ...(opts.onLayerStart ? { onLayerStart: opts.onLayerStart } : {}),
    ...(opts.onBytes ? { onBytes: opts.onBytes } : {}),
  };
}

/** The snapshot of a fold and its final stage (ownership on the top view). */
function stateOf(fold: LayerFold, catalogers: readonly Cataloger[]): ScanState {
  const snapshot = fold.snapshot();
  return { snapshot, final: fold.finalStage(catalogedOf(snapshot, catalogers, []).packages) };
}

/** The longest cached prefix of the image's layers, if any. */
function longestCached(scans: ScanCache, keys: readonly string[], problems: Problem[]): ScanState | undefined {
  for (let k = keys.length - 1; k >= 0; k--) {
    const key = keys[k] as string;
    if (!scans.has(key)) continue;
    const state = scans.get(key, problems);
    if (state && state.snapshot.layers === k + 1) return state;
  }
  return undefined;
}

/**
 * Whether layers added on top of a cached scan leave it valid: they capture no file, remove
 * or overwrite none of the captured ones (so no cataloger would run again, and OS detection
 * reads the same files), and change nothing OS detection and ownership looked up.
 */
export function layersChangeNothing(final: ScanState['final'], added: readonly LayerAnalysis[]): boolean {
  const probe: CapturedState = new Map(final.captured.map((path) => [path, { path, content: EMPTY, wantedBy: ['*'] }]));
  const above = presentAncestors(final.seen);
  for (const a of added) {
    if (a.captured.size > 0) return false;
    if (applyCaptured(probe, a, undefined).size > 0) return false;
    if (layerChangesSeen(final.seen, above, a)) return false;
  }
  return true;
}

const range = (from: number, to: number): number[] => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);

/**
 * Image → layers (each read once, cached) folded bottom-up through the catalogers →
 * inventory. With a cache, the scan of the longest cached layer prefix is reused: the whole
 * image (nothing is read), or its lower layers (only the layers above are read; when they
 * change nothing the cached scan depends on, it stands as is, else cataloging resumes from it).
 */
export async function scanImage(image: OpenedImage, opts: ScanOptions): Promise<ScanResult> {
  const { catalogers } = opts;
  const plugins = [{ id: 'os', version: '1' }, ...catalogers.map((c) => ({ id: c.id, version: c.version }))];
  const read = readOptions(opts, plugins);
  const problems: Problem[] = [...image.problems];
  const inventoryOf = (state: ScanState, layers: readonly LayerRef[]): Inventory => {
    const cataloged = catalogedOf(state.snapshot, catalogers, layers);
    const { packages, relationships } = withOwnership(cataloged, state.final.ownership);
    return {
      tool: { name: 'portcullis', version: opts.toolVersion },
      createdAt: (opts.now ?? new Date()).toISOString(),
      image: image.metadata,
      os: state.snapshot.os,
      layers,
      packages,
      relationships,
      problems: [...problems, ...cataloged.problems],
      catalogers: catalogers.map((c) => ({ id: c.id, version: c.version })),
    };
  };

  if (image.rootDir !== undefined) {
    const fold = new LayerFold(catalogers, [undefined]);
    fold.step(0, walkRootfs(image.rootDir, read));
    return { inventory: inventoryOf(stateOf(fold, catalogers), []), cacheHits: 0, mode: 'cold' };
  }

  const metas = image.metadata.layers;
  const n = metas.length;
  const layers: LayerRef[] = metas.map((m) => ({
    index: m.index,
    diffId: m.diffId,
    ...(m.digest ? { digest: m.digest } : {}),
    ...(m.createdBy !== undefined ? { createdBy: m.createdBy } : {}),
  }));
  const diffIds = metas.map((m) => m.diffId);
  const scans = opts.cache ? new ScanCache(opts.cache.root) : undefined;
  // Keyed like the layer cache (blob digest, else diffID): the reader's problems name the
  // layer by that label, so a cached scan is reused only where it would read the same.
  const keys = scans ? ScanCache.prefixKeys(metas.map((m) => m.digest ?? m.diffId), plugins) : [];
  const cached = scans && n > 0 ? longestCached(scans, keys, problems) : undefined;
  if (cached && cached.snapshot.layers === n) return { inventory: inventoryOf(cached, layers), cacheHits: n, mode: 'warm' };

  let state: ScanState;
  let mode: ScanMode;
  let cacheHits: number;
  if (cached) {
    const k = cached.snapshot.layers;
    const added: LayerAnalysis[] = [];
    const top = await supplyLayers(image, range(k, n), read, (_i, a) => added.push(a));
    problems.push(...top.problems);
    if (layersChangeNothing(cached.final, added)) {
      const layerProblems = [...cached.snapshot.layerProblems, ...added.map((a) => a.problems)];
      state = { ...cached, snapshot: { ...cached.snapshot, layers: n, layerProblems } };
      mode = 'extended';
      cacheHits = k + top.cacheHits;
    } else {
      const fold = new LayerFold(catalogers, diffIds, { from: cached.snapshot });
      const below = await supplyLayers(image, range(0, k), read, (i, a) => fold.replay(i, a));
      problems.push(...below.problems);
      added.forEach((a, j) => fold.step(k + j, a));
      state = stateOf(fold, catalogers);
      mode = 'resumed';
      cacheHits = k + top.cacheHits;
    }
  } else {
    // Folding only once every layer is read measured lower peak memory than folding each
    // layer as it arrives: cataloging's garbage then never meets the read buffers in flight.
    const analyses: LayerAnalysis[] = [];
    const all = await supplyLayers(image, range(0, n), read, (_i, a) => analyses.push(a));
    problems.push(...all.problems);
    const fold = new LayerFold(catalogers, diffIds);
    // Each analysis is dropped once applied (the tree keeps what it needs of it).
    for (let i = 0, a = analyses.shift(); a; i++, a = analyses.shift()) fold.step(i, a);
    state = stateOf(fold, catalogers);
    mode = 'cold';
    cacheHits = all.cacheHits;
  }
  if (scans && n > 0) scans.put(keys[n - 1] as string, state);
  return { inventory: inventoryOf(state, layers), cacheHits, mode };
}
