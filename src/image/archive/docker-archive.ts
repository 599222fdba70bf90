import type { Readable } from 'node:stream';
import { z } from 'zod';
import { PortcullisError } from '../../core/errors.js';
import { problem, type Problem } from '../../core/problem.js';
import { layerMetas, parseImageConfig } from '../config.js';
import { sha256Digest, verifyDigest } from '../digest.js';
import { verified } from '../oci/blob-store.js';
import { DescriptorSchema, parseJson } from '../oci/schemas.js';
import { MAX_CONFIG_BYTES } from '../oci/layout.js';
import { readVerifiedLayers } from '../oci/read-layers.js';
import type { ImageSourceOptions, LayerMeta, OpenedImage } from '../types.js';
import { indexArchive } from './open-index.js';
import type { TarIndex } from './tar-index.js';

/**
 * `docker-archive:PATH[:tag]`: the tar `docker save` writes. Docker ≤ 24 lays out
 * `<id>/layer.tar` folders; Docker ≥ 25 writes an OCI layout with `blobs/sha256/…` and keeps
 * `manifest.json` (with `LayerSources`) for compatibility. Both are read through
 * `manifest.json`; see moby's image/tarexport and SCANNER-NOTES §1.1.
 */
const ManifestEntry = z
  .object({
    Config: z.string(),
    RepoTags: z.array(z.string()).nullish(),
    Layers: z.array(z.string()),
    LayerSources: z.record(z.string(), DescriptorSchema).nullish(),
  })
  .passthrough();

const ArchiveManifest = z.array(ManifestEntry).min(1, 'manifest.json lists no images');
type Entry = z.infer<typeof ManifestEntry>;

export const MAX_ARCHIVE_MANIFEST_BYTES = 4 * 1024 * 1024;
const BLOB_MEMBER = /^blobs\/sha256\/([0-9a-f]{64})$/;

/** `blobs/sha256/<hex>` members are named by their digest, so they can be verified. */
function digestOfMember(name: string): string | undefined {
  const m = BLOB_MEMBER.exec(name.replace(/^\.?\//, ''));
  return m ? `sha256:${m[1]}` : undefined;
}

function chooseEntry(entries: readonly Entry[], path: string, selector: string | undefined, problems: Problem[]): Entry {
  if (selector !== undefined) {
    const found = entries.find((e) => (e.RepoTags ?? []).includes(selector));
    if (!found) throw new PortcullisError('IMAGE_NOT_FOUND', `no image tagged "${selector}" in the archive`, { path, reference: selector });
    return found;
  }
  const [first] = entries;
  if (!first) throw new PortcullisError('IMAGE_FORMAT', 'manifest.json lists no images', { path });
  if (entries.length > 1) {
    const tags = (first.RepoTags ?? []).join(', ') || first.Config;
    problems.push(problem('IMAGE_FORMAT', `the archive holds ${entries.length} images; using the first (${tags}); give :tag to choose`, { path }));
  }
  return first;
}

function layerDescriptor(entry: Entry, member: string, diffId: string | undefined): { digest?: string; mediaType?: string; size?: number } {
  const source = diffId ? entry.LayerSources?.[diffId] : undefined;
  if (source) {
    return { digest: source.digest, ...(source.mediaType ? { mediaType: source.mediaType } : {}), ...(source.size !== undefined ? { size: source.size } : {}) };
  }
  const digest = digestOfMember(member);
  return digest ? { digest } : {};
}

async function readManifest(index: TarIndex): Promise<Entry[]> {
  if (!index.has('manifest.json')) {
    throw new PortcullisError('IMAGE_FORMAT', 'not a docker archive: manifest.json is missing', { path: index.path });
  }
  const bytes = await index.readMember('manifest.json', MAX_ARCHIVE_MANIFEST_BYTES);
  return parseJson(ArchiveManifest, bytes, index.path, 'manifest.json');
}

function openLayer(index: TarIndex, member: string): Readable {
  const raw = index.openMember(member);
  const digest = digestOfMember(member);
  if (!digest) return raw; // legacy layer.tar: the reader checks the diffID
  return verified(raw, digest, { path: index.path, entry: member });
}

export async function openDockerArchive(path: string, _opts: ImageSourceOptions, selector?: string): Promise<OpenedImage> {
  const index = await indexArchive(path);
  const problems: Problem[] = [];
  const entry = chooseEntry(await readManifest(index), path, selector, problems);
  if (!index.has(entry.Config)) throw new PortcullisError('IMAGE_FORMAT', `config ${entry.Config} is missing from the archive`, { path, entry: entry.Config });
  const configBytes = await index.readMember(entry.Config, MAX_CONFIG_BYTES);
  const configName = digestOfMember(entry.Config);
  if (configName) verifyDigest(configBytes, configName, { path, entry: entry.Config });
  const config = parseImageConfig(configBytes, `${path} ${entry.Config}`);
  for (const member of entry.Layers) {
    if (!index.has(member)) throw new PortcullisError('IMAGE_FORMAT', `layer ${member} is missing from the archive`, { path, entry: member });
  }
  const descriptors = entry.Layers.map((member, i) => layerDescriptor(entry, member, config.diffIds[i]));
  const layers = layerMetas(config, descriptors, `${path} manifest.json`);
  const memberOf = new Map<LayerMeta, string>(layers.map((l) => [l, entry.Layers[l.index] ?? '']));
  const reference = `docker-archive:${path}${selector !== undefined ? `:${selector}` : ''}`;
  return {
    metadata: {
      source: 'docker-archive',
      reference,
      tags: entry.RepoTags ?? [],
      configDigest: sha256Digest(configBytes),
      config: config.info,
      layers,
    },
    problems,
    readLayers: (wanted, visit) => readVerifiedLayers(layers, wanted, visit, async (l) => openLayer(index, memberOf.get(l) ?? '')),
    close: async () => {},
  };
}
