import { PortcullisError } from '../core/errors.js';
import type { Problem } from '../core/problem.js';
import type { CaptureInfo, LayerAnalysis } from '../image/layers/analysis.js';
import { analyzeLayer, DEFAULT_MAX_LAYER_BYTES } from '../image/layers/analyze-layer.js';
import { LayerCache } from '../image/layers/cache.js';
import type { LayerMeta, OpenedImage } from '../image/types.js';

export interface ReadLayersOptions {
  wants(path: string, info: { mode: number; size: number }): boolean;
  maxFileSize(path: string, info?: { mode: number; size: number }): number;
  onCapture?(path: string, data: Buffer, entry: { mode: number; size: number }): { keep: Buffer; info: CaptureInfo };
  /** False when `onCapture` keeps none of the file's bytes (see AnalyzeOptions.keepsBytes). */
  keepsBytes?(path: string, info: { mode: number; size: number }): boolean;
  /** Plugins whose versions enter the cache key. */
  readonly plugins: readonly { id: string; version: string }[];
  readonly cache?: LayerCache;
  readonly maxLayerBytes?: number;
  readonly onLayerStart?: (meta: LayerMeta | undefined) => void;
  readonly onBytes?: (n: number) => void;
}

export interface LayersRead {
  readonly analyses: readonly LayerAnalysis[];
  readonly problems: Problem[];
  readonly cacheHits: number;
}

export interface LayersSupplied {
  readonly problems: Problem[];
  readonly cacheHits: number;
}

/**
 * Hands the analyses of the layers `indices` (ascending) to `onLayer` in layer order, each
 * taken from the cache or read from the image once (and then cached). A layer is handed on
 * as soon as every layer below it has been, so a caller can fold layers while later ones
 * are still being read, and drop each analysis once applied: only layers that finish out of
 * order wait in memory. Each computed diffID is checked against the config's diff_ids: a
 * layer whose content is not what the image claims ends the scan with DIGEST_MISMATCH.
 */
export async function supplyLayers(
  image: OpenedImage,
  indices: readonly number[],
  opts: ReadLayersOptions,
  onLayer: (index: number, analysis: LayerAnalysis) => void,
): Promise<LayersSupplied> {
  const layers = image.metadata.layers;
  const problems: Problem[] = [];
  const keyOf = (m: LayerMeta): string => LayerCache.key(m.digest ?? m.diffId, opts.plugins);
  const cache = opts.cache;
  const cached = new Set(cache ? indices.filter((i) => layers[i] && cache.has(keyOf(layers[i]))) : []);
  const ready = new Map<number, LayerAnalysis>();
  let next = 0;
  let cacheHits = 0;

  const drain = (): void => {
    while (next < indices.length) {
      const index = indices[next] as number;
      let analysis = ready.get(index);
      if (analysis) ready.delete(index);
      else if (cache && cached.has(index)) {
        const meta = layers[index] as LayerMeta;
        const hit = cache.get(keyOf(meta), problems);
        cached.delete(index);
        // A corrupt or mismatched entry is a miss: the layer is read in a later pass.
        if (!hit || hit.diffId !== meta.diffId) return;
        analysis = hit;
        cacheHits++;
      } else return;
      next++;
      onLayer(index, analysis);
    }
  };

  const byDiffId = new Map<string, LayerMeta[]>();
  for (const m of layers) byDiffId.set(m.diffId, [...(byDiffId.get(m.diffId) ?? []), m]);
  const readPass = async (want: ReadonlySet<number>): Promise<void> => {
    await image.readLayers(
      (meta) => want.has(meta.index),
      async (blob, meta) => {
        opts.onLayerStart?.(meta);
        const label = meta ? (meta.digest ?? meta.diffId) : 'layer';
        const analysis = await analyzeLayer(blob, {
          wants: opts.wants,
          maxFileSize: opts.maxFileSize,
          ...(opts.onCapture ? { onCapture: opts.onCapture } : {}),
          ...(opts.keepsBytes ? { keepsBytes: opts.keepsBytes } : {}),
          maxLayerBytes: opts.maxLayerBytes ?? DEFAULT_MAX_LAYER_BYTES,
          label,
          // Sources verify every blob digest they have (OpenedImage contract); that check binds
          // the content, so the diffID is taken from the config instead of hashing the tar again.
          ...(meta?.digest ? { trustedDiffId: meta.diffId } : {}),
          ...(opts.onBytes ? { onBytes: opts.onBytes } : {}),
        });
        let targets: LayerMeta[];
        if (meta) {
          if (analysis.diffId !== meta.diffId) {
            throw new PortcullisError('DIGEST_MISMATCH', `layer ${meta.index} content hashes to ${analysis.diffId}, but the config says ${meta.diffId}`, { layer: label });
          }
          targets = [meta];
        } else {
          // Sources that cannot name a layer before reading it: identify it by its diffID.
          targets = byDiffId.get(analysis.diffId) ?? [];
          if (targets.length === 0) {
            problems.push({ code: 'IMAGE_FORMAT', message: `ignored a layer (${analysis.diffId}) the image config does not list`, layer: analysis.diffId });
            return;
          }
        }
        for (const t of targets) {
          opts.cache?.put(keyOf(t), analysis);
          if (want.has(t.index)) ready.set(t.index, analysis);
        }
        drain();
      },
    );
  };

  drain();
  // One pass over the layers not cached; another for each cache entry that proved corrupt
  // (every pass reads the layer the fold waits for, or stops when the source lacks it).
  while (next < indices.length) {
    const before = next;
    const want = new Set(indices.slice(next).filter((i) => !cached.has(i) && !ready.has(i)));
    if (want.size === 0) break;
    await readPass(want);
    drain();
    if (next === before) break;
  }
  if (next < indices.length) {
    const missing = indices.slice(next).map((i) => layers[i]?.diffId ?? `#${i}`);
    throw new PortcullisError('IMAGE_FORMAT', `the image source did not provide ${missing.length} layer(s): ${missing.join(', ')}`, { layer: missing[0] });
  }
  return { problems, cacheHits };
}

/** Every layer's analysis, in layer order (see `supplyLayers`). */
export async function readAllLayers(image: OpenedImage, opts: ReadLayersOptions): Promise<LayersRead> {
  const analyses: LayerAnalysis[] = [];
  const all = image.metadata.layers.map((m) => m.index);
  const { problems, cacheHits } = await supplyLayers(image, all, opts, (_i, a) => analyses.push(a));
  return { analyses, problems, cacheHits };
}
