import { randomBytes } from 'node:crypto';
import { closeSync, createReadStream, fstatSync, mkdirSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { PortcullisError } from '../../core/errors.js';
import { VERSION } from '../../version.js';
import { VulnDb } from '../db/open.js';
import { BUNDLE_FORMAT, type BundleSource, DB_ENTRY_NAME, MANIFEST_NAME, type Manifest, MAX_MANIFEST_BYTES, SIGNATURE_NAME } from './format.js';
import { type KeyInput, keyFingerprint, signManifest, toPrivateKey } from './keys.js';
import { fsyncPath, Measure, newFileStream } from './streams.js';

export interface ExportOptions {
  /** The database to export (as `buildDatabase` wrote it). */
  readonly dbPath: string;
  /** The bundle file to write; replaced atomically, never left half-written. */
  readonly out: string;
  /** Ed25519 private key: PEM text or a KeyObject. */
  readonly privateKey: KeyInput;
  /** Label written beside the signature; the key's `sha256:` fingerprint by default. */
  readonly keyId?: string | undefined;
  /** Now, injectable for tests. */
  readonly now?: Date | undefined;
}

export interface ExportResult {
  readonly path: string;
  readonly manifest: Manifest;
  readonly keyId: string;
  /** Size of the bundle file. */
  readonly bytes: number;
}

/**
 * Writes a signed bundle of the database at `dbPath` to `out`. The database is compressed into
 * a temp file beside `out` first (the manifest, which comes first in the bundle, needs the
 * compressed size and sha256), then the tar is written to a second temp file and renamed.
 */
export async function exportBundle(opts: ExportOptions): Promise<ExportResult> {
  if (resolve(opts.out) === resolve(opts.dbPath)) throw new PortcullisError('USAGE', `the bundle cannot be written over the database it exports (${opts.out})`, { path: opts.out });
  const key = toPrivateKey(opts.privateKey);
  const keyId = opts.keyId ?? keyFingerprint(key);
  const dir = dirname(opts.out);
  const stem = join(dir, `.${randomBytes(6).toString('hex')}`);
  const gzTmp = `${stem}.db.gz.partial`;
  const outTmp = `${stem}.bundle.partial`;
  // Hold the file open while its status is read: a build renaming a new database over
  // dbPath meanwhile must not mix one file's counts with the other's bytes.
  const dbFd = openDb(opts.dbPath);
  try {
    const db = VulnDb.open(opts.dbPath);
    const status = (() => {
      try {
        return db.status();
      } finally {
        db.close();
      }
    })();
    if (statSync(opts.dbPath).ino !== fstatSync(dbFd).ino) {
      throw new PortcullisError('DB_CORRUPT', `${opts.dbPath} was replaced while being exported; run the export again`, { path: opts.dbPath });
    }
    mkdirSync(dir, { recursive: true });
    const raw = new Measure(Number.MAX_SAFE_INTEGER, () => new Error('unreachable'));
    const gz = new Measure(Number.MAX_SAFE_INTEGER, () => new Error('unreachable'));
    await pipeline(createReadStream('', { fd: dbFd, autoClose: false }), raw, createGzip(), gz, newFileStream(gzTmp, 0o600));

    const createdAt = (opts.now ?? new Date()).toISOString();
    const manifest: Manifest = {
      format: BUNDLE_FORMAT,
      createdAt,
      createdBy: `portcullis ${VERSION}`,
      schemaVersion: status.schemaVersion,
      builtAt: status.builtAt,
      sources: status.sources.map(
        (s): BundleSource => ({
          id: s.id,
          version: s.version,
          license: s.license,
          status: s.status,
          ...(s.fetchedAt === undefined ? {} : { fetchedAt: s.fetchedAt }),
          ...(s.newestModified === undefined ? {} : { newestModified: s.newestModified }),
          advisories: s.advisories,
          kev: s.kev,
          epss: s.epss,
        }),
      ),
      files: [{ name: DB_ENTRY_NAME, size: gz.bytes, sha256: gz.sha256(), compression: 'gzip', uncompressedSize: raw.bytes, uncompressedSha256: raw.sha256() }],
    };
    const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
    if (manifestBytes.length > MAX_MANIFEST_BYTES) throw new PortcullisError('BUNDLE_FORMAT', `the manifest would be ${manifestBytes.length} bytes, more than ${MAX_MANIFEST_BYTES}`, { path: opts.out });
    const signature = signManifest(manifestBytes, key, keyId);

    await writeTar(outTmp, new Date(createdAt), [
      { name: MANIFEST_NAME, data: manifestBytes },
      { name: SIGNATURE_NAME, data: signature },
      { name: DB_ENTRY_NAME, file: gzTmp, size: gz.bytes },
    ]);
    fsyncPath(outTmp);
    renameSync(outTmp, opts.out);
    return { path: opts.out, manifest, keyId, bytes: statSync(opts.out).size };
  } catch (err) {
    rmSync(outTmp, { force: true });
    if (err instanceof PortcullisError) throw err;
    throw new PortcullisError('OUTPUT_WRITE', `writing the bundle ${opts.out} failed: ${(err as Error).message}`, { path: opts.out }, { cause: err });
  } finally {
    closeSync(dbFd);
    rmSync(gzTmp, { force: true });
  }
}

function openDb(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (err) {
    throw new PortcullisError('DB_NOT_FOUND', `cannot open the vulnerability database ${path}: ${(err as Error).message}`, { path }, { cause: err });
  }
}

type TarMember = { readonly name: string; readonly data: Buffer } | { readonly name: string; readonly file: string; readonly size: number };

async function writeTar(path: string, mtime: Date, members: readonly TarMember[]): Promise<void> {
  const pack = tar.pack();
  const written = pipeline(pack, newFileStream(path));
  const add = async () => {
    for (const m of members) {
      if ('data' in m) {
        pack.entry({ name: m.name, size: m.data.length, mode: 0o644, mtime }, m.data);
        continue;
      }
      await new Promise<void>((resolve, reject) => {
        const entry = pack.entry({ name: m.name, size: m.size, mode: 0o644, mtime }, (err) => (err ? reject(err) : resolve()));
        pipeline(createReadStream(m.file), entry).catch(reject);
      });
    }
    pack.finalize();
  };
  await Promise.all([written, add()]);
}
