import { stat } from 'node:fs/promises';
import { PortcullisError } from '../../core/errors.js';
import type { ImageSourceOptions, OpenedImage } from '../types.js';
import { dirBlobStore } from './blob-store.js';
import { openOciLayout } from './layout.js';

/**
 * `oci-dir:PATH[:tag]`: an OCI image layout directory (as `skopeo copy … oci:DIR:tag`
 * writes). `selector` picks by `org.opencontainers.image.ref.name`; without one the
 * platform (default linux/amd64) picks among several images.
 */
export async function openOciDir(path: string, opts: ImageSourceOptions, selector?: string): Promise<OpenedImage> {
  const st = await stat(path).catch(() => undefined);
  if (!st) throw new PortcullisError('IMAGE_NOT_FOUND', `no such directory: ${path}`, { path });
  if (!st.isDirectory()) throw new PortcullisError('IMAGE_FORMAT', `not a directory: ${path}`, { path });
  const reference = `oci-dir:${path}${selector !== undefined ? `:${selector}` : ''}`;
  return openOciLayout(dirBlobStore(path), { source: 'oci-dir', reference, ...(selector !== undefined ? { selector } : {}) }, opts);
}
