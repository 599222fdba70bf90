import { randomBytes } from 'node:crypto';
import { closeSync, createReadStream, fsyncSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { PortcullisError } from '../../core/errors.js';
import { type DbStatus, VulnDb } from '../db/open.js';
import { SCHEMA_VERSION } from '../db/schema.js';
import { DB_ENTRY_NAME, MANIFEST_NAME, type Manifest, MAX_MANIFEST_BYTES, MAX_SIGNATURE_BYTES, SIGNATURE_NAME } from './format.js';
import { type KeyInput, toPublicKey, verifyManifest } from './keys.js';
import { checkMember, inflateVerified, parseManifest, receiveMember } from './members.js';
import { readCapped } from './streams.js';

export interface ImportOptions {
  /** The bundle: a file path, or a stream of its bytes (e.g. stdin). */
  readonly bundle: string | Readable;
  /** The database to replace (or create). */
  readonly dbPath: string;
  /** Ed25519 public keys (PEM or KeyObject); the manifest must verify with one of them. */
  readonly trustedKeys: readonly KeyInput[];
}

export interface ImportResult {
  readonly path: string;
  readonly manifest: Manifest;
  /** Fingerprint of the trusted key that verified the bundle. */
  readonly keyId: string;
  readonly status: DbStatus;
}

/**
 * Installs a bundle as the database at `dbPath`. In order: the signature over the manifest
 * against the trusted keys, the manifest, each member's size and sha256 while it is copied to a
 * temp file beside `dbPath`, the database's expanded size and sha256, then that it opens with
 * this schema version; only then is it renamed over `dbPath`. Readers that opened the old file
 * keep reading it. On any failure the temp files are removed and `dbPath` is untouched.
 */
export async function importBundle(opts: ImportOptions): Promise<ImportResult> {
  if (opts.trustedKeys.length === 0) throw new PortcullisError('BUNDLE_SIGNATURE', 'no trusted key given: a bundle is only imported when its signature verifies');
  const keys = opts.trustedKeys.map(toPublicKey);
  const dir = dirname(opts.dbPath);
  const stem = join(dir, `.${randomBytes(6).toString('hex')}`);
  const gzTmp = `${stem}.importing.gz`;
  const dbTmp = `${stem}.importing`;
  const source = typeof opts.bundle === 'string' ? createReadStream(opts.bundle) : opts.bundle;
  const bundleName = typeof opts.bundle === 'string' ? opts.bundle : 'bundle stream';
  let sourceError: Error | undefined;
  source.once('error', (err: Error) => {
    sourceError ??= err;
  });
  const extract = tar.extract();
  pipeline(source, extract, () => {});
  try {
    mkdirSync(dir, { recursive: true });
    const seen = new Set<string>();
    let manifestBytes: Buffer | undefined;
    let verified: { manifest: Manifest; keyId: string } | undefined;
    let received = false;
    for await (const entry of extract) {
      const name = checkMember(entry.header, seen);
      // streamx streams are async-iterable at run time; its typings do not say so.
      const body = entry as unknown as AsyncIterable<Buffer>;
      const size = entry.header.size;
      if (!manifestBytes) {
        if (name !== MANIFEST_NAME) throw new PortcullisError('BUNDLE_FORMAT', `a bundle starts with ${MANIFEST_NAME}, this one with ${JSON.stringify(name)}`, { entry: name });
        manifestBytes = await readCapped(body, size, MAX_MANIFEST_BYTES, name);
      } else if (!verified) {
        if (name !== SIGNATURE_NAME) throw new PortcullisError('BUNDLE_SIGNATURE', `the bundle is not signed: ${JSON.stringify(name)} follows ${MANIFEST_NAME} where ${SIGNATURE_NAME} belongs`, { entry: name });
        const keyId = verifyManifest(manifestBytes, await readCapped(body, size, MAX_SIGNATURE_BYTES, name), keys);
        const manifest = parseManifest(manifestBytes);
        // Refused here rather than after copying gigabytes; the copy is checked again below.
        if (manifest.schemaVersion !== SCHEMA_VERSION) {
          throw new PortcullisError('DB_SCHEMA', `the bundle holds a schema version ${manifest.schemaVersion} database, this Portcullis reads version ${SCHEMA_VERSION}`, { entry: MANIFEST_NAME });
        }
        verified = { manifest, keyId };
      } else if (!received) {
        if (name !== DB_ENTRY_NAME) throw new PortcullisError('BUNDLE_FORMAT', `unexpected member ${JSON.stringify(name)}: ${DB_ENTRY_NAME} follows the signature`, { entry: name });
        await receiveMember(body, size, verified.manifest.files[0], gzTmp);
        received = true;
      } else {
        throw new PortcullisError('BUNDLE_FORMAT', `unexpected member ${JSON.stringify(name)} after the files the manifest lists`, { entry: name });
      }
    }
    if (!verified || !received) {
      const missing = !manifestBytes ? MANIFEST_NAME : !verified ? SIGNATURE_NAME : DB_ENTRY_NAME;
      throw new PortcullisError('BUNDLE_FORMAT', `the bundle ends before ${missing}: it is truncated or not a bundle`, { entry: missing });
    }
    await inflateVerified(gzTmp, verified.manifest.files[0], dbTmp);
    rmSync(gzTmp, { force: true });
    const status = checkDatabase(dbTmp);
    renameSync(dbTmp, opts.dbPath);
    syncDirectory(dir);
    return { path: opts.dbPath, manifest: verified.manifest, keyId: verified.keyId, status: { ...status, path: opts.dbPath } };
  } catch (err) {
    rmSync(gzTmp, { force: true });
    rmSync(dbTmp, { force: true });
    throw classify(err, sourceError, bundleName);
  } finally {
    extract.destroy();
    source.destroy();
  }
}

/** Opens the copy the way scans will (schema version included) and reads its status. */
function checkDatabase(path: string): DbStatus {
  let db: VulnDb;
  try {
    db = VulnDb.open(path);
  } catch (err) {
    if (err instanceof PortcullisError) throw new PortcullisError(err.code, `the bundle's database: ${err.message}`, { entry: DB_ENTRY_NAME }, { cause: err });
    throw err;
  }
  try {
    return db.status();
  } finally {
    db.close();
  }
}

/** Makes the rename durable; directories cannot be fsynced everywhere, where not it is skipped. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // The rename itself has happened; only its durability across a power cut is not forced.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function classify(err: unknown, sourceError: Error | undefined, bundle: string): PortcullisError {
  if (sourceError) return new PortcullisError('BUNDLE_FORMAT', `cannot read ${bundle}: ${sourceError.message}`, { path: bundle }, { cause: sourceError });
  if (err instanceof PortcullisError) return err;
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.syscall === 'string') return new PortcullisError('OUTPUT_WRITE', `cannot write the database: ${e.message}`, {}, { cause: err });
  // tar-stream's own errors: a header that is not tar, or the stream ending inside a member.
  return new PortcullisError('BUNDLE_FORMAT', `${bundle} is not a complete bundle: ${e?.message ?? String(err)}`, { path: bundle }, { cause: err });
}
