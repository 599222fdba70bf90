import { z } from 'zod';
import { type ErrorContext } from '../../core/errors.js';
import { fetchRawManifest, fetchSmallBlob, type RepoEndpoint } from '../../image/registry/index.js';
import { getAuthed } from '../../image/registry/blobs.js';
import { readCapped } from '../../image/registry/http.js';
import { OCI_MANIFEST } from '../cosign/format.js';
import { MAX_BUNDLE_BYTES } from './bundle.js';

// Sigstore bundles attached as OCI 1.1 referrers, as cosign ≥ 2.6 stores them
// (https://github.com/sigstore/cosign/blob/main/specs/BUNDLE_SPEC.md): the referrers API
// first, then the referrers tag schema `sha256-<hex>` for registries without it.

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const BUNDLE_TYPE_PREFIX = 'application/vnd.dev.sigstore.bundle';
/** Bundles read per image at most; an image with more is unusual and the rest are ignored. */
export const MAX_REFERRER_BUNDLES = 32;

const Descriptor = z.object({ mediaType: z.string(), digest: z.string().regex(/^sha256:[0-9a-f]{64}$/), size: z.number().int().nonnegative(), artifactType: z.string().optional() });
const Index = z.object({ manifests: z.array(Descriptor).max(10_000) });
const ArtifactManifest = z.object({ artifactType: z.string().optional(), layers: z.array(Descriptor).max(64) });

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

async function referrersIndex(ep: RepoEndpoint, digest: string, ctx: ErrorContext): Promise<unknown> {
  const url = new URL(`/v2/${ep.repository}/referrers/${digest}`, ep.base);
  const reply = await getAuthed(ep, url, { accept: OCI_INDEX }, ctx);
  const type = reply.res.headers.get('content-type') ?? '';
  if (reply.res.ok && type.startsWith(OCI_INDEX)) {
    return parseJson(await readCapped(reply, ep.transport.limits.maxDocumentBytes, ep.transport, 'referrers index', ctx));
  }
  // 404 (no referrers API) or anything that is not an index: fall back to the tag schema.
  await reply.res.body?.cancel().catch(() => undefined);
  const tagged = await fetchRawManifest(ep, digest.replace(':', '-'), OCI_INDEX, ctx);
  return tagged ? parseJson(tagged.bytes) : undefined;
}

/** Texts of the Sigstore bundles attached to `digest`; storage errors throw. */
export async function fetchReferrerBundles(ep: RepoEndpoint, digest: string, ctx: ErrorContext): Promise<string[]> {
  const parsed = Index.safeParse(await referrersIndex(ep, digest, ctx));
  if (!parsed.success) return [];
  const wanted = parsed.data.manifests.filter((m) => m.artifactType?.startsWith(BUNDLE_TYPE_PREFIX) && m.mediaType === OCI_MANIFEST).slice(0, MAX_REFERRER_BUNDLES);
  const texts: string[] = [];
  for (const entry of wanted) {
    const raw = await fetchRawManifest(ep, entry.digest, OCI_MANIFEST, ctx);
    if (!raw) continue;
    const manifest = ArtifactManifest.safeParse(parseJson(raw.bytes));
    const layer = manifest.success ? manifest.data.layers.find((l) => l.mediaType.startsWith(BUNDLE_TYPE_PREFIX)) : undefined;
    if (!layer || layer.size > MAX_BUNDLE_BYTES) continue;
    texts.push((await fetchSmallBlob(ep, layer.digest, layer.size, 'Sigstore bundle', { ...ctx, path: layer.digest })).toString('utf8'));
  }
  return texts;
}
