import type { Inventory } from '../catalog/inventory.js';
import { detectOs, wantsOsFile } from '../catalog/os/index.js';
import type { Cataloger, EntryInfo, FileSummary } from '../catalog/types.js';
import type { LayerRef } from '../core/package.js';
import type { Problem } from '../core/problem.js';
import type { CaptureInfo, LayerAnalysis } from '../image/layers/analysis.js';
import type { LayerCache } from '../image/layers/cache.js';
import { FileTree } from '../image/tree/file-tree.js';
import type { LayerMeta, OpenedImage } from '../image/types.js';
import { applyCaptured, type CapturedState, catalogLayers, readResolved } from './catalog-layers.js';
import { keptPackages, linkOwnership } from './ownership.js';
import { readAllLayers } from './read-layers.js';
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

export interface ScanResult {
  readonly inventory: Inventory;
  readonly tree: FileTree;
  readonly cacheHits: number;
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

/** Image → layers (read once, cached) → squashed tree → catalogers → inventory. */
export async function scanImage(image: OpenedImage, opts: ScanOptions): Promise<ScanResult> {
  const { catalogers } = opts;
  const wants = (path: string, info: EntryInfo): boolean => wantsOsFile(path) || catalogers.some((c) => c.wants(path, info));
  const onCapture = (path: string, data: Buffer, entry: EntryInfo): { keep: Buffer; info: CaptureInfo } => captureFor(catalogers, path, data, entry);
  const maxFileSize = (path: string, info?: EntryInfo): number => {
    let max = wantsOsFile(path) ? OS_FILE_MAX : 0;
    for (const c of catalogers) if (c.wants(path, info)) max = Math.max(max, c.maxFileSize ?? DEFAULT_MAX_FILE);
    return max;
  };
  const plugins = [{ id: 'os', version: '1' }, ...catalogers.map((c) => ({ id: c.id, version: c.version }))];
  const problems: Problem[] = [...image.problems];

  let analyses: readonly LayerAnalysis[];
  let layers: LayerRef[];
  let cacheHits = 0;
  if (image.rootDir !== undefined) {
    analyses = [walkRootfs(image.rootDir, { wants, maxFileSize, onCapture })];
    layers = [];
  } else {
    const read = await readAllLayers(image, {
      wants,
      maxFileSize,
      onCapture,
      plugins,
      ...(opts.cache ? { cache: opts.cache } : {}),
      ...(opts.maxLayerBytes ? { maxLayerBytes: opts.maxLayerBytes } : {}),
      ...(opts.onLayerStart ? { onLayerStart: opts.onLayerStart } : {}),
      ...(opts.onBytes ? { onBytes: opts.onBytes } : {}),
    });
    analyses = read.analyses;
    cacheHits = read.cacheHits;
    problems.push(...read.problems);
    layers = image.metadata.layers.map((m) => ({
      index: m.index,
      diffId: m.diffId,
      ...(m.digest ? { digest: m.digest } : {}),
      ...(m.createdBy !== undefined ? { createdBy: m.createdBy } : {}),
    }));
  }
  for (const a of analyses) problems.push(...a.problems);

  // Pass 1: the final squashed state, to detect the OS every cataloger's purls depend on.
  const finalTree = new FileTree();
  const finalState: CapturedState = new Map();
  analyses.forEach((a, i) => {
    finalTree.applyLayer(i, a);
    applyCaptured(finalState, a, layers[i]?.diffId);
  });
  const detection = detectOs(
    (path) => readResolved(finalState, finalTree, path)?.content,
    (path) => finalTree.exists(path),
  );
  problems.push(...detection.problems);

  // Pass 2: layer by layer, for attribution.
  const cataloged = catalogLayers(analyses, layers, catalogers, detection.os, finalTree);
  problems.push(...cataloged.problems);
  const owned = linkOwnership(cataloged.packages, cataloged.tree);
  const { packages, dropped } = keptPackages(cataloged.packages, owned);
  const relationships = [...cataloged.relationships, ...owned.relationships].filter((r) => !dropped.has(r.from) && !dropped.has(r.to));

  const inventory: Inventory = {
    tool: { name: 'portcullis', version: opts.toolVersion },
    createdAt: (opts.now ?? new Date()).toISOString(),
    image: image.metadata,
    os: detection.os,
    layers,
    packages,
    relationships,
    problems,
    catalogers: catalogers.map((c) => ({ id: c.id, version: c.version })),
  };
  return { inventory, tree: cataloged.tree, cacheHits };
}
