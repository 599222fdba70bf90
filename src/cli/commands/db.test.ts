import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codedErrors, runCli } from '../../../test/helpers/cli.js';
import { VulnDb } from '../../vulndb/db/open.js';
import { SCHEMA_VERSION } from '../../vulndb/db/schema.js';

/** The database life cycle through the CLI: build, status, update, keygen, export, import. */

const FEEDS = join(import.meta.dirname, '../../vulndb/feeds');
let dir: string;
let env: Record<string, string>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-db-cli-'));
  env = { PORTCULLIS_CACHE_DIR: join(dir, 'cache') };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('portcullis db', () => {
  it('builds from feed directories and reports sources, counts and age', async () => {
    const feeds = join(dir, 'feeds');
    mkdirSync(feeds);
    cpSync(join(FEEDS, 'osv/testdata/pypa'), join(feeds, 'osv'), { recursive: true });
    cpSync(join(FEEDS, 'kev/testdata'), join(feeds, 'kev'), { recursive: true });
    const out = join(dir, 'built.db');
    const build = await runCli(['db', 'build', feeds, '--db', out], { env });
    expect(build.code, build.stderr).toBe(0);
    expect(build.stderr).toMatch(/^kev\s+ok\s+0 advisories, \d{4} KEV/m);
    expect(build.stderr).toMatch(/^osv\s+ok\s+\d+ advisories/m);
    const status = await runCli(['db', 'status', '--db', out, '--json'], { env });
    const st = JSON.parse(status.stdout);
    expect(st.schemaVersion).toBe(SCHEMA_VERSION);
    expect(st.sources.map((s: { id: string }) => s.id)).toEqual(['kev', 'osv']);
    expect(st.advisories).toBeGreaterThan(0);
    // Built from directories nobody fetched: no fetch date, so the age is unknown → flagged.
    expect(st.stale).toBeTruthy();
    const text = await runCli(['db', 'status', '--db', out], { env });
    expect(text.stdout).toContain('Licences:');
    expect(codedErrors(text.stderr)).toEqual(['DB_STALE']);
  });

  it('updates from a mirror with conditional requests, then rebuilds; a failing source is marked', async () => {
    const kev = readFileSync(join(FEEDS, 'kev/testdata/known_exploited_vulnerabilities.json'));
    const seen: string[] = [];
    const server: Server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers['if-none-match'] ?? '-'}`);
      if (req.url?.startsWith('/osv/')) {
        res.writeHead(500).end('boom');
        return;
      }
      if (req.headers['if-none-match'] === '"kev-1"') {
        res.writeHead(304).end();
        return;
      }
      res.writeHead(200, { etag: '"kev-1"', 'content-length': kev.length }).end(kev);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const db = join(dir, 'updated.db');
      const args = ['db', 'update', '--feeds', 'kev,osv', '--base-url', `kev=${base}`, '--base-url', `osv=${base}/osv`, '--db', db];
      const first = await runCli(args, { env });
      expect(first.code, first.stderr).toBe(0);
      expect(first.stderr).toMatch(/^kev\s+updated/m);
      expect(first.stderr).toMatch(/^osv\s+failed\s+\[FEED_FETCH\]/m);
      const v = VulnDb.open(db);
      const st = v.status();
      v.close();
      expect(st.sources.find((s) => s.id === 'kev')).toMatchObject({ status: 'ok', kev: expect.any(Number) });
      expect(st.sources.find((s) => s.id === 'osv')).toMatchObject({ status: 'failed', message: expect.stringContaining('no previous data') });
      const second = await runCli(args, { env });
      expect(second.stderr).toMatch(/^kev\s+not-modified/m);
      expect(seen.filter((s) => s.startsWith('GET /known')).map((s) => s.split(' ')[2])).toEqual(['-', '"kev-1"']);
    } finally {
      server.close();
    }
  }, 120_000);

  it('exports a signed bundle and imports it only with the right key', async () => {
    const src = join(dir, 'built.db');
    const keys = (n: string) => ['--private-key', join(dir, `${n}.key`), '--public-key', join(dir, `${n}.pub`)];
    expect((await runCli(['db', 'keygen', ...keys('a')], { env })).code).toBe(0);
    expect((await runCli(['db', 'keygen', ...keys('b')], { env })).code).toBe(0);
    const bundle = join(dir, 'db.bundle');
    const exp = await runCli(['db', 'export', '--db', src, '--key', join(dir, 'a.key'), '--out', bundle], { env });
    expect(exp.code, exp.stderr).toBe(0);
    const target = join(dir, 'imported.db');
    const wrong = await runCli(['db', 'import', bundle, '--trusted-key', join(dir, 'b.pub'), '--db', target], { env });
    expect(codedErrors(wrong.stderr)).toEqual(['BUNDLE_SIGNATURE']);
    expect(existsSync(target)).toBe(false);
    const ok = await runCli(['db', 'import', bundle, '--trusted-key', join(dir, 'a.pub'), '--db', target], { env });
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(target).equals(readFileSync(src))).toBe(true);
    const tampered = join(dir, 'tampered.bundle');
    const bytes = readFileSync(bundle);
    const at = bytes.length - 2000;
    bytes.writeUInt8(bytes.readUInt8(at) ^ 0xff, at);
    writeFileSync(tampered, bytes);
    const bad = await runCli(['db', 'import', tampered, '--trusted-key', join(dir, 'a.pub'), '--db', target], { env });
    expect(['BUNDLE_HASH', 'BUNDLE_FORMAT']).toContain(codedErrors(bad.stderr)[0]);
    expect(readFileSync(target).equals(readFileSync(src))).toBe(true);
  });

  it('refuses bad command lines', async () => {
    expect(codedErrors((await runCli(['db', 'frobnicate'], { env })).stderr)).toEqual(['USAGE']);
    expect(codedErrors((await runCli(['db', 'build', '--feed', 'nope=/tmp'], { env })).stderr)).toEqual(['USAGE']);
    expect(codedErrors((await runCli(['db', 'build'], { env })).stderr)).toEqual(['USAGE']);
    expect(codedErrors((await runCli(['db', 'update', '--only', 'nope'], { env })).stderr)).toEqual(['USAGE']);
    expect(codedErrors((await runCli(['db', 'status', '--db', join(dir, 'none.db')], { env })).stderr)).toEqual(['DB_NOT_FOUND']);
  });
});
