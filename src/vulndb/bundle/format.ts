import { z } from 'zod';

/**
 * The offline bundle format, version 1 (README.md beside this file describes it for people
 * writing their own tools). A bundle is a plain ustar archive whose members come in a fixed
 * order: the manifest, its signature, then the files the manifest lists. The small signed
 * manifest comes first so an importer can refuse a bundle before reading the large database.
 */
export const BUNDLE_FORMAT = 'portcullis-db-bundle/1' as const;

export const MANIFEST_NAME = 'manifest.json';
export const SIGNATURE_NAME = 'manifest.sig';
/** The one file format 1 carries: the SQLite database, gzip-compressed. */
export const DB_ENTRY_NAME = 'db.sqlite.gz';

/** Upper bounds that keep an importer's memory small whatever the bundle claims. */
export const MAX_MANIFEST_BYTES = 1024 * 1024;
export const MAX_SIGNATURE_BYTES = 4096;

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a lower-case hex sha256');
const Count = z.number().int().nonnegative();
const Size = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const BundleSourceSchema = z.object({
  id: z.string().min(1).max(200),
  version: z.string().max(200),
  license: z.string().max(2000),
  status: z.string().max(200).optional(),
  fetchedAt: z.string().max(100).optional(),
  newestModified: z.string().max(100).optional(),
  advisories: Count,
  kev: Count,
  epss: Count,
});

/**
 * One member of the bundle. `size`/`sha256` describe the member's bytes as stored; for a
 * compressed member `uncompressedSize`/`uncompressedSha256` describe what it expands to, so an
 * importer can stop a decompression bomb at the declared size.
 */
export const BundleFileSchema = z.object({
  name: z.literal(DB_ENTRY_NAME),
  size: Size,
  sha256: Sha256Hex,
  compression: z.literal('gzip'),
  uncompressedSize: Size,
  uncompressedSha256: Sha256Hex,
});

export const ManifestSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  createdAt: z.string().max(100),
  createdBy: z.string().max(200).optional(),
  schemaVersion: z.number().int(),
  builtAt: z.string().max(100).optional(),
  sources: z.array(BundleSourceSchema).max(1000),
  // Format 1 carries exactly the database; a later format may list more files.
  files: z.tuple([BundleFileSchema]),
});

/** `manifest.sig`: an Ed25519 signature over the exact bytes of `manifest.json`. */
export const SignatureSchema = z.object({
  algorithm: z.literal('ed25519'),
  /** A label for people (`sha256:` of the public key by default); verification never trusts it. */
  keyId: z.string().max(200),
  signature: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'a base64 Ed25519 signature (64 bytes)'),
});

export type BundleSource = z.infer<typeof BundleSourceSchema>;
export type BundleFile = z.infer<typeof BundleFileSchema>;
export type Manifest = z.infer<typeof ManifestSchema>;
export type BundleSignature = z.infer<typeof SignatureSchema>;
