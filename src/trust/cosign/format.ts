import { z } from 'zod';
import { PortcullisError } from '../../core/errors.js';
import type { ImageReference } from '../../image/registry/index.js';

// Cosign's registry layout, per https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md:
// signatures of `repo@sha256:X` live in the image manifest tagged `sha256-X.sig` in the same
// repository, one layer per signature; each layer is a "simple signing" payload blob and
// carries the base64 signature as an annotation.

export const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
export const CERTIFICATE_ANNOTATION = 'dev.sigstore.cosign/certificate';
export const CHAIN_ANNOTATION = 'dev.sigstore.cosign/chain';
/** The Rekor "bundle" (SET + entry) of the legacy format; not needed for key-based checks. */
export const REKOR_BUNDLE_ANNOTATION = 'dev.sigstore.cosign/bundle';
export const COSIGN_SIGNATURE_TYPE = 'cosign container image signature';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

/** At most this many signatures are read from one signature manifest. */
export const MAX_SIGNATURE_LAYERS = 256;
/** Payloads are a few hundred bytes; anything far larger is not a simple-signing payload. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** `sha256:abc…` → `sha256-abc….sig`, the tag cosign stores signatures under. */
export function signatureTag(digest: string): string {
  if (!DIGEST.test(digest)) throw new PortcullisError('SIGNATURE_INVALID', `"${digest.slice(0, 100)}" is not a sha256 digest`);
  return `${digest.replace(':', '-')}.sig`;
}

const Descriptor = z.object({
  mediaType: z.string().max(256),
  digest: z.string().regex(DIGEST, 'digest must be sha256:<64 hex>'),
  size: z.number().int().nonnegative(),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type SignatureLayer = z.infer<typeof Descriptor>;

/** The signature manifest: an OCI (or Docker schema 2) image manifest whose layers are payloads. */
export const SignatureManifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  config: Descriptor,
  layers: z.array(Descriptor).max(MAX_SIGNATURE_LAYERS, `more than ${MAX_SIGNATURE_LAYERS} signatures`),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type SignatureManifest = z.infer<typeof SignatureManifestSchema>;

/**
 * The simple-signing payload (containers/image docs/containers-signature.5.md, "JSON data
 * format"). Keys in `critical` are matched case-insensitively by containers/image; cosign
 * writes the lowercase spelling, which is all we accept.
 */
export const SimpleSigningSchema = z.object({
  critical: z.object({
    identity: z.object({ 'docker-reference': z.string().max(4096) }),
    image: z.object({ 'docker-manifest-digest': z.string().max(200) }),
    type: z.string().max(200),
  }),
  optional: z.record(z.string(), z.unknown()).nullable().optional(),
});
export type SimpleSigning = z.infer<typeof SimpleSigningSchema>;

/**
 * The repository name cosign writes as docker-reference: go-containerregistry's
 * `Repository.Name()`, which spells Docker Hub as `index.docker.io`.
 */
export function dockerReference(ref: ImageReference): string {
  const registry = ref.registry === 'docker.io' ? 'index.docker.io' : ref.registry;
  return `${registry}/${ref.repository}`;
}

/**
 * Builds the payload cosign would sign for `digest` in `ref`'s repository, byte for byte the
 * same JSON as sigstore's `payload.Cosign.MarshalJSON` (field order included), so signatures
 * made by either tool look alike.
 */
export function buildPayload(ref: ImageReference, digest: string, annotations?: Readonly<Record<string, string>>): Buffer {
  const doc = {
    critical: {
      identity: { 'docker-reference': dockerReference(ref) },
      image: { 'docker-manifest-digest': digest },
      type: COSIGN_SIGNATURE_TYPE,
    },
    optional: annotations && Object.keys(annotations).length > 0 ? annotations : null,
  };
  return Buffer.from(JSON.stringify(doc));
}
