import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline, type Readable } from 'node:stream';
import { PortcullisError, type ErrorContext } from '../../core/errors.js';
import type { TarIndex } from '../archive/tar-index.js';
import { DigestVerifier, isDigest, verifyDigest } from '../digest.js';

/**
 * Where an OCI image layout keeps its files: a directory (`oci-dir:`) or the same tree inside
 * a tar (`oci-archive:`, Docker ≥ 25 `docker save`). Layout spec:
 * https://github.com/opencontainers/image-spec/blob/main/image-layout.md
 */
export interface BlobStore {
  /** Path shown in errors. */
  readonly where: string;
  /** A layout file such as `index.json`; undefined when absent. Larger than `cap` → IMAGE_FORMAT. */
  readFile(name: string, cap: number): Promise<Buffer | undefined>;
  /** A small blob, read whole and verified against its digest. */
  readBlob(digest: string, cap: number): Promise<Buffer>;
  /** A blob stream that fails with DIGEST_MISMATCH at its end when the bytes do not match. */
  openBlob(digest: string): Promise<Readable>;
}

/** `sha256:abc…` → `blobs/sha256/abc…`; IMAGE_FORMAT for anything but a well-formed sha256. */
export function blobPath(digest: string, where: string): string {
  if (!isDigest(digest)) throw new PortcullisError('IMAGE_FORMAT', `unsupported digest "${digest}" (only sha256 is supported)`, { path: where });
  return `blobs/sha256/${digest.slice('sha256:'.length)}`;
}

function missingBlob(digest: string, where: string): PortcullisError {
  return new PortcullisError('IMAGE_FORMAT', `blob ${digest} is missing from the layout`, { path: where, entry: digest });
}

function tooLarge(name: string, size: number, cap: number, where: string): PortcullisError {
  return new PortcullisError('IMAGE_FORMAT', `${name} is ${size} bytes, more than the ${cap}-byte limit`, { path: where, entry: name });
}

/**
 * Verifying pass-through: the source's own errors (I/O) reach the reader too. The no-op
 * listener keeps a mismatch found after the reader gave up from crashing the process; a
 * reader still consuming the stream gets the error as usual.
 */
export function verified(source: Readable, digest: string, context: ErrorContext): Readable {
  const out = pipeline(source, new DigestVerifier(digest, context), () => {});
  out.on('error', () => {});
  return out;
}

export function dirBlobStore(root: string): BlobStore {
  const sizeOf = async (rel: string): Promise<number | undefined> => {
    try {
      const st = await stat(join(root, rel));
      return st.isFile() ? st.size : undefined;
    } catch {
      return undefined;
    }
  };
  const readCapped = async (rel: string, cap: number): Promise<Buffer | undefined> => {
    const size = await sizeOf(rel);
    if (size === undefined) return undefined;
    if (size > cap) throw tooLarge(rel, size, cap, root);
    return readFile(join(root, rel));
  };
  return {
    where: root,
    readFile: readCapped,
    async readBlob(digest, cap) {
      const bytes = await readCapped(blobPath(digest, root), cap);
      if (!bytes) throw missingBlob(digest, root);
      verifyDigest(bytes, digest, { path: root, entry: digest });
      return bytes;
    },
    async openBlob(digest) {
      const rel = blobPath(digest, root);
      if ((await sizeOf(rel)) === undefined) throw missingBlob(digest, root);
      return verified(createReadStream(join(root, rel), { highWaterMark: 1 << 20 }), digest, { path: root, entry: digest });
    },
  };
}

export function archiveBlobStore(index: TarIndex): BlobStore {
  const where = index.path;
  return {
    where,
    async readFile(name, cap) {
      const m = index.resolve(name);
      if (!m) return undefined;
      if (m.size > cap) throw tooLarge(name, m.size, cap, where);
      return index.readMember(name, cap);
    },
    async readBlob(digest, cap) {
      const name = blobPath(digest, where);
      if (!index.has(name)) throw missingBlob(digest, where);
      const bytes = await index.readMember(name, cap);
      verifyDigest(bytes, digest, { path: where, entry: digest });
      return bytes;
    },
    async openBlob(digest) {
      const name = blobPath(digest, where);
      if (!index.has(name)) throw missingBlob(digest, where);
      return verified(index.openMember(name), digest, { path: where, entry: digest });
    },
  };
}
