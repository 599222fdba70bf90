import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CapturedFile, CatalogResult, CatalogView } from '../types.js';
import { readBdb } from './bdb.js';
import { rpmCataloger } from './index.js';
import { readNdb } from './ndb.js';

/**
 * Hostile and damaged databases. Valid bases: the ndb fixture (headers rpm wrote), a real
 * Berkeley DB hash file made from its headers by db5.3_load, and an sqlite database with
 * rpm's Packages table made by SQLite. Every case must end in problems or partial results,
 * quickly, without throwing.
 */
const LAYER = 'sha256:2222222222222222222222222222222222222222222222222222222222222222';
const NDB_PATH = '/usr/lib/sysimage/rpm/Packages.db';
const BDB_PATH = '/var/lib/rpm/Packages';
const SQLITE_PATH = '/var/lib/rpm/rpmdb.sqlite';

function catalogOne(path: string, content: Buffer): CatalogResult {
  const file: CapturedFile = { path, content, layerDiffId: LAYER, wantedBy: [rpmCataloger.id] };
  const view: CatalogView = { files: () => [file], read: (p) => (p === path ? file : undefined), exists: (p) => p === path, os: undefined };
  return rpmCataloger.catalog(view);
}

function expectParseProblem(result: CatalogResult, path: string, pattern?: RegExp): void {
  expect(result.problems.length).toBeGreaterThan(0);
  for (const p of result.problems) {
    expect(p).toMatchObject({ code: 'CATALOG_PARSE', path, layer: LAYER, source: 'rpm' });
    expect(p.message.startsWith(path)).toBe(true);
  }
  if (pattern) expect(result.problems.map((p) => p.message).join('\n')).toMatch(pattern);
}

