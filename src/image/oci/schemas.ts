import { z } from 'zod';
import { PortcullisError } from '../../core/errors.js';

// OCI descriptor, index and manifest (image-spec descriptor.md, image-index.md, manifest.md);
// Docker's manifest list and schema 2 manifest have the same shape.
export const DescriptorSchema = z
  .object({
    mediaType: z.string().optional(),
    digest: z.string(),
    size: z.number().int().nonnegative().optional(),
    annotations: z.record(z.string(), z.string()).nullish(),
    platform: z
      .object({ os: z.string(), architecture: z.string(), variant: z.string().optional() })
      .passthrough()
      .nullish(),
  })
  .passthrough();

export type Descriptor = z.infer<typeof DescriptorSchema>;

export const IndexSchema = z
  .object({
    schemaVersion: z.number().optional(),
    mediaType: z.string().optional(),
    manifests: z.array(DescriptorSchema),
  })
  .passthrough();

export const ManifestSchema = z
  .object({
    schemaVersion: z.number().optional(),
    mediaType: z.string().optional(),
    config: DescriptorSchema,
    layers: z.array(DescriptorSchema),
  })
  .passthrough();

export const LayoutFileSchema = z.object({ imageLayoutVersion: z.string() }).passthrough();

/** Parses JSON bytes with `schema`; IMAGE_FORMAT naming `where` when either step fails. */
export function parseJson<T>(schema: z.ZodType<T>, bytes: Buffer, where: string, what: string): T {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new PortcullisError('IMAGE_FORMAT', `${what} is not JSON: ${(err as Error).message}`, { path: where, entry: what });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PortcullisError('IMAGE_FORMAT', `${what} is invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`, { path: where, entry: what });
  }
  return parsed.data;
}

export const REF_NAME = 'org.opencontainers.image.ref.name';
/** containerd / Docker ≥ 25 put the full image name here. */
export const CONTAINERD_NAME = 'io.containerd.image.name';
