import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPortcullisError } from '../../core/errors.js';
import { type Manifest, MAX_MANIFEST_BYTES } from './format.js';
import { exportBundle, generateKeyPair, importBundle, type KeyInput } from './index.js';
import { signManifest } from './keys.js';
import { makeDb, type RawMember, readRawTar, sha256, writeRawTar } from './testdata/helpers.js';

/**
 * Every way a bundle can be wrong: each import must fail with its code, leave the database in
 * use byte-identical and leave no temp file beside it.
 */

const signer = generateKeyPair();
const stranger = generateKeyPair();
let root: string;
let oldDb: Buffer;
let bundleBytes: Buffer;
let M: Buffer; // manifest.json as exported
let S: Buffer; // manifest.sig
let D: Buffer; // db.sqlite.gz
let sourceDb: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'portcullis-bundle-hostile-'));
  sourceDb = join(root, 'source.db');
  await makeDb(sourceDb, 20);
  const oldPath = join(root, 'old.db');
  await makeDb(oldPath, 3);
  oldDb = readFileSync(oldPath);
  const good = join(root, 'good.bundle');
  await exportBundle({ dbPath: sourceDb, out: good, privateKey: signer.privateKey });
  bundleBytes = readFileSync(good);
  [M, S, D] = (await readRawTar(good)).map((m) => m.data) as [Buffer, Buffer, Buffer];
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const member = (name: string, data: Buffer | string): RawMember => ({ name, data: Buffer.isBuffer(data) ? data : Buffer.from(data) });
const manifestOf = (): Manifest => JSON.parse(M.toString()) as Manifest;
const bytesOf = (m: unknown): Buffer => Buffer.from(JSON.stringify(m));

/** A bundle whose manifest describes `db` (a gzip member) and is signed by the trusted key. */
function signedFor(db: Buffer, edit: (m: Manifest) => unknown = (m) => m): RawMember[] {
  const m = manifestOf();
  const file = m.files[0];
  const manifest = edit({ ...m, files: [{ ...file, size: db.length, sha256: sha256(db) }] });
  const bytes = Buffer.isBuffer(manifest) ? manifest : bytesOf(manifest);
  return [member('manifest.json', bytes), member('manifest.sig', signManifest(bytes, signer.privateKey)), member('db.sqlite.gz', db)];
}

function flip(b: Buffer, at: number): Buffer {
  const c = Buffer.from(b);
  c[at] = (c[at] ?? 0) ^ 0xff;
  return c;
}

/** Offsets in the exported bundle: each member is a 512-byte header then data padded to 512. */
function offsets(): { sigHeader: number; dbData: number } {
  const pad = (n: number) => Math.ceil(n / 512) * 512;
  const sigHeader = 512 + pad(M.length);
  return { sigHeader, dbData: sigHeader + 512 + pad(S.length) + 512 };
}

type Case = {
  readonly name: string;
  readonly code: string;
  /** The bundle: tar members, or raw bytes. */
  readonly bundle: () => RawMember[] | Buffer | Promise<RawMember[] | Buffer>;
  readonly trusted?: () => KeyInput[];
  readonly message?: RegExp;
};

