import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { sha256Digest } from '../../digest.js';
import { MEDIA } from '../../media-types.js';
import { packTar, type PackEntry } from './pack.js';

function ociLayout(dir: string): { index: { manifests: { digest: string }[] }; blob: (d: string) => Buffer } {
  const blob = (d: string): Buffer => readFileSync(join(dir, 'blobs/sha256', d.replace('sha256:', '')));
  return { index: JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')), blob };
}

/**
 * A Docker ≥ 25 style `docker save`: an OCI layout with uncompressed layers plus a
 * compatible manifest.json with LayerSources, built here from skopeo's OCI output. The
 * first layer blob is a hardlink and the second a symlink to copies under `extra/`
 * (unless `noLinks`).
 */
export async function dockerV25Archive(ociDir: string, path: string, opts: { corruptLayer?: boolean; noLinks?: boolean; config?: Buffer } = {}): Promise<{ diffIds: string[] }> {
  const { index, blob } = ociLayout(ociDir);
  const manifestIn = JSON.parse(blob(index.manifests[0]?.digest ?? '').toString()) as { config: { digest: string; mediaType: string; size: number }; layers: { digest: string }[] };
  // Docker names the config by the image id: pass `docker save`'s own config to match it.
  const configBytes = opts.config ?? blob(manifestIn.config.digest);
  const configDesc = { mediaType: MEDIA.ociConfig, digest: sha256Digest(configBytes), size: configBytes.length };
  const diffIds = (JSON.parse(configBytes.toString()) as { rootfs: { diff_ids: string[] } }).rootfs.diff_ids;
  // Docker 25 stores layers uncompressed: blob digest = diffID.
  const layers = manifestIn.layers.map((l) => gunzipSync(blob(l.digest)));
  const descriptors = layers.map((bytes) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256Digest(bytes), size: bytes.length }));
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociManifest, config: configDesc, layers: descriptors }));
  const manifestDigest = sha256Digest(manifest);
  const ociIndex = { schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: [{ mediaType: MEDIA.ociManifest, digest: manifestDigest, size: manifest.length, annotations: { 'io.containerd.image.name': 'docker.io/portcullis-test/app:v25', 'org.opencontainers.image.ref.name': 'v25' } }] };
  const hex = (d: string): string => d.replace('sha256:', '');
  const entries: PackEntry[] = [
    { name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' },
    { name: 'index.json', data: JSON.stringify(ociIndex) },
    { name: `blobs/sha256/${hex(manifestDigest)}`, data: manifest },
    { name: `blobs/sha256/${hex(configDesc.digest)}`, data: configBytes },
  ];
  layers.forEach((bytes, i) => {
    const name = `blobs/sha256/${hex(descriptors[i]?.digest ?? '')}`;
    if (opts.corruptLayer && i === 1) bytes[100] = (bytes[100] ?? 0) ^ 0xff;
    if (opts.noLinks) entries.push({ name, data: bytes });
    else if (i === 0) entries.push({ name: 'extra/layer0', data: bytes }, { name, kind: 'link', link: 'extra/layer0' });
    else if (i === 1) entries.push({ name: 'extra/layer1', data: bytes }, { name, kind: 'symlink', link: '../../extra/layer1' });
    else entries.push({ name, data: bytes });
  });
  const layerSources = Object.fromEntries(descriptors.map((d, i) => [diffIds[i], d]));
  entries.push({
    name: 'manifest.json',
    data: JSON.stringify([
      { Config: `blobs/sha256/${hex(configDesc.digest)}`, RepoTags: ['portcullis-test/app:v25'], Layers: descriptors.map((d) => `blobs/sha256/${hex(d.digest)}`), LayerSources: layerSources },
    ]),
  });
  await packTar(path, entries);
  return { diffIds };
}
