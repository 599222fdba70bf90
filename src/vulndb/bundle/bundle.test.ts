import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { isPortcullisError } from '../../core/errors.js';
import { VulnDb } from '../db/open.js';
import { SCHEMA_VERSION } from '../db/schema.js';
import { ManifestSchema } from './format.js';
import { exportBundle, generateKeyPair, importBundle, keyFingerprint } from './index.js';
import { makeDb, readRawTar, sha256 } from './testdata/helpers.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'portcullis-bundle-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const signer = generateKeyPair();

describe('db bundle round trip', () => {
  it('exports a signed bundle whose layout and manifest describe the database', async () => {
    const dir = tmp();
    const dbPath = join(dir, 'v.db');
    await makeDb(dbPath, 5);
    const out = join(dir, 'out', 'db.bundle');
    const res = await exportBundle({ dbPath, out, privateKey: signer.privateKey, now: new Date('2024-03-03T00:00:00Z') });

    expect(readdirSync(join(dir, 'out'))).toEqual(['db.bundle']);
    expect(res.keyId).toBe(signer.keyId);
    expect(res.bytes).toBe(statSync(out).size);
    const members = await readRawTar(out);
    expect(members.map((m) => m.name)).toEqual(['manifest.json', 'manifest.sig', 'db.sqlite.gz']);
    const [manifestMember, sigMember, dbMember] = members as [(typeof members)[0], (typeof members)[0], (typeof members)[0]];
    const manifest = ManifestSchema.parse(JSON.parse(manifestMember.data.toString()));
    expect(manifest).toEqual(res.manifest);
    expect(manifest).toMatchObject({ format: 'portcullis-db-bundle/1', createdAt: '2024-03-03T00:00:00.000Z', schemaVersion: SCHEMA_VERSION, builtAt: '2024-03-02T00:00:00.000Z' });
    expect(manifest.sources).toEqual([
      { id: 'epss', version: '1', license: 'FIRST (test)', status: 'ok', advisories: 0, kev: 0, epss: 1 },
      { id: 'kev', version: '1', license: 'CC0-1.0 (test)', status: 'ok', advisories: 0, kev: 1, epss: 0 },
      { id: 'osv', version: '1', license: 'CC-BY-4.0 (test)', status: 'ok', fetchedAt: '2024-03-01T00:00:00Z', newestModified: '2024-02-01T00:00:00Z', advisories: 5, kev: 0, epss: 0 },
    ]);
    const original = readFileSync(dbPath);
    const file = manifest.files[0];
    expect(file).toEqual({
      name: 'db.sqlite.gz',
      size: dbMember.data.length,
      sha256: sha256(dbMember.data),
      compression: 'gzip',
      uncompressedSize: original.length,
      uncompressedSha256: sha256(original),
    });
    expect(gunzipSync(dbMember.data).equals(original)).toBe(true);
    expect(JSON.parse(sigMember.data.toString())).toMatchObject({ algorithm: 'ed25519', keyId: signer.keyId });
  });

  it('imports over an existing database: same bytes, old readers keep the old file', async () => {
    const dir = tmp();
    const source = join(dir, 'source.db');
    await makeDb(source, 7);
    const bundle = join(dir, 'db.bundle');
    await exportBundle({ dbPath: source, out: bundle, privateKey: signer.privateKey, keyId: 'release-2024' });

    const target = join(dir, 'live');
    mkdirSync(target);
    const dbPath = join(target, 'v.db');
    await makeDb(dbPath, 2);
    const reader = VulnDb.open(dbPath);
    expect(reader.status().advisories).toBe(2);

    const other = generateKeyPair();
    const res = await importBundle({ bundle, dbPath, trustedKeys: [other.publicKey, signer.publicKey] });
    expect(res.keyId).toBe(signer.keyId);
    expect(res.status).toMatchObject({ path: dbPath, schemaVersion: SCHEMA_VERSION, advisories: 7 });
    expect(res.manifest.sources.find((s) => s.id === 'osv')?.advisories).toBe(7);
    expect(readFileSync(dbPath).equals(readFileSync(source))).toBe(true);
    expect(readdirSync(target)).toEqual(['v.db']);

    // The rename leaves the file an open reader holds in place.
    expect(reader.status().advisories).toBe(2);
    expect(reader.affected('npm', 'pkg-1')).toHaveLength(1);
    expect(reader.affected('npm', 'pkg-5')).toHaveLength(0);
    reader.close();
    const fresh = VulnDb.open(dbPath);
    expect(fresh.affected('npm', 'pkg-5')).toHaveLength(1);
    fresh.close();
  });

  it('imports from a stream into a directory that does not exist yet', async () => {
    const dir = tmp();
    const source = join(dir, 'source.db');
    await makeDb(source, 3);
    const bundle = join(dir, 'db.bundle');
    const pair = generateKeyPairSync('ed25519');
    await exportBundle({ dbPath: source, out: bundle, privateKey: pair.privateKey });
    const dbPath = join(dir, 'new', 'deeper', 'v.db');
    const res = await importBundle({ bundle: createReadStream(bundle), dbPath, trustedKeys: [pair.publicKey] });
    expect(res.keyId).toBe(keyFingerprint(pair.publicKey));
    expect(readFileSync(dbPath).equals(readFileSync(source))).toBe(true);
  });

  it('export refuses keys that are not Ed25519 private keys and a missing database, writing nothing', async () => {
    const dir = tmp();
    const dbPath = join(dir, 'v.db');
    await makeDb(dbPath, 1);
    const out = join(dir, 'out.bundle');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const cases: [unknown, string][] = [
      [rsa.privateKey, 'BUNDLE_SIGNATURE'],
      [signer.publicKey, 'BUNDLE_SIGNATURE'],
      ['not a key', 'BUNDLE_SIGNATURE'],
    ];
    for (const [privateKey, code] of cases) {
      const err = await exportBundle({ dbPath, out, privateKey: privateKey as string }).catch((e: unknown) => e);
      expect(isPortcullisError(err) && err.code).toBe(code);
    }
    const missing = await exportBundle({ dbPath: join(dir, 'nope.db'), out, privateKey: signer.privateKey }).catch((e: unknown) => e);
    expect(isPortcullisError(missing) && missing.code).toBe('DB_NOT_FOUND');
    const overItself = await exportBundle({ dbPath, out: dbPath, privateKey: signer.privateKey }).catch((e: unknown) => e);
    expect(isPortcullisError(overItself) && overItself.code).toBe('USAGE');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual(['v.db']);
  });

  it('export refuses a file that is not a database and leaves no temp files', async () => {
    const dir = tmp();
    const dbPath = join(dir, 'junk.db');
    mkdirSync(join(dir, 'sub'));
    writeFileSync(dbPath, 'this is not sqlite'.repeat(100));
    const err = await exportBundle({ dbPath, out: join(dir, 'sub', 'x.bundle'), privateKey: signer.privateKey }).catch((e: unknown) => e);
    expect(isPortcullisError(err) && err.code).toBe('DB_CORRUPT');
    expect(readdirSync(join(dir, 'sub'))).toEqual([]);
  });

  it('export that cannot write its output is OUTPUT_WRITE and leaves no temp files', async () => {
    const dir = tmp();
    const dbPath = join(dir, 'v.db');
    await makeDb(dbPath, 1);
    const out = join(dir, 'out');
    mkdirSync(join(out, 'occupied'), { recursive: true });
    const err = await exportBundle({ dbPath, out, privateKey: signer.privateKey }).catch((e: unknown) => e);
    expect(isPortcullisError(err) && err.code).toBe('OUTPUT_WRITE');
    expect(readdirSync(dir).sort()).toEqual(['out', 'v.db']);
    expect(readdirSync(out)).toEqual(['occupied']);
  });
});
