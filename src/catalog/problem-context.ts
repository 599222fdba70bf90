import type { CapturedFile } from './types.js';

/** Where a cataloger's problem happened: the file, the layer that wrote it, the cataloger. */
export function fileContext(file: Pick<CapturedFile, 'path' | 'layerDiffId'>, source: string): { path: string; source: string; layer?: string } {
  return { path: file.path, source, ...(file.layerDiffId ? { layer: file.layerDiffId } : {}) };
}
