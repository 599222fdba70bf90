import { PortcullisError } from '../../core/errors.js';
import { problem, type Problem } from '../../core/problem.js';
import { layerMetas, parseImageConfig } from '../config.js';
import { INDEX_TYPES, MANIFEST_TYPES, MEDIA, isLayerMediaType } from '../media-types.js';
import { formatPlatform, parsePlatform, platformMatches, type Platform } from '../platform.js';
import type { ImageSourceOptions, OpenedImage, SourceKind } from '../types.js';
import type { BlobStore } from './blob-store.js';
import { CONTAINERD_NAME, IndexSchema, LayoutFileSchema, ManifestSchema, REF_NAME, parseJson, type Descriptor } from './schemas.js';
import { readVerifiedLayers } from './read-layers.js';

/** Caps on the JSON documents of a layout; real ones are a few KiB. */
export const MAX_INDEX_BYTES = 4 * 1024 * 1024;
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;
const MAX_INDEX_DEPTH = 8;
const CONFIG_TYPES: readonly string[] = [MEDIA.ociConfig, MEDIA.dockerConfig];

export interface LayoutRequest {
  readonly source: SourceKind;
  readonly reference: string;
  /** A tag (`org.opencontainers.image.ref.name`), full name or manifest digest to pick. */
  readonly selector?: string;
}

interface Chosen {
  readonly descriptor: Descriptor;
  /** The top-level index.json entry that led to it: its annotations carry the tag. */
  readonly top: Descriptor;
}

function mediaTypeError(what: string, mediaType: string | undefined, where: string): PortcullisError {
  return new PortcullisError('IMAGE_MEDIA_TYPE', `${what} has media type "${mediaType ?? '(none)'}"`, { path: where, entry: what });
}

function matchesSelector(d: Descriptor, selector: string): boolean {
  const a = d.annotations ?? {};
  return a[REF_NAME] === selector || a[CONTAINERD_NAME] === selector || d.digest === selector;
}

/** Among several entries: the one for `want`, else the first with no platform (+ a Problem). */
function pickByPlatform(list: readonly Descriptor[], want: Platform, where: string, problems: Problem[]): Descriptor {
  const [only] = list;
  if (list.length === 1 && only) return only;
  const match = list.find((d) => {
    const p = d.platform;
    return p ? platformMatches({ os: p.os, architecture: p.architecture, ...(p.variant ? { variant: p.variant } : {}) }, want) : false;
  });
  if (match) return match;
  const unlabeled = list.find((d) => !d.platform);
  if (!unlabeled) {
    throw new PortcullisError('IMAGE_PLATFORM', `no image for ${formatPlatform(want)} in the index`, { path: where });
  }
  problems.push(problem('IMAGE_FORMAT', `the layout holds ${list.length} images; using ${unlabeled.digest} (give :tag to choose)`, { path: where }));
  return unlabeled;
}

/** Walks index.json (and nested indexes) down to one image manifest descriptor. */
async function chooseManifest(store: BlobStore, req: LayoutRequest, want: Platform, problems: Problem[]): Promise<Chosen> {
  const layoutBytes = await store.readFile('oci-layout', 64 * 1024);
  if (!layoutBytes) throw new PortcullisError('IMAGE_FORMAT', 'not an OCI image layout: oci-layout is missing', { path: store.where });
  parseJson(LayoutFileSchema, layoutBytes, store.where, 'oci-layout');
  const indexBytes = await store.readFile('index.json', MAX_INDEX_BYTES);
  if (!indexBytes) throw new PortcullisError('IMAGE_FORMAT', 'OCI layout has no index.json', { path: store.where });
  const index = parseJson(IndexSchema, indexBytes, store.where, 'index.json');
  let candidates = index.manifests;
  if (req.selector !== undefined) {
    const sel = req.selector;
    candidates = candidates.filter((d) => matchesSelector(d, sel));
    if (candidates.length === 0) throw new PortcullisError('IMAGE_NOT_FOUND', `no image tagged "${sel}" in the layout`, { path: store.where, reference: req.reference });
  }
  if (candidates.length === 0) throw new PortcullisError('IMAGE_FORMAT', 'index.json lists no images', { path: store.where });
  const top = pickByPlatform(candidates, want, store.where, problems);
  let current = top;
  for (let depth = 0; depth < MAX_INDEX_DEPTH; depth++) {
    const type = current.mediaType;
    if (type === undefined || MANIFEST_TYPES.includes(type)) return { descriptor: current, top };
    if (!INDEX_TYPES.includes(type)) throw mediaTypeError(`manifest ${current.digest}`, type, store.where);
    const nested = parseJson(IndexSchema, await store.readBlob(current.digest, MAX_INDEX_BYTES), store.where, `index ${current.digest}`);
    if (nested.manifests.length === 0) throw new PortcullisError('IMAGE_FORMAT', `index ${current.digest} lists no images`, { path: store.where });
    current = pickByPlatform(nested.manifests, want, store.where, problems);
  }
  throw new PortcullisError('IMAGE_FORMAT', `indexes nest deeper than ${MAX_INDEX_DEPTH} levels`, { path: store.where });
}

/** Opens one image of an OCI image layout held by `store`. */
export async function openOciLayout(store: BlobStore, req: LayoutRequest, opts: ImageSourceOptions, onClose: () => Promise<void> = async () => {}): Promise<OpenedImage> {
  const problems: Problem[] = [];
  const want = parsePlatform(opts.platform);
  const { descriptor, top } = await chooseManifest(store, req, want, problems);
  const manifest = parseJson(ManifestSchema, await store.readBlob(descriptor.digest, MAX_MANIFEST_BYTES), store.where, `manifest ${descriptor.digest}`);
  // The manifest's own mediaType wins when the descriptor omitted it (image-spec manifest.md).
  const manifestType = manifest.mediaType ?? descriptor.mediaType;
  if (manifestType !== undefined && !MANIFEST_TYPES.includes(manifestType)) throw mediaTypeError(`manifest ${descriptor.digest}`, manifestType, store.where);
  const configType = manifest.config.mediaType;
  if (configType === undefined || !CONFIG_TYPES.includes(configType)) throw mediaTypeError(`config ${manifest.config.digest}`, configType, store.where);
  for (const layer of manifest.layers) {
    if (layer.mediaType === undefined || !isLayerMediaType(layer.mediaType)) throw mediaTypeError(`layer ${layer.digest}`, layer.mediaType, store.where);
  }
  const configBytes = await store.readBlob(manifest.config.digest, MAX_CONFIG_BYTES);
  const config = parseImageConfig(configBytes, `${store.where} config ${manifest.config.digest}`);
  const layers = layerMetas(
    config,
    manifest.layers.map((l) => ({ digest: l.digest, ...(l.mediaType ? { mediaType: l.mediaType } : {}), ...(l.size !== undefined ? { size: l.size } : {}) })),
    `${store.where} manifest ${descriptor.digest}`,
  );
  const a = top.annotations ?? {};
  const tag = a[CONTAINERD_NAME] ?? a[REF_NAME];
  return {
    metadata: {
      source: req.source,
      reference: req.reference,
      tags: tag ? [tag] : [],
      manifestDigest: descriptor.digest,
      configDigest: manifest.config.digest,
      config: config.info,
      layers,
    },
    problems,
    readLayers: (wanted, visit) => readVerifiedLayers(layers, wanted, visit, (l) => store.openBlob(l.digest ?? '')),
    close: onClose,
  };
}