const cases: Case[] = [
  { name: 'unsigned bundle', code: 'BUNDLE_SIGNATURE', bundle: () => [member('manifest.json', M), member('db.sqlite.gz', D)] },
  { name: 'signature by a different key', code: 'BUNDLE_SIGNATURE', bundle: () => [member('manifest.json', M), member('manifest.sig', signManifest(M, stranger.privateKey)), member('db.sqlite.gz', D)] },
  {
    name: 'manifest edited after signing',
    code: 'BUNDLE_SIGNATURE',
    bundle: () => [member('manifest.json', M.toString().replace('"advisories": 20', '"advisories": 21')), member('manifest.sig', S), member('db.sqlite.gz', D)],
  },
  { name: 'manifest one byte changed', code: 'BUNDLE_SIGNATURE', bundle: () => [member('manifest.json', flip(M, 40)), member('manifest.sig', S), member('db.sqlite.gz', D)] },
  { name: 'signature file is garbage', code: 'BUNDLE_SIGNATURE', bundle: () => [member('manifest.json', M), member('manifest.sig', 'hello'), member('db.sqlite.gz', D)] },
  { name: 'no trusted key given', code: 'BUNDLE_SIGNATURE', bundle: () => [member('manifest.json', M), member('manifest.sig', S), member('db.sqlite.gz', D)], trusted: () => [] },
  {
    name: 'trusted key is an RSA key',
    code: 'BUNDLE_SIGNATURE',
    bundle: () => [member('manifest.json', M), member('manifest.sig', S), member('db.sqlite.gz', D)],
    trusted: () => [generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey],
  },
  { name: 'db bytes flipped', code: 'BUNDLE_HASH', bundle: () => [member('manifest.json', M), member('manifest.sig', S), member('db.sqlite.gz', flip(D, Math.floor(D.length / 2)))] },
  { name: 'db bytes flipped in the bundle file', code: 'BUNDLE_HASH', bundle: () => flip(bundleBytes, offsets().dbData + 100) },
  { name: 'db member longer than listed', code: 'BUNDLE_HASH', bundle: () => [member('manifest.json', M), member('manifest.sig', S), member('db.sqlite.gz', Buffer.concat([D, Buffer.alloc(10)]))] },
  { name: 'db member shorter than listed', code: 'BUNDLE_HASH', bundle: () => [member('manifest.json', M), member('manifest.sig', S), member('db.sqlite.gz', D.subarray(0, D.length - 10))] },
  { name: 'truncated: empty file', code: 'BUNDLE_FORMAT', bundle: () => Buffer.alloc(0) },
  { name: 'truncated inside the first header', code: 'BUNDLE_FORMAT', bundle: () => bundleBytes.subarray(0, 100) },
  { name: 'truncated inside the manifest', code: 'BUNDLE_FORMAT', bundle: () => bundleBytes.subarray(0, 600) },
  { name: 'truncated after the manifest', code: 'BUNDLE_FORMAT', bundle: () => bundleBytes.subarray(0, offsets().sigHeader), message: /ends before manifest\.sig/ },
  { name: 'truncated inside the signature', code: 'BUNDLE_FORMAT', bundle: () => bundleBytes.subarray(0, offsets().sigHeader + 520) },
  { name: 'truncated inside the db header', code: 'BUNDLE_FORMAT', bundle: () => bundleBytes.subarray(0, offsets().dbData - 100) },
  { name: 'truncated inside the db', code: 'BUNDLE_FORMAT', bundle: () => bundleBytes.subarray(0, offsets().dbData + Math.floor(D.length / 2)) },
  { name: 'truncated before the last db byte', code: 'BUNDLE_FORMAT', bundle: () => bundleBytes.subarray(0, offsets().dbData + D.length - 1) },
  { name: 'extra member after the db', code: 'BUNDLE_FORMAT', bundle: () => [member('manifest.json', M), member('manifest.sig', S), member('db.sqlite.gz', D), member('README', 'hi')] },
  { name: 'unknown member before the db', code: 'BUNDLE_FORMAT', bundle: () => [member('manifest.json', M), member('manifest.sig', S), member('extra.bin', 'x'), member('db.sqlite.gz', D)] },
  { name: 'unknown member first', code: 'BUNDLE_FORMAT', bundle: () => [member('hello.txt', 'x'), member('manifest.json', M), member('manifest.sig', S), member('db.sqlite.gz', D)] },
  { name: '../ member name', code: 'BUNDLE_FORMAT', bundle: () => [member('manifest.json', M), member('manifest.sig', S), member('../v.db', D)], message: /unsafe member name/ },
  { name: '../ as the first member', code: 'BUNDLE_FORMAT', bundle: () => [member('../../manifest.json', M)], message: /unsafe member name/ },
  { name: 'very long member name', code: 'BUNDLE_FORMAT', bundle: () => [member(`${'a/'.repeat(300)}manifest.json`, M)], message: /longer than 100/ },
  { name: 'absolute member name', code: 'BUNDLE_FORMAT', bundle: () => [member('/tmp/manifest.json', M)], message: /unsafe member name/ },
  { name: 'duplicated manifest', code: 'BUNDLE_FORMAT', bundle: () => [member('manifest.json', M), member('manifest.json', M), member('manifest.sig', S), member('db.sqlite.gz', D)], message: /twice/ },
  { name: 'duplicated db', code: 'BUNDLE_FORMAT', bundle: () => [member('manifest.json', M), member('manifest.sig', S), member('db.sqlite.gz', D), member('db.sqlite.gz', D)], message: /twice/ },
  { name: 'db member is a symlink', code: 'BUNDLE_FORMAT', bundle: () => [member('manifest.json', M), member('manifest.sig', S), { name: 'db.sqlite.gz', data: Buffer.alloc(0), type: 'symlink' }] },
  { name: 'manifest is a directory', code: 'BUNDLE_FORMAT', bundle: () => [{ name: 'manifest.json', data: Buffer.alloc(0), type: 'directory' }] },
  { name: 'manifest over 1 MB', code: 'BUNDLE_FORMAT', bundle: () => [member('manifest.json', Buffer.alloc(MAX_MANIFEST_BYTES + 1, 0x20))], message: /more than/ },
  { name: 'signed manifest that is not JSON', code: 'BUNDLE_FORMAT', bundle: () => signedFor(D, () => Buffer.from('{"format": ')) },
  { name: 'signed manifest of another format', code: 'BUNDLE_FORMAT', bundle: () => signedFor(D, (m) => ({ ...m, format: 'portcullis-db-bundle/9' })) },
  { name: 'signed manifest listing an unknown file', code: 'BUNDLE_FORMAT', bundle: () => signedFor(D, (m) => ({ ...m, files: [{ ...m.files[0], name: '../x' }] })) },
  {
    name: 'gzip bomb beyond the declared size',
    code: 'BUNDLE_HASH',
    bundle: () => signedFor(gzipSync(Buffer.alloc(32 * 1024 * 1024)), (m) => ({ ...m, files: [{ ...m.files[0], uncompressedSize: 1024 * 1024 }] })),
    message: /expands beyond the 1048576 bytes/,
  },
  { name: 'db expands to other bytes than declared', code: 'BUNDLE_HASH', bundle: () => signedFor(D, (m) => ({ ...m, files: [{ ...m.files[0], uncompressedSha256: '0'.repeat(64) }] })) },
  { name: 'signed db member that is not gzip', code: 'BUNDLE_FORMAT', bundle: () => signedFor(randomBytes(4096)), message: /not valid gzip/ },
  {
    name: 'signed gzip that is not a database',
    code: 'DB_CORRUPT',
    bundle: () => {
      const junk = Buffer.from('not sqlite '.repeat(500));
      return signedFor(gzipSync(junk), (m) => ({ ...m, files: [{ ...m.files[0], uncompressedSize: junk.length, uncompressedSha256: sha256(junk) }] }));
    },
  },
  { name: 'manifest declares another schema version', code: 'DB_SCHEMA', bundle: () => signedFor(D, (m) => ({ ...m, schemaVersion: 999 })), message: /schema version 999/ },
  {
    name: 'db of another schema version (manifest says the current one)',
    code: 'DB_SCHEMA',
    bundle: () => {
      const path = join(root, `schema2-${randomBytes(4).toString('hex')}.db`);
      copyFileSync(sourceDb, path);
      const db = new Database(path);
      db.prepare("UPDATE meta SET value = '999' WHERE key = 'schema_version'").run();
      db.close();
      const raw = readFileSync(path);
      return signedFor(gzipSync(raw), (m) => ({ ...m, files: [{ ...m.files[0], uncompressedSize: raw.length, uncompressedSha256: sha256(raw) }] }));
    },
  },
  { name: 'not-a-tar garbage', code: 'BUNDLE_FORMAT', bundle: () => randomBytes(10_000) },
  { name: 'a text file', code: 'BUNDLE_FORMAT', bundle: () => Buffer.from('portcullis-db-bundle/1\n'.repeat(100)) },
  { name: 'a gzipped bundle', code: 'BUNDLE_FORMAT', bundle: () => gzipSync(bundleBytes) },
  { name: 'valid tar followed by garbage', code: 'BUNDLE_FORMAT', bundle: () => Buffer.concat([bundleBytes, randomBytes(1024)]) },
];

