import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';
import type { LayerMeta, LayerVisitor } from '../types.js';

/**
 * Layers read at once. Decompression runs on libuv's thread pool while tar parsing runs on
 * the main thread, so two layers in flight keep two cores busy; more only adds memory.
 */
export const LAYER_CONCURRENCY = Math.max(1, Math.min(2, availableParallelism()));

/**
 * Hands each wanted layer's blob to `visit`, up to `concurrency` at a time. Each stream is
 * destroyed afterwards whatever the visitor did, so an early return or a throw never leaves
 * a file handle open. The first failure stops new layers from starting and is rethrown once
 * the layers in flight have settled.
 */
export async function readVerifiedLayers(
  layers: readonly LayerMeta[],
  wanted: (layer: LayerMeta) => boolean,
  visit: LayerVisitor,
  open: (layer: LayerMeta) => Promise<Readable>,
  concurrency = LAYER_CONCURRENCY,
): Promise<void> {
  const queue = layers.filter((l) => wanted(l));
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    for (let layer = queue.shift(); layer && !failure; layer = queue.shift()) {
      try {
        const blob = await open(layer);
        try {
          await visit(blob, layer);
        } finally {
          blob.destroy();
        }
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  if (failure) throw failure.error;
}
