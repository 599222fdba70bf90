import { type ErrorContext, PortcullisError } from '../core/errors.js';
import { sha256Digest } from '../image/digest.js';
import { pushBlob, pushManifest, fetchRawManifest, openRepository, parseReference, type RegistryLimits, type RepoEndpoint } from '../image/registry/index.js';
import { MANIFEST_ACCEPT } from '../image/registry/manifest.js';
import type { ImageSourceOptions } from '../image/types.js';
import {
  buildPayload,
  DOCKER_MANIFEST,
  MAX_SIGNATURE_LAYERS,
  OCI_CONFIG,
  OCI_MANIFEST,
  SIGNATURE_ANNOTATION,
  type SignatureManifest,
  SignatureManifestSchema,
  signatureTag,
  SIMPLE_SIGNING_MEDIA_TYPE,
} from './cosign/format.js';
import { type SigningKey, signPayload, verifyPayload } from './keys.js';

export interface SignImageOptions extends Pick<ImageSourceOptions, 'insecure' | 'username' | 'password' | 'dockerConfig' | 'signal'> {
  /** Extra claims for the payload's `optional` section (cosign's `-a key=value`). */
  readonly annotations?: Readonly<Record<string, string>>;
  readonly limits?: Partial<RegistryLimits>;
}

export interface SignImageResult {
  /** The manifest digest that was signed. */
  readonly digest: string;
  /** `registry/repository:sha256-<hex>.sig`. */
  readonly signatureRef: string;
  readonly signatureManifestDigest: string;
  readonly keyId: string;
  /** Number of signatures in the signature manifest afterwards. */
  readonly signatures: number;
  /** False when an identical signature by this key was already there (nothing pushed). */
  readonly added: boolean;
}

/**
 * The config cosign gives a signature image (go-containerregistry's empty image plus one
 * layer per signature): zero-valued fields and one diff_id and history entry per payload.
 */
export function signatureConfig(layerDigests: readonly string[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      architecture: '',
      created: '0001-01-01T00:00:00Z',
      history: layerDigests.map(() => ({ created: '0001-01-01T00:00:00Z' })),
      os: '',
      rootfs: { type: 'layers', diff_ids: layerDigests },
      config: {},
    }),
  );
}

interface ExistingSignatures {
  /** Layer descriptors exactly as stored (unknown fields and annotations kept). */
  readonly layers: Record<string, unknown>[];
  readonly parsed: SignatureManifest | undefined;
  readonly digest: string | undefined;
}

async function existingSignatures(ep: RepoEndpoint, tag: string, ctx: ErrorContext): Promise<ExistingSignatures> {
  const raw = await fetchRawManifest(ep, tag, `${OCI_MANIFEST}, ${DOCKER_MANIFEST}`, ctx);
  if (!raw) return { layers: [], parsed: undefined, digest: undefined };
  let json: unknown;
  try {
    json = JSON.parse(raw.bytes.toString('utf8'));
  } catch {
    json = undefined;
  }
  const parsed = SignatureManifestSchema.safeParse(json);
  if (!parsed.success) {
    throw new PortcullisError('SIGNATURE_INVALID', `the existing signature manifest ${tag} is not a valid image manifest; refusing to overwrite it`, ctx);
  }
  return { layers: (json as { layers: Record<string, unknown>[] }).layers, parsed: parsed.data, digest: raw.digest };
}

/**
 * Signs the image `ref` names the way `cosign sign --key` does: a simple-signing payload for
 * the manifest digest, signed with `signer`, appended as a layer to the signature manifest
 * under `sha256-<hex>.sig` in the same repository (created when absent). Needs push rights.
 */
export async function signImage(ref: string, signer: SigningKey, opts: SignImageOptions = {}): Promise<SignImageResult> {
  const parsed = parseReference(ref);
  const ctx: ErrorContext = { reference: ref };
  const { endpoint: ep } = await openRepository(ref, opts, 'pull,push', opts.limits ?? {});
  // Resolve (or, for a digest reference, confirm) the manifest the user means.
  const target = await fetchRawManifest(ep, parsed.digest ?? parsed.tag ?? 'latest', MANIFEST_ACCEPT, ctx);
  if (!target) throw new PortcullisError('IMAGE_NOT_FOUND', `${ref} does not exist in the registry`, ctx);
  const digest = target.digest;
  const tag = signatureTag(digest);
  const signatureRef = `${parsed.registry}/${parsed.repository}:${tag}`;

  const payload = buildPayload(parsed, digest, opts.annotations);
  const existing = await existingSignatures(ep, tag, { ...ctx, reference: signatureRef });
  // Cosign's dupe detection: a payload for this digest that our key already signed is enough.
  for (const layer of existing.parsed?.layers ?? []) {
    const sig = layer.annotations?.[SIGNATURE_ANNOTATION];
    if (layer.mediaType !== SIMPLE_SIGNING_MEDIA_TYPE || !sig || layer.digest !== sha256Digest(payload)) continue;
    if (verifyPayload(signer, payload, Buffer.from(sig, 'base64'))) {
      return { digest, signatureRef, signatureManifestDigest: existing.digest ?? '', keyId: signer.keyId, signatures: existing.layers.length, added: false };
    }
  }
  if (existing.layers.length >= MAX_SIGNATURE_LAYERS) {
    throw new PortcullisError('SIGNATURE_INVALID', `${signatureRef} already holds ${existing.layers.length} signatures, the most a verifier reads; not adding another`, ctx);
  }

  const signature = signPayload(signer, payload).toString('base64');
  const payloadBlob = await pushBlob(ep, payload, ctx);
  const layers = [
    ...existing.layers,
    { mediaType: SIMPLE_SIGNING_MEDIA_TYPE, size: payload.length, digest: payloadBlob, annotations: { [SIGNATURE_ANNOTATION]: signature } },
  ];
  const config = signatureConfig(layers.map((l) => String(l.digest)));
  const configDigest = await pushBlob(ep, config, ctx);
  const manifest = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: OCI_CONFIG, size: config.length, digest: configDigest }, layers }),
  );
  const signatureManifestDigest = await pushManifest(ep, tag, manifest, OCI_MANIFEST, { ...ctx, reference: signatureRef });
  return { digest, signatureRef, signatureManifestDigest, keyId: signer.keyId, signatures: layers.length, added: true };
}
