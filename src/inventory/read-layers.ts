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

/**
 * Reads every layer of an image once (or takes it from the cache) and returns the analyses
 * in layer order. Each computed diffID is checked against the config's diff_ids: a layer
 * whose content is not what the image claims ends the scan with DIGEST_MISMATCH.
 */
export async function readAllLayers(image: OpenedImage, opts: ReadLayersOptions): Promise<LayersRead> {
  const layers = image.metadata.layers;
  const analyses: (LayerAnalysis | undefined)[] = new Array(layers.length).fill(undefined);
  const problems: Problem[] = [];
  const keyOf = (m: LayerMeta): string => LayerCache.key(m.digest ?? m.diffId, opts.plugins);
  let cacheHits = 0;
  if (opts.cache) {
    for (const meta of layers) {
      const hit = opts.cache.get(keyOf(meta), problems);
      if (hit && hit.diffId === meta.diffId) {
        analyses[meta.index] = hit;
        cacheHits++;
      }
    }
  }
  const byDiffId = new Map<string, LayerMeta[]>();
  for (const m of layers) byDiffId.set(m.diffId, [...(byDiffId.get(m.diffId) ?? []), m]);

  await image.readLayers(
    (meta) => analyses[meta.index] === undefined,
    async (blob, meta) => {
      opts.onLayerStart?.(meta);
      const label = meta ? (meta.digest ?? meta.diffId) : 'layer';
      const analysis = await analyzeLayer(blob, {
        wants: opts.wants,
        maxFileSize: opts.maxFileSize,
        ...(opts.onCapture ? { onCapture: opts.onCapture } : {}),
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
        analyses[t.index] = analysis;
        opts.cache?.put(keyOf(t), analysis);
      }
    },
  );

  const missing = layers.filter((m) => analyses[m.index] === undefined);
  if (missing.length > 0) {
    throw new PortcullisError('IMAGE_FORMAT', `the image source did not provide ${missing.length} layer(s): ${missing.map((m) => m.diffId).join(', ')}`, {
      layer: missing[0]?.diffId,
    });
  }
  return { analyses: analyses as LayerAnalysis[], problems, cacheHits };
}
