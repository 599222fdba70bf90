import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Progress } from '../../cli/progress.js';
import type { Feed } from '../feeds/types.js';
import { tmpDirPool } from '../../../test/helpers/tmp.js';
import { progressToBar } from './progress.js';
import { readFeedState } from './state.js';
import { ReplayServer } from './testdata/replay-server.js';
import { updateFeeds, type FeedUpdateResult, type UpdateProgress } from './update.js';

const testdata = join(import.meta.dirname, 'testdata');
const REAL_KEV = '/work/shared/vulndata/kev/known_exploited_vulnerabilities.json';
const tmp = tmpDirPool('update');
const limits = { idleTimeoutMs: 500, connectTimeoutMs: 2_000, retries: 0, retryBaseMs: 10 };
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const day1 = new Date('2026-11-20T08:00:00Z');
const day2 = new Date('2026-11-21T08:00:00Z');

/** A tiny feed: downloads `files` (feed-relative name → server path) from its base URL. */
function testFeed(id: string, files: Record<string, string>): Feed {
  return {
    id,
    version: '1',
    description: `test feed ${id}`,
    license: 'CC0-1.0',
    baseUrl: 'https://feeds.invalid/',
    async fetch(ctx) {
      const base = ctx.baseUrl ?? 'https://feeds.invalid/';
      for (const [file, path] of Object.entries(files)) await ctx.download(new URL(path, base).href, { file });
      const runs = typeof ctx.state.runs === 'number' ? ctx.state.runs : 0;
      return { runs: runs + 1, at: ctx.now.toISOString() };
    },
    async parse() {
      throw new Error('parse is not exercised by the update tests');
    },
  };
}

let server: ReplayServer;
let cacheDir: string;
let kev: Buffer;
let zip: Buffer;
let zip2: Buffer;
beforeEach(async () => {
  server = await ReplayServer.start();
  cacheDir = await tmp.make();
  kev = await readFile(join(testdata, 'known_exploited_vulnerabilities_schema.json'));
  zip = await readFile(join(testdata, 'Alpine-all.excerpt.zip'));
  zip2 = await readFile(join(testdata, 'npm-all.excerpt.zip'));
});
afterEach(() => server.close());
afterAll(() => tmp.removeAll());

const feeds = () => [testFeed('kev', { 'known_exploited_vulnerabilities.json': '/kev/kev.json' }), testFeed('osv', { 'Alpine/all.zip': '/osv/Alpine/all.zip' })];
const baseUrls = () => ({ kev: server.url('/'), osv: server.url('/') });
const feedFile = (id: string, file: string) => join(cacheDir, 'feeds', id, file);
const update = (now: Date, extra: { only?: string[]; progress?: (p: UpdateProgress) => void; feeds?: Feed[] } = {}) =>
  updateFeeds({ feeds: extra.feeds ?? feeds(), cacheDir, baseUrls: baseUrls(), now, limits, ...extra });
const byId = (results: FeedUpdateResult[], id: string) => results.find((r) => r.id === id);

