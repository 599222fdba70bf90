import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildTar, type TarItem } from '../../../test/helpers/tar-builder.js';
import { sha256Digest } from '../../image/digest.js';
import { MEDIA } from '../../image/media-types.js';

/** tar-stream stamps entries with the current time: a layer is built once so every image shares its bytes. */
const built = new WeakMap<readonly TarItem[], Buffer>();

async function tarOf(items: readonly TarItem[]): Promise<Buffer> {
  let tar = built.get(items);
  if (!tar) {
    tar = await buildTar(items);
    built.set(items, tar);
  }
  return tar;
}

/**
 * Writes an OCI image layout (image-spec image-layout.md) holding one image whose layers are
 * the given tar item lists, gzip-compressed, with one history step per layer. Layers shared
 * by two layouts are byte-identical, so they share blob digests and diffIDs, as images
 * built FROM one another do.
 */
export async function writeOciLayout(dir: string, layers: readonly (readonly TarItem[])[]): Promise<string[]> {
  const blobs = join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const put = (bytes: Buffer): { digest: string; size: number } => {
    const digest = sha256Digest(bytes);
    writeFileSync(join(blobs, digest.slice('sha256:'.length)), bytes);
    return { digest, size: bytes.length };
  };
  const diffIds: string[] = [];
  const layerDescs = [];
  for (const items of layers) {
    const tar = await tarOf(items);
    diffIds.push(sha256Digest(tar));
    layerDescs.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...put(gzipSync(tar, { level: 1 })) });
  }
  const config = put(
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: diffIds },
        history: diffIds.map((_, i) => ({ created_by: `step ${i}` })),
      }),
    ),
  );
  const manifest = put(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociManifest, config: { mediaType: MEDIA.ociConfig, ...config }, layers: layerDescs })));
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: [{ mediaType: MEDIA.ociManifest, ...manifest, platform: { os: 'linux', architecture: 'amd64' } }] }),
  );
  return diffIds;
}
