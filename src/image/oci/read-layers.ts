import type { Readable } from 'node:stream';
import type { LayerMeta, LayerVisitor } from '../types.js';

/**
 * Hands each wanted layer's blob to `visit`, one at a time in layer order. The stream is
 * destroyed afterwards whatever the visitor did, so an early return or a throw never leaves
 * a file handle open.
 */
export async function readVerifiedLayers(
  layers: readonly LayerMeta[],
  wanted: (layer: LayerMeta) => boolean,
  visit: LayerVisitor,
  open: (layer: LayerMeta) => Promise<Readable>,
): Promise<void> {
  for (const layer of layers) {
    if (!wanted(layer)) continue;
    const blob = await open(layer);
    try {
      await visit(blob, layer);
    } finally {
      blob.destroy();
    }
  }
}