describe('db import refuses hostile bundles', () => {
  it.each(cases)('$name → $code', async (c) => {
    const dir = mkdtempSync(join(root, 'case-'));
    const live = join(dir, 'live');
    mkdirSync(live);
    const dbPath = join(live, 'v.db');
    writeFileSync(dbPath, oldDb);
    const bundle = join(dir, 'in.bundle');
    const made = await c.bundle();
    if (Buffer.isBuffer(made)) writeFileSync(bundle, made);
    else await writeRawTar(bundle, made);

    const err = await importBundle({ bundle, dbPath, trustedKeys: c.trusted ? c.trusted() : [signer.publicKey] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isPortcullisError(err) ? err.code : err, (err as Error).message).toBe(c.code);
    if (c.message) expect((err as Error).message).toMatch(c.message);
    expect(readFileSync(dbPath).equals(oldDb)).toBe(true);
    expect(readdirSync(live)).toEqual(['v.db']);
    expect(readdirSync(dir).sort()).toEqual(['in.bundle', 'live']);
    expect(existsSync(join(dir, 'v.db'))).toBe(false);
  });

  it('the untampered bundle imports (the cases above differ from it only as named)', async () => {
    const dir = mkdtempSync(join(root, 'case-'));
    const dbPath = join(dir, 'v.db');
    writeFileSync(dbPath, oldDb);
    const bundle = join(dir, 'in.bundle');
    await writeRawTar(bundle, [member('manifest.json', M), member('manifest.sig', S), member('db.sqlite.gz', D)]);
    await importBundle({ bundle, dbPath, trustedKeys: [signer.publicKey] });
    expect(readFileSync(dbPath).equals(readFileSync(sourceDb))).toBe(true);
    const resigned = join(dir, 'resigned.bundle');
    await writeRawTar(resigned, signedFor(D));
    writeFileSync(dbPath, oldDb);
    await importBundle({ bundle: resigned, dbPath, trustedKeys: [signer.publicKey] });
    expect(readFileSync(dbPath).equals(readFileSync(sourceDb))).toBe(true);
  });

  it('a bundle stream that breaks off is BUNDLE_FORMAT and touches nothing', async () => {
    const dir = mkdtempSync(join(root, 'case-'));
    const dbPath = join(dir, 'v.db');
    writeFileSync(dbPath, oldDb);
    async function* broken() {
      yield bundleBytes.subarray(0, offsets().dbData + 64);
      throw new Error('connection reset');
    }
    const err = await importBundle({ bundle: Readable.from(broken()), dbPath, trustedKeys: [signer.publicKey] }).catch((e: unknown) => e);
    expect(isPortcullisError(err) && err.code).toBe('BUNDLE_FORMAT');
    expect((err as Error).message).toMatch(/connection reset/);
    expect(readdirSync(dir)).toEqual(['v.db']);
    expect(readFileSync(dbPath).equals(oldDb)).toBe(true);
  });

  it('a missing bundle file is BUNDLE_FORMAT and touches nothing', async () => {
    const dir = mkdtempSync(join(root, 'case-'));
    const dbPath = join(dir, 'v.db');
    writeFileSync(dbPath, oldDb);
    const err = await importBundle({ bundle: join(dir, 'nope.bundle'), dbPath, trustedKeys: [signer.publicKey] }).catch((e: unknown) => e);
    expect(isPortcullisError(err) && err.code).toBe('BUNDLE_FORMAT');
    expect(readdirSync(dir)).toEqual(['v.db']);
    expect(readFileSync(dbPath).equals(oldDb)).toBe(true);
  });
});