/** Deterministic xorshift32, so a failing random case can be replayed. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const ndb = readFileSync(join(import.meta.dirname, 'testdata', 'ndb', 'Packages.db'));
const blobs = readNdb(ndb).blobs;
let tmp = '';
let bdb = Buffer.alloc(0);
let sqlite = Buffer.alloc(0);
const BDB_PAGE = 512;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'portcullis-rpm-hostile-'));
  const hex = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return ` ${b.toString('hex')}`;
  };
  const lines = ['VERSION=3', 'format=bytevalue', 'type=hash', 'HEADER=END', hex(0), hex(blobs.length + 1)];
  for (const [i, blob] of blobs.entries()) lines.push(hex(i + 1), ` ${blob.toString('hex')}`);
  lines.push('DATA=END', '');
  writeFileSync(join(tmp, 'dump.txt'), lines.join('\n'));
  const load = spawnSync('db5.3_load', ['-c', `db_pagesize=${BDB_PAGE}`, '-f', join(tmp, 'dump.txt'), join(tmp, 'Packages')], { encoding: 'utf8' });
  if (load.status !== 0) throw new Error(`db5.3_load (Debian package db5.3-util) failed: ${load.stderr ?? load.error}`);
  bdb = readFileSync(join(tmp, 'Packages'));

  const dbFile = join(tmp, 'rpmdb.sqlite');
  const db = new Database(dbFile);
  db.exec('CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)');
  const insert = db.prepare('INSERT INTO Packages (blob) VALUES (?)');
  for (const blob of blobs) insert.run(blob);
  db.close();
  sqlite = readFileSync(dbFile);
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('rpm cataloger on hostile input', () => {
  it('has intact bases to damage', () => {
    expect(blobs).toHaveLength(2);
    for (const [path, content] of [[NDB_PATH, ndb], [BDB_PATH, bdb], [SQLITE_PATH, sqlite]] as const) {
      const r = catalogOne(path, content);
      expect(r.problems).toEqual([]);
      expect(r.packages.map((p) => p.name).sort()).toEqual(['libndb-fixture3', 'ndb-fixture']);
    }
  });

  it('reports a 0-byte file in each format', () => {
    for (const path of [NDB_PATH, BDB_PATH, SQLITE_PATH]) {
      const r = catalogOne(path, Buffer.alloc(0));
      expect(r.packages).toEqual([]);
      expectParseProblem(r, path);
    }
  });

  it('reports wrong magic numbers', () => {
    const badNdb = Buffer.from(ndb);
    badNdb.write('XpmP', 0);
    expectParseProblem(catalogOne(NDB_PATH, badNdb), NDB_PATH, /bad magic/);
    const badBdb = Buffer.from(bdb);
    badBdb.writeUInt32LE(0x00053162, 12); // a btree, not a hash
    expectParseProblem(catalogOne(BDB_PATH, badBdb), BDB_PATH, /not a Berkeley DB hash file/);
    const badSqlite = Buffer.from(sqlite);
    badSqlite.write('SQLite format 9', 0);
    expectParseProblem(catalogOne(SQLITE_PATH, badSqlite), SQLITE_PATH, /sqlite database cannot be read/);
  });

  it('survives truncation at every point, keeping what is still whole', () => {
    for (const [path, content, step] of [[NDB_PATH, ndb, 61], [BDB_PATH, bdb, 37], [SQLITE_PATH, sqlite, 509]] as const) {
      for (let cut = 0; cut < content.length; cut += step) {
        const r = catalogOne(path, content.subarray(0, cut));
        expect(r.packages.length).toBeLessThanOrEqual(2);
        if (r.packages.length < 2) expectParseProblem(r, path);
      }
    }
  });

  it('keeps the other packages when one header has absurd il / dl counts', () => {
    const db = new Database(sqlite);
    const huge = Buffer.alloc(64);
    huge.writeUInt32BE(0x7fffffff, 0);
    huge.writeUInt32BE(0x7fffffff, 4);
    db.prepare('INSERT INTO Packages (blob) VALUES (?)').run(huge);
    const manyDl = Buffer.from(blobs[0] ?? Buffer.alloc(0));
    manyDl.writeUInt32BE(0xfffffff, 4);
    db.prepare('INSERT INTO Packages (blob) VALUES (?)').run(manyDl);
    const r = catalogOne(SQLITE_PATH, db.serialize());
    db.close();
    expect(r.packages).toHaveLength(2);
    expectParseProblem(r, SQLITE_PATH, /header 3 of 4: header index count 2147483647 is out of range/);
    expect(r.problems.map((p) => p.message).join('\n')).toMatch(/header 4 of 4: header data length 268435455 is out of range/);
  });

  it('reports a header whose name no purl can carry and keeps the rest', () => {
    const db = new Database(sqlite);
    const blank = Buffer.from(blobs[0] ?? Buffer.alloc(0));
    const at = blank.indexOf('ndb-fixture\0');
    expect(at).toBeGreaterThan(0);
    blank.fill(0x20, at, at + 'ndb-fixture'.length);
    db.prepare('INSERT INTO Packages (blob) VALUES (?)').run(blank);
    const r = catalogOne(SQLITE_PATH, db.serialize());
    db.close();
    expect(r.packages).toHaveLength(2);
    expectParseProblem(r, SQLITE_PATH, /header 3 of 3 \(" +"\) cannot become a package/);
  });

  it('stops Berkeley DB overflow chains that loop, leave the file or reuse pages', () => {
    const overflowPages = [...Array(bdb.length / BDB_PAGE).keys()].filter((p) => bdb[p * BDB_PAGE + 25] === 7);
    expect(overflowPages.length).toBeGreaterThan(2);
    const chainPage = overflowPages.find((p) => bdb.readUInt32LE(p * BDB_PAGE + 16) !== 0) ?? 0;
    const mutate = (next: number) => {
      const b = Buffer.from(bdb);
      b.writeUInt32LE(next, chainPage * BDB_PAGE + 16);
      return b;
    };
    const loop = catalogOne(BDB_PATH, mutate(chainPage));
    expectParseProblem(loop, BDB_PATH, /overflow chain loops back to page/);
    expect(loop.packages.length).toBeLessThan(2);
    expectParseProblem(catalogOne(BDB_PATH, mutate(0xfffffff0)), BDB_PATH, /outside 1\.\./);
    const foreign = overflowPages.find((p) => p !== chainPage && bdb.readUInt32LE(p * BDB_PAGE + 16) === 0) ?? 0;
    const shared = catalogOne(BDB_PATH, mutate(foreign));
    expect(shared.problems.length).toBeGreaterThan(0);
  });

  it('tolerates a Berkeley DB metadata page that overstates the page count', () => {
    const b = Buffer.from(bdb);
    b.writeUInt32LE(0xffffffff, 32);
    const r = catalogOne(BDB_PATH, b);
    expect(r.packages).toHaveLength(2);
    expectParseProblem(r, BDB_PATH, /file is truncated/);
    const badSize = Buffer.from(bdb);
    badSize.writeUInt32LE(1000, 20);
    expectParseProblem(catalogOne(BDB_PATH, badSize), BDB_PATH, /invalid page size 1000/);
  });

  it('reports ndb slots that point outside the file or overlap, keeping the sound ones', () => {
    // Slot 3 holds the first blob (slot 2 is left free by the generator).
    const slot = (n: number) => n * 16;
    const outOfRange = Buffer.from(ndb);
    outOfRange.writeUInt32LE(0xfffffff0, slot(3) + 8);
    const r1 = catalogOne(NDB_PATH, outOfRange);
    expect(r1.packages).toHaveLength(1);
    expectParseProblem(r1, NDB_PATH, /slot 3 points to blocks/);
    const overlap = Buffer.from(ndb);
    overlap.copy(overlap, slot(2), slot(3), slot(4));
    const r2 = catalogOne(NDB_PATH, overlap);
    expect(r2.packages).toHaveLength(2);
    expectParseProblem(r2, NDB_PATH, /overlaps another blob/);
    const badChecksum = Buffer.from(ndb);
    const blobStart = badChecksum.readUInt32LE(slot(3) + 8) * 16;
    badChecksum[blobStart + 40] = (badChecksum[blobStart + 40] ?? 0) ^ 0xff;
    const r3 = catalogOne(NDB_PATH, badChecksum);
    expect(r3.packages).toHaveLength(1);
    expectParseProblem(r3, NDB_PATH, /adler32/);
    const hugePages = Buffer.from(ndb);
    hugePages.writeUInt32LE(0xffffffff, 12);
    expectParseProblem(catalogOne(NDB_PATH, hugePages), NDB_PATH, /slot pages/);
  });

  it('never throws or hangs on random bytes or random corruption', () => {
    const next = prng(0x5eed);
    const started = Date.now();
    for (let i = 0; i < 60; i++) {
      const random = Buffer.alloc(next() % 20000);
      for (let j = 0; j < random.length; j++) random[j] = next() & 0xff;
      for (const path of [NDB_PATH, BDB_PATH, SQLITE_PATH]) expectParseProblem(catalogOne(path, random), path);
      for (const [path, base] of [[NDB_PATH, ndb], [BDB_PATH, bdb], [SQLITE_PATH, sqlite]] as const) {
        const damaged = Buffer.from(base);
        for (let k = 0; k < 8; k++) damaged[next() % damaged.length] = next() & 0xff;
        const r = catalogOne(path, damaged);
        expect(r.packages.length).toBeLessThanOrEqual(3);
      }
    }
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('reports variants it does not read as CATALOG_UNSUPPORTED', () => {
    const load = spawnSync('db5.3_load', ['-c', 'chksum=1', '-f', join(tmp, 'dump.txt'), join(tmp, 'Packages-chksum')], { encoding: 'utf8' });
    expect(load.status).toBe(0);
    const checksummed = catalogOne(BDB_PATH, readFileSync(join(tmp, 'Packages-chksum')));
    expect(checksummed.packages).toEqual([]);
    expect(checksummed.problems).toEqual([
      { code: 'CATALOG_UNSUPPORTED', message: `${BDB_PATH}: bdb database: checksummed Berkeley DB files are not supported`, path: BDB_PATH, layer: LAYER, source: 'rpm' },
    ]);
    const v1 = Buffer.from(ndb);
    v1.writeUInt32LE(1, 4);
    expect(catalogOne(NDB_PATH, v1).problems).toMatchObject([{ code: 'CATALOG_UNSUPPORTED', message: expect.stringMatching(/unsupported ndb version 1/) }]);
  });

  it('refuses sqlite files whose Packages is not a plain table', () => {
    const variants: Record<string, string> = {
      'endless recursive view': "CREATE VIEW Packages AS WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT x AS hnum, zeroblob(100000) AS blob FROM r",
      'generated column': 'CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, n INTEGER, blob BLOB GENERATED ALWAYS AS (zeroblob(n)) VIRTUAL)',
      'virtual table': 'CREATE VIRTUAL TABLE Packages USING fts5(hnum, blob)',
      'no Packages table': 'CREATE TABLE Other (x)',
    };
    for (const [label, sql] of Object.entries(variants)) {
      const db = new Database(':memory:');
      db.exec(sql);
      if (label === 'generated column') db.exec('INSERT INTO Packages (hnum, n) VALUES (1, 50000000)');
      const content = db.serialize();
      db.close();
      const started = Date.now();
      const r = catalogOne(SQLITE_PATH, content);
      expect(r.packages, label).toEqual([]);
      expectParseProblem(r, SQLITE_PATH, /not a plain table|generated or hidden|no Packages table/);
      expect(Date.now() - started, label).toBeLessThan(2000);
    }
  });

  it('reports sqlite rows that hold no blob and keeps the rest', () => {
    const db = new Database(sqlite);
    db.exec("INSERT INTO Packages (blob) VALUES ('just text')");
    const r = catalogOne(SQLITE_PATH, db.serialize());
    db.close();
    expect(r.packages).toHaveLength(2);
    expectParseProblem(r, SQLITE_PATH, /row 3 of Packages holds a text/);
  });

  it('bounds Berkeley DB output by the file size when many items claim one overflow chain', () => {
    // Synthetic file: metadata page, one hash page of 150 key / off-page pairs that all name
    // the same 100-page overflow chain. Each overflow page may serve one value only.
    const PAGE = 4096;
    const PAIRS = 150;
    const CHAIN = 100;
    const file = Buffer.alloc(PAGE * (2 + CHAIN));
    file.writeUInt32LE(0x00061561, 12);
    file.writeUInt32LE(9, 16);
    file.writeUInt32LE(PAGE, 20);
    file[25] = 8;
    file.writeUInt32LE(1 + CHAIN, 32);
    const hash = PAGE;
    file[hash + 25] = 13;
    file.writeUInt16LE(PAIRS * 2, hash + 20);
    let top = PAGE;
    for (let i = 0; i < PAIRS * 2; i++) {
      const isKey = i % 2 === 0;
      top -= isKey ? 5 : 12;
      file.writeUInt16LE(top, hash + 26 + i * 2);
      if (isKey) {
        file[hash + top] = 1;
        file.writeUInt32LE(i / 2 + 1, hash + top + 1);
      } else {
        file[hash + top] = 3;
        file.writeUInt32LE(2, hash + top + 4);
        file.writeUInt32LE(CHAIN * (PAGE - 26), hash + top + 8);
      }
    }
    for (let p = 2; p < 2 + CHAIN; p++) {
      file[p * PAGE + 25] = 7;
      file.writeUInt16LE(PAGE - 26, p * PAGE + 22);
      file.writeUInt32LE(p + 1 < 2 + CHAIN ? p + 1 : 0, p * PAGE + 16);
    }
    const r = readBdb(file);
    expect(r.blobs).toHaveLength(1);
    expect(r.blobs.reduce((n, x) => n + x.length, 0)).toBeLessThanOrEqual(file.length);
    expect(r.errors).toHaveLength(PAIRS - 1);
    expect(r.errors[0]).toMatch(/already belongs to another value/);
  });
});
