/**
 * The native JSON SBOM (`--format json`), schema `portcullis-sbom/1`: a direct, stable
 * serialisation of the Inventory. Other tools and our end-to-end tests read it, so field
 * names only ever get added to; a rename or removal needs `portcullis-sbom/2`.
 *
 * Conventions: absent optional fields are omitted (never null), except `os`, which is
 * `null` when no operating system was detected. Packages are sorted by type, name,
 * version, arch, id; relationships by from, type, to. Digests are `sha256:<hex>`.
 */
import { z } from 'zod';
import { ERROR_CATALOGUE, type ErrorCode } from '../core/errors.js';
import { PACKAGE_TYPES } from '../core/package.js';

export const NATIVE_SBOM_SCHEMA_ID = 'portcullis-sbom/1';

const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as [ErrorCode, ...ErrorCode[]];

/** A layer: position in the image (0 = base), uncompressed diffID, blob digest, history step. */
export const NativeLayerSchema = z.object({
  index: z.number().int().nonnegative(),
  diffId: z.string(),
  digest: z.string().optional(),
  createdBy: z.string().optional(),
});

export const NativePackageSchema = z.object({
  /** Stable within one document, e.g. `deb:libssl3@3.0.15-1~deb12u1:amd64`. */
  id: z.string(),
  type: z.enum(PACKAGE_TYPES),
  name: z.string(),
  /** As the package database writes it (deb/rpm epoch included). */
  version: z.string(),
  arch: z.string().optional(),
  /** rpm epoch as stored. */
  epoch: z.number().int().optional(),
  /** Source package (deb Source, rpm SOURCERPM name/version, apk origin). */
  source: z.object({ name: z.string(), version: z.string() }).optional(),
  purl: z.string(),
  /** Licenses as the package database states them (not normalised). */
  licenses: z.array(z.string()),
  /** `cataloger-id@version`. */
  foundBy: z.string(),
  /** Database or manifest files the package was read from. */
  locations: z.array(z.object({ path: z.string(), layerDiffId: z.string().optional() })),
  /** The layer that introduced this exact version. */
  layer: NativeLayerSchema.optional(),
  /** Files the package owns, absolute paths. */
  files: z.array(z.string()).optional(),
  /** Cataloger-specific details (JSON values only). */
  metadata: z.record(z.string(), z.unknown()).optional(),
});

export const NativeSbomSchema = z.object({
  schema: z.literal(NATIVE_SBOM_SCHEMA_ID),
  tool: z.object({ name: z.literal('portcullis'), version: z.string() }),
  /** ISO 8601 time of the scan. */
  createdAt: z.string(),
  image: z.object({
    reference: z.string(),
    source: z.enum(['docker-archive', 'oci-dir', 'oci-archive', 'registry', 'docker', 'dir']),
    tags: z.array(z.string()),
    manifestDigest: z.string().optional(),
    /** The image id. */
    configDigest: z.string().optional(),
    repoDigests: z.array(z.string()),
    os: z.string(),
    architecture: z.string(),
    variant: z.string().optional(),
    created: z.string().optional(),
    labels: z.record(z.string(), z.string()),
  }),
  os: z
    .object({
      id: z.string(),
      versionId: z.string(),
      versionCodename: z.string().optional(),
      prettyName: z.string().optional(),
      idLike: z.array(z.string()).optional(),
      distroless: z.boolean().optional(),
      source: z.string(),
    })
    .nullable(),
  layers: z.array(NativeLayerSchema),
  packages: z.array(NativePackageSchema),
  relationships: z.array(
    z.object({ from: z.string(), to: z.string(), type: z.enum(['built-from', 'owned-by', 'depends-on', 'contains']) }),
  ),
  problems: z.array(
    z.object({
      code: z.enum(ERROR_CODES),
      message: z.string(),
      layer: z.string().optional(),
      path: z.string().optional(),
      source: z.string().optional(),
    }),
  ),
  catalogers: z.array(z.object({ id: z.string(), version: z.string() })),
});

export type NativeSbom = z.infer<typeof NativeSbomSchema>;
export type NativePackage = z.infer<typeof NativePackageSchema>;
