import type { ImageSourceOptions, OpenedImage } from '../types.js';
import { archiveBlobStore } from '../oci/blob-store.js';
import { openOciLayout } from '../oci/layout.js';
import { indexArchive } from './open-index.js';

/**
 * `oci-archive:PATH[:tag]`: an OCI image layout packed in a tar (skopeo's `oci-archive:`).
 * Blobs are read in place from the tar, never unpacked.
 */
export async function openOciArchive(path: string, opts: ImageSourceOptions, selector?: string): Promise<OpenedImage> {
  const index = await indexArchive(path);
  const reference = `oci-archive:${path}${selector !== undefined ? `:${selector}` : ''}`;
  return openOciLayout(archiveBlobStore(index), { source: 'oci-archive', reference, ...(selector !== undefined ? { selector } : {}) }, opts);
}
