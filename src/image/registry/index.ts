import { PortcullisError, type ErrorContext } from '../../core/errors.js';
import { layerMetas, parseImageConfig } from '../config.js';
import { sha256Digest } from '../digest.js';
import { isLayerMediaType, MEDIA } from '../media-types.js';
import { parsePlatform, type Platform } from '../platform.js';
import type { ImageSourceOptions, LayerMeta, OpenedImage } from '../types.js';
import { answerChallenge, authorize } from './auth.js';
import { fetchSmallBlob, getAuthed, repoUrl, streamLayer, type RepoEndpoint } from './blobs.js';
import { resolveCredentials } from './credentials.js';
import { DEFAULT_LIMITS, readCapped, statusError, type RegistryLimits, type Transport } from './http.js';
import { MANIFEST_ACCEPT, parseManifest, selectPlatform, type ImageManifest } from './manifest.js';
import { displayName, isLoopbackHost, manifestReference, parseReference } from './reference.js';

export { parseReference, isLoopbackHost, type ImageReference } from './reference.js';
export { DEFAULT_LIMITS, type RegistryLimits } from './http.js';
export { parseChallenge, type Challenge } from './auth.js';
export { resolveCredentials, type Credentials } from './credentials.js';
export { fetchRawManifest, openRepository, type OpenedRepository, type RawManifest } from './repository.js';
export { blobExists, pushBlob, pushManifest } from './push.js';
export { fetchSmallBlob, type RepoEndpoint } from './blobs.js';
export type { RepositoryActions } from './auth.js';

const CONFIG_TYPES = new Set<string>([MEDIA.ociConfig, MEDIA.dockerConfig]);
// An index may point at another index (OCI image-index.md); bound the recursion.
const MAX_INDEX_DEPTH = 4;

interface ResolvedManifest {
  readonly manifest: ImageManifest;
  readonly digest: string;
  /** Digest of what the reference names (an index for multi-platform images). */
  readonly topDigest: string;
}

/** GETs one manifest, verifies its digest when one is expected, and parses it. */
async function fetchManifest(ep: RepoEndpoint, ref: string, expected: string | undefined, ctx: ErrorContext) {
  const reply = await getAuthed(ep, repoUrl(ep, 'manifests', ref), { accept: MANIFEST_ACCEPT }, ctx);
  if (!reply.res.ok) {
    reply.abort.abort();
    throw statusError(reply.res, `manifest ${ref}`, ctx);
  }
  const bytes = await readCapped(reply, ep.transport.limits.maxDocumentBytes, ep.transport, `manifest ${ref}`, ctx);
  const digest = sha256Digest(bytes);
  const header = reply.res.headers.get('docker-content-digest');
  if (expected !== undefined && digest !== expected) {
    throw new PortcullisError('DIGEST_MISMATCH', `manifest should be ${expected} but hashes to ${digest}`, ctx);
  }
  if (header?.startsWith('sha256:') && header !== digest) {
    throw new PortcullisError('DIGEST_MISMATCH', `Docker-Content-Digest says ${header} but the manifest hashes to ${digest}`, ctx);
  }
  return { digest, parsed: parseManifest(bytes, reply.res.headers.get('content-type'), ctx) };
}

/** Follows index → platform manifest until an image manifest is reached. */
async function resolveManifest(ep: RepoEndpoint, ref: string, pinned: string | undefined, platform: Platform, ctx: ErrorContext): Promise<ResolvedManifest> {
  let { digest, parsed } = await fetchManifest(ep, ref, pinned, ctx);
  const topDigest = digest;
  for (let depth = 0; parsed.kind === 'index'; depth++) {
    if (depth >= MAX_INDEX_DEPTH) throw new PortcullisError('REGISTRY_PROTOCOL', `indexes nested deeper than ${MAX_INDEX_DEPTH}`, ctx);
    const chosen = selectPlatform(parsed.index, platform, ctx);
    ({ digest, parsed } = await fetchManifest(ep, chosen.digest, chosen.digest, ctx));
  }
  return { manifest: parsed.manifest, digest, topDigest };
}

function transportFor(opts: ImageSourceOptions, limits: Partial<RegistryLimits>): Transport {
  return { insecure: opts.insecure === true, limits: { ...DEFAULT_LIMITS, ...limits }, signal: opts.signal };
}

/**
 * Opens an image in a registry through the OCI distribution API
 * (https://github.com/opencontainers/distribution-spec/blob/main/spec.md). Manifest and
 * config are fetched and verified now; layers are streamed by `readLayers`. `limits` exists
 * for tests and tuning; callers normally leave it out.
 */
export async function openRegistryImage(ref: string, opts: ImageSourceOptions, limits: Partial<RegistryLimits> = {}): Promise<OpenedImage> {
  const parsedRef = parseReference(ref);
  const ctx: ErrorContext = { reference: ref };
  const platform = parsePlatform(opts.platform);
  if (opts.insecure && !isLoopbackHost(parsedRef.apiHost)) {
    throw new PortcullisError('REGISTRY_INSECURE', `--insecure (plain HTTP) is allowed only for loopback registries, not ${parsedRef.apiHost}`, ctx);
  }
  const transport = transportFor(opts, limits);
  const base = new URL(`${opts.insecure ? 'http' : 'https'}://${parsedRef.apiHost}/`);
  const creds = await resolveCredentials(parsedRef.registry, opts);
  const authorization = await authorize(base, parsedRef.repository, creds, transport, ctx);
  const reauthorize = (challenge: string) => answerChallenge(challenge, parsedRef.repository, creds, transport, ctx);
  const ep: RepoEndpoint = { base, repository: parsedRef.repository, authorization, transport, reauthorize };

  const resolved = await resolveManifest(ep, manifestReference(parsedRef), parsedRef.digest, platform, ctx);
  const { config, layers } = resolved.manifest;
  if (!CONFIG_TYPES.has(config.mediaType)) {
    throw new PortcullisError('IMAGE_MEDIA_TYPE', `config media type "${config.mediaType}" is not an image config (an artifact?)`, ctx);
  }
  const odd = layers.find((l) => !isLayerMediaType(l.mediaType));
  if (odd) throw new PortcullisError('IMAGE_MEDIA_TYPE', `layer media type "${odd.mediaType}" is not a known layer type`, { ...ctx, layer: odd.digest });
  const configBytes = await fetchSmallBlob(ep, config.digest, config.size, 'image config', { ...ctx, path: config.digest });
  const parsedConfig = parseImageConfig(configBytes, `${ref} config ${config.digest}`);
  const metas: LayerMeta[] = layerMetas(parsedConfig, layers, `${ref} manifest ${resolved.digest}`);

  const name = displayName(parsedRef);
  return {
    metadata: {
      source: 'registry',
      reference: ref,
      tags: parsedRef.tag !== undefined ? [`${name}:${parsedRef.tag}`] : [],
      manifestDigest: resolved.digest,
      configDigest: config.digest,
      repoDigests: [`${name}@${resolved.topDigest}`],
      config: parsedConfig.info,
      layers: metas,
    },
    problems: [],
    async readLayers(wanted, visit) {
      // One at a time: layers can be large and the visitor decides the pace.
      for (const meta of metas) {
        if (wanted(meta)) await streamLayer(ep, meta, visit, ctx);
      }
    },
    async close() {
      // Nothing held open between calls: every request owns its connection.
    },
  };
}
