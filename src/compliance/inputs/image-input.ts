import type { Problem } from '../../core/problem.js';
import type { LayerAnalysis } from '../../image/layers/analysis.js';
import type { LayerCache } from '../../image/layers/cache.js';
import { FileTree } from '../../image/tree/file-tree.js';
import type { ImageConfigInfo, OpenedImage } from '../../image/types.js';
import { readAllLayers } from '../../inventory/read-layers.js';
import { walkRootfs } from '../../inventory/walk-rootfs.js';
import { findSecretInFile, wantsSecretFile } from './secrets.js';

/** What the image checks (CIS Docker section 4) read: the config, its history, and facts from the file tree. */
export interface ImageInput {
  readonly reference: string;
  readonly config: ImageConfigInfo;
  /** Files with the setuid or setgid bit, in the squashed tree. */
  readonly specialFiles: readonly SpecialFile[];
  /** Files whose name and content look like credentials (the content is never kept). */
  readonly secretFiles: readonly SecretFile[];
  readonly problems: readonly Problem[];
}

export interface SpecialFile {
  readonly path: string;
  readonly mode: number;
  readonly uid: number;
  /** Index of the layer that last wrote it (-1 for `dir:` sources). */
  readonly layer: number;
}

export interface SecretFile {
  readonly path: string;
  readonly kind: string;
  readonly layer: number;
}

/** Bumped when what is captured changes: it enters the layer cache key. */
export const IMAGE_READER = { id: 'compliance-image', version: '1' } as const;
const MAX_SECRET_FILE = 64 * 1024;

export async function gatherImage(image: OpenedImage, opts: { cache?: LayerCache; onBytes?: (n: number) => void } = {}): Promise<ImageInput> {
  const wants = (path: string, info: { mode: number; size: number }) => info.size <= MAX_SECRET_FILE && wantsSecretFile(path);
  const maxFileSize = () => MAX_SECRET_FILE;
  const problems: Problem[] = [...image.problems];
  let analyses: readonly LayerAnalysis[];
  if (image.rootDir !== undefined) analyses = [walkRootfs(image.rootDir, { wants, maxFileSize })];
  else {
    const read = await readAllLayers(image, {
      wants,
      maxFileSize,
      plugins: [IMAGE_READER],
      ...(opts.cache ? { cache: opts.cache } : {}),
      ...(opts.onBytes ? { onBytes: opts.onBytes } : {}),
    });
    analyses = read.analyses;
    problems.push(...read.problems);
  }
  const tree = new FileTree();
  analyses.forEach((a, i) => {
    tree.applyLayer(i, a);
    problems.push(...a.problems);
  });
  const layerOf = (i: number) => (image.rootDir !== undefined ? -1 : i);
  const specialFiles: SpecialFile[] = [];
  const secretFiles: SecretFile[] = [];
  for (const f of tree.walk()) {
    const e = f.entry;
    if (e.type !== 'file') continue;
    if ((e.mode & 0o6000) !== 0) specialFiles.push({ path: f.path, mode: e.mode, uid: e.uid, layer: layerOf(f.layer) });
    const content = f.layer >= 0 ? analyses[f.layer]?.captured.get(f.path) : undefined;
    if (!content) continue;
    const kind = findSecretInFile(f.path, content);
    if (kind) secretFiles.push({ path: f.path, kind, layer: layerOf(f.layer) });
  }
  return { reference: image.metadata.reference, config: image.metadata.config, specialFiles, secretFiles, problems };
}
