import type { CapturedFile, CatalogView } from '../../types.js';
import { binaryCataloger } from '../index.js';

/** A view over files summarized as the layer reader would hand them over (bytes dropped). */
export function viewOf(files: { path: string; content: Buffer; layer?: string }[]): CatalogView {
  const captured: CapturedFile[] = files.map((f) => ({
    path: f.path,
    content: Buffer.alloc(0),
    wantedBy: ['binary'],
    layerDiffId: f.layer ?? `sha256:${'a'.repeat(64)}`,
    summaries: { binary: binaryCataloger.summarize?.({ path: f.path, content: f.content }) ?? null },
  }));
  const byPath = new Map(captured.map((f) => [f.path, f]));
  return { files: () => captured, read: (p) => byPath.get(p), exists: (p) => byPath.has(p), os: undefined };
}