describe('updateFeeds', () => {
  it('downloads on the first run and gets 304s on the second', async () => {
    server.file('/kev/kev.json', { body: kev });
    server.file('/osv/Alpine/all.zip', { body: zip });
    const first = await update(day1);
    expect(first.map((r) => [r.id, r.status])).toEqual([['kev', 'updated'], ['osv', 'updated']]);
    expect(await readFile(feedFile('kev', 'known_exploited_vulnerabilities.json'))).toEqual(kev);
    expect(await readFile(feedFile('osv', 'Alpine/all.zip'))).toEqual(zip);
    const state1 = await readFeedState(cacheDir, 'kev');
    expect(state1).toMatchObject({ fetchedAt: day1.toISOString(), changedAt: day1.toISOString(), state: { runs: 1 }, feedVersion: '1' });
    const etag = state1?.http[server.url('/kev/kev.json')]?.etag;
    expect(etag).toMatch(/^"[0-9a-f]{16}"$/);
    const mtime = (await stat(feedFile('kev', 'known_exploited_vulnerabilities.json'))).mtimeMs;

    const second = await update(day2);
    expect(second.map((r) => [r.id, r.status])).toEqual([['kev', 'not-modified'], ['osv', 'not-modified']]);
    const revalidation = server.requestsTo('/kev/kev.json')[1]?.headers;
    expect(revalidation?.['if-none-match']).toBe(etag);
    expect(server.requestsTo('/osv/Alpine/all.zip')[1]?.headers['if-none-match']).toMatch(/^"/);
    expect(await readFile(feedFile('kev', 'known_exploited_vulnerabilities.json'))).toEqual(kev);
    expect((await stat(feedFile('kev', 'known_exploited_vulnerabilities.json'))).mtimeMs).toBe(mtime);
    const state2 = await readFeedState(cacheDir, 'kev');
    expect(state2).toMatchObject({ fetchedAt: day2.toISOString(), changedAt: day1.toISOString(), state: { runs: 2 } });
    expect(state2?.http).toEqual(state1?.http);
  });

  it('keeps the previous data of a source answering 500 while another is updated', async () => {
    server.file('/kev/kev.json', { body: kev });
    server.file('/osv/Alpine/all.zip', { body: zip });
    await update(day1);
    const stateBefore = await readFile(feedFile('kev', 'state.json'), 'utf8');
    server.route('/kev/kev.json', (_req, res) => res.writeHead(500).end('internal error'));
    server.file('/osv/Alpine/all.zip', { body: zip2 });

    const results = await update(day2);
    const failed = byId(results, 'kev');
    expect(failed).toMatchObject({ status: 'failed', keptPrevious: true });
    if (failed?.status !== 'failed') throw new Error('unreachable');
    expect(failed.error.code).toBe('FEED_FETCH');
    expect(failed.error.context).toMatchObject({ status: 500, url: server.url('/kev/kev.json') });
    expect(await readFile(feedFile('kev', 'known_exploited_vulnerabilities.json'))).toEqual(kev);
    expect(await readFile(feedFile('kev', 'state.json'), 'utf8')).toBe(stateBefore);
    expect(byId(results, 'osv')?.status).toBe('updated');
    expect(await readFile(feedFile('osv', 'Alpine/all.zip'))).toEqual(zip2);
  });

  it('a feed that never succeeded fails with keptPrevious false and writes no state', async () => {
    const [result] = await update(day1, { only: ['kev'] });
    expect(result).toMatchObject({ id: 'kev', status: 'failed', keptPrevious: false });
    expect(existsSync(feedFile('kev', 'state.json'))).toBe(false);
    expect(await readFeedState(cacheDir, 'kev')).toBeUndefined();
  });

  it('puts back files a half-done fetch already replaced', async () => {
    const two = testFeed('osv', { 'Alpine/all.zip': '/osv/Alpine/all.zip', 'npm/all.zip': '/osv/npm/all.zip' });
    server.file('/osv/Alpine/all.zip', { body: zip });
    server.file('/osv/npm/all.zip', { body: zip2 });
    await update(day1, { feeds: [two] });
    server.file('/osv/Alpine/all.zip', { body: kev });
    server.route('/osv/npm/all.zip', (_req, res) => res.writeHead(503).end());
    const [result] = await update(day2, { feeds: [two] });
    expect(result).toMatchObject({ status: 'failed', keptPrevious: true });
    expect(await readFile(feedFile('osv', 'Alpine/all.zip'))).toEqual(zip);
    expect(await readFile(feedFile('osv', 'npm/all.zip'))).toEqual(zip2);
    expect(existsSync(feedFile('osv', 'Alpine/all.zip.prev'))).toBe(false);
  });

  it('resumes a download cut mid-body on the next update and ends byte-identical', async () => {
    server.file('/osv/Alpine/all.zip', { body: zip });
    await update(day1, { only: ['osv'] });
    const half = Math.floor(zip2.length / 2);
    server.file('/osv/Alpine/all.zip', { body: zip2, cutAfter: half });

    const [cut] = await update(day2, { only: ['osv'] });
    expect(cut).toMatchObject({ status: 'failed', keptPrevious: true });
    if (cut?.status !== 'failed') throw new Error('unreachable');
    expect(cut.error.code).toBe('FEED_FETCH');
    expect(await readFile(feedFile('osv', 'Alpine/all.zip'))).toEqual(zip);
    expect((await stat(feedFile('osv', 'Alpine/all.zip.part'))).size).toBe(half);

    const [resumed] = await update(day2, { only: ['osv'] });
    expect(resumed?.status).toBe('updated');
    const last = server.requestsTo('/osv/Alpine/all.zip').at(-1)?.headers;
    expect(last?.range).toBe(`bytes=${half}-`);
    expect(await readFile(feedFile('osv', 'Alpine/all.zip'))).toEqual(zip2);
    expect(existsSync(feedFile('osv', 'Alpine/all.zip.part'))).toBe(false);
  });

  it.skipIf(!existsSync(REAL_KEV))('resumes the real KEV catalogue (1.2 MB) cut at half', async () => {
    const real = await readFile(REAL_KEV);
    server.file('/kev/kev.json', { body: real, cutAfter: Math.floor(real.length / 2) });
    const events: UpdateProgress[] = [];
    expect((await update(day1, { only: ['kev'] }))[0]?.status).toBe('failed');
    expect((await update(day1, { only: ['kev'], progress: (p) => events.push(p) }))[0]?.status).toBe('updated');
    // Compare digests: a deep equality over 1.2 MB of bytes is slow in vitest.
    expect(sha256(await readFile(feedFile('kev', 'known_exploited_vulnerabilities.json')))).toBe(sha256(real));
    const start = events.find((e) => e.phase === 'start');
    expect(start?.done).toBeGreaterThan(0);
    expect(events.at(-1)).toMatchObject({ phase: 'end', feed: 'kev', done: real.length, total: real.length });
  });

  it('ignores a corrupt state.json with a CACHE_CORRUPT problem and fetches unconditionally', async () => {
    server.file('/kev/kev.json', { body: kev });
    await update(day1, { only: ['kev'] });
    await writeFile(feedFile('kev', 'state.json'), '{"schema":1,"fetchedAt":"yesterday"');
    await expect(readFeedState(cacheDir, 'kev')).rejects.toMatchObject({ code: 'CACHE_CORRUPT' });
    const [result] = await update(day2, { only: ['kev'] });
    expect(result?.status).toBe('updated');
    expect(result?.problems.map((p) => p.code)).toEqual(['CACHE_CORRUPT']);
    expect(server.requestsTo('/kev/kev.json')[1]?.headers['if-none-match']).toBeUndefined();
    expect((await readFeedState(cacheDir, 'kev'))?.fetchedAt).toBe(day2.toISOString());
  });

  it('rejects a state.json of the wrong shape as CACHE_CORRUPT', async () => {
    await mkdir(join(cacheDir, 'feeds', 'kev'), { recursive: true });
    await writeFile(feedFile('kev', 'state.json'), JSON.stringify({ schema: 1, feedVersion: 1, fetchedAt: 'x', state: [], http: {} }));
    await expect(readFeedState(cacheDir, 'kev')).rejects.toMatchObject({ code: 'CACHE_CORRUPT' });
    await expect(readFeedState(cacheDir, '../etc')).rejects.toMatchObject({ code: 'USAGE' });
  });

  it('runs only the feeds asked for and refuses unknown ids', async () => {
    server.file('/osv/Alpine/all.zip', { body: zip });
    const results = await update(day1, { only: ['osv'] });
    expect(results.map((r) => r.id)).toEqual(['osv']);
    await expect(update(day1, { only: ['nvd'] })).rejects.toMatchObject({ code: 'USAGE' });
  });

  it('turns a feed that throws or returns a bad state into a failed result', async () => {
    const throws: Feed = { ...testFeed('boom', {}), fetch: () => Promise.reject(new TypeError('x is undefined')) };
    const bad: Feed = { ...testFeed('bad', {}), fetch: async () => [1, 2] as never };
    const results = await update(day1, { feeds: [throws, bad] });
    expect(results.map((r) => (r.status === 'failed' ? [r.id, r.error.code] : [r.id, r.status]))).toEqual([['boom', 'FEED_FETCH'], ['bad', 'FEED_FETCH']]);
  });

  it('drives the CLI progress bar on a TTY', async () => {
    server.file('/osv/Alpine/all.zip', { body: zip });
    const out: string[] = [];
    const bar = new Progress({ stdout: { write: () => true }, stderr: { write: (s: string) => out.push(s), isTTY: true, columns: 100 }, env: {}, cwd: '/' });
    await update(day1, { only: ['osv'], progress: progressToBar(bar) });
    expect(out[0]).toContain('osv Alpine/all.zip');
    expect(out.at(-1)).toBe('\r\x1b[K');
  });
});
