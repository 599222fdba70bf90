import { z } from 'zod';
import { PortcullisError, type ErrorContext } from '../../core/errors.js';
import { INDEX_TYPES, MANIFEST_TYPES, MEDIA } from '../media-types.js';
import { formatPlatform, platformMatches, type Platform } from '../platform.js';

// Descriptors, manifests and indexes per the OCI image spec (descriptor.md, manifest.md,
// image-index.md); Docker's schema2 and manifest list use the same field names.
const DigestString = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'digest must be sha256:<64 hex>');
const Descriptor = z.object({
  mediaType: z.string(),
  digest: DigestString,
  size: z.number().int().nonnegative(),
  platform: z.object({ os: z.string(), architecture: z.string(), variant: z.string().optional() }).optional(),
});
export type Descriptor = z.infer<typeof Descriptor>;

const ImageManifest = z.object({ schemaVersion: z.literal(2), config: Descriptor, layers: z.array(Descriptor).max(10_000) });
export type ImageManifest = z.infer<typeof ImageManifest>;
const ImageIndex = z.object({ schemaVersion: z.literal(2), manifests: z.array(Descriptor).max(10_000) });
export type ImageIndex = z.infer<typeof ImageIndex>;

export type ParsedManifest =
  | { readonly kind: 'index'; readonly mediaType: string; readonly index: ImageIndex }
  | { readonly kind: 'manifest'; readonly mediaType: string; readonly manifest: ImageManifest };

/** Accept header for manifest GETs: the four types we can read. */
export const MANIFEST_ACCEPT = [MEDIA.ociIndex, MEDIA.ociManifest, MEDIA.dockerList, MEDIA.dockerManifest].join(', ');

const SCHEMA1 = new Set<string>([MEDIA.dockerSchema1, MEDIA.dockerSchema1Signed]);

/**
 * Parses manifest bytes. The media type comes from the document's `mediaType` field when
 * present, else from Content-Type. Schema1 and unknown types end the run with IMAGE_MEDIA_TYPE.
 */
export function parseManifest(bytes: Buffer, contentType: string | null, ctx: ErrorContext): ParsedManifest {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new PortcullisError('REGISTRY_PROTOCOL', 'manifest is not JSON', ctx);
  }
  if (typeof json !== 'object' || json === null) throw new PortcullisError('REGISTRY_PROTOCOL', 'manifest is not a JSON object', ctx);
  const doc = json as { mediaType?: unknown; schemaVersion?: unknown };
  const header = contentType?.split(';')[0]?.trim().toLowerCase();
  const mediaType = typeof doc.mediaType === 'string' ? doc.mediaType : (header ?? '');
  if (SCHEMA1.has(mediaType) || doc.schemaVersion === 1) {
    throw new PortcullisError('IMAGE_MEDIA_TYPE', 'Docker schema1 manifests are not supported; re-push the image with a current client', ctx);
  }
  const kind = INDEX_TYPES.includes(mediaType) ? 'index' : MANIFEST_TYPES.includes(mediaType) ? 'manifest' : undefined;
  if (!kind) throw new PortcullisError('IMAGE_MEDIA_TYPE', `manifest media type "${mediaType.slice(0, 120)}" is not an image manifest or index`, ctx);
  const schema = kind === 'index' ? ImageIndex : ImageManifest;
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PortcullisError('REGISTRY_PROTOCOL', `${kind} is invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`, ctx);
  }
  return kind === 'index'
    ? { kind, mediaType, index: parsed.data as ImageIndex }
    : { kind, mediaType, manifest: parsed.data as ImageManifest };
}

function platformOf(d: Descriptor): Platform | undefined {
  if (!d.platform) return undefined;
  const { os, architecture, variant } = d.platform;
  return variant ? { os, architecture, variant } : { os, architecture };
}

/** Picks the index entry for `want`; IMAGE_PLATFORM lists what the index offers. */
export function selectPlatform(index: ImageIndex, want: Platform, ctx: ErrorContext): Descriptor {
  const usable = index.manifests.filter((d) => INDEX_TYPES.includes(d.mediaType) || MANIFEST_TYPES.includes(d.mediaType));
  // Prefer an entry whose variant is spelled out over one that omits it.
  const exact = usable.find((d) => want.variant && d.platform?.variant === want.variant && platformMatches(platformOf(d), want));
  const found = exact ?? usable.find((d) => platformMatches(platformOf(d), want));
  if (found) return found;
  const offered = usable
    .map((d) => { const p = platformOf(d); return p ? formatPlatform(p) : 'unspecified'; })
    .filter((p) => p !== 'unknown/unknown');
  throw new PortcullisError('IMAGE_PLATFORM', `no image for ${formatPlatform(want)}; the index offers: ${[...new Set(offered)].join(', ') || 'nothing usable'}`, ctx);
}
