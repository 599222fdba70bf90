import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tmpDirPool } from '../../../../test/helpers/tmp.js';
import { isPortcullisError, PortcullisError } from '../../../core/errors.js';
import type { AdvisoryInput } from '../../model.js';
import type { DownloadOptions, FeedState, FetchContext } from '../types.js';
import { DEFAULT_NVD_FETCH_OPTIONS, type NvdFetchOptions } from './fetch.js';
import { createNvdFeed, nvdFeed } from './index.js';
import { apiDate, fileStamp, lastModWindows } from './windows.js';

const tmp = tmpDirPool('nvd-fetch');
afterAll(() => tmp.removeAll());

interface FakeCve {
  readonly id: string;
  readonly lastModified: string; // NVD form: UTC without a zone
}

interface Call {
  readonly url: string;
  readonly file: string;
  readonly headers: Readonly<Record<string, string>> | undefined;
}

/**
 * A fake NVD behind a fake FetchContext: answers each URL like the API would (filter on the
 * lastMod range, then page by startIndex/resultsPerPage), writes the page where download() is
 * told to, and records every request and every pause.
 */
function fakeNvd(cves: readonly FakeCve[], opts: { fail?: (call: Call, n: number) => boolean; answer?: (page: Record<string, unknown>, call: Call) => unknown } = {}) {
  const calls: Call[] = [];
  const sleeps: number[] = [];
  const context = (dir: string, state: FeedState, now: string, baseUrl?: string): FetchContext => ({
    dir,
    state,
    baseUrl,
    now: new Date(now),
    async download(url: string, o: DownloadOptions) {
      const call = { url, file: o.file, headers: o.headers };
      calls.push(call);
      if (opts.fail?.(call, calls.length)) throw new PortcullisError('FEED_FETCH', 'connection reset', { url });
      const q = new URL(url).searchParams;
      const from = q.get('lastModStartDate');
      const to = q.get('lastModEndDate');
      const inRange = cves.filter((c) => {
        const t = Date.parse(`${c.lastModified}Z`);
        return (from === null || t >= Date.parse(from)) && (to === null || t <= Date.parse(to));
      });
      const start = Number(q.get('startIndex'));
      const per = Number(q.get('resultsPerPage'));
      const page: Record<string, unknown> = {
        resultsPerPage: Math.min(per, Math.max(0, inRange.length - start)),
        startIndex: start,
        totalResults: inRange.length,
        format: 'NVD_CVE',
        version: '2.0',
        timestamp: '2024-09-01T12:00:00.000',
        vulnerabilities: inRange.slice(start, start + per).map((c) => ({ cve: { id: c.id, published: '2020-01-01T00:00:00.000', lastModified: c.lastModified, vulnStatus: 'Analyzed' } })),
      };
      const body = opts.answer ? opts.answer(page, call) : page;
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      await mkdir(dirname(join(dir, o.file)), { recursive: true });
      await writeFile(join(dir, o.file), text);
      return { status: 'downloaded' as const, bytes: text.length };
    },
    getJson: async () => expect.fail('the NVD feed downloads pages to files'),
  });
  return { calls, sleeps, context };
}

function feedWith(sleeps: number[], extra: Partial<NvdFetchOptions> = {}) {
  return createNvdFeed({ fetch: { sleep: async (ms) => void sleeps.push(ms), env: {}, resultsPerPage: 2, ...extra } });
}

const params = (url: string) => Object.fromEntries(new URL(url).searchParams);
const FIVE: FakeCve[] = ['2019-05-01T00:00:00.000', '2024-02-01T10:00:00.000', '2024-05-15T00:00:00.000', '2024-08-30T23:59:59.999', '2024-09-01T11:00:00.000'].map((lastModified, i) => ({
  id: `CVE-2024-000${i + 1}`,
  lastModified,
}));

async function parsed(dir: string): Promise<string[]> {
  const ids: AdvisoryInput[] = [];
  await nvdFeed.parse(dir, { advisory: (a) => ids.push(a), kev: () => undefined, epss: () => undefined, problem: (p) => expect.fail(p.message) });
  return ids.map((a) => a.id).sort();
}

describe('window arithmetic', () => {
  const d = (s: string) => new Date(s);
  it('cuts a gap into 120-day windows sharing their boundaries', () => {
    // 2024 is a leap year: 1 Jan + 120 days = 30 April.
    expect(lastModWindows(d('2024-01-01T00:00:00Z'), d('2024-09-01T12:00:00Z'))).toEqual([
      { start: d('2024-01-01T00:00:00Z'), end: d('2024-04-30T00:00:00Z') },
      { start: d('2024-04-30T00:00:00Z'), end: d('2024-08-28T00:00:00Z') },
      { start: d('2024-08-28T00:00:00Z'), end: d('2024-09-01T12:00:00Z') },
    ]);
  });

  it('exactly 120 days is one window; one millisecond more is two', () => {
    expect(lastModWindows(d('2023-01-01T00:00:00Z'), d('2023-05-01T00:00:00Z'))).toHaveLength(1);
    expect(lastModWindows(d('2023-01-01T00:00:00Z'), d('2023-05-01T00:00:00.001Z'))).toEqual([
      { start: d('2023-01-01T00:00:00Z'), end: d('2023-05-01T00:00:00Z') },
      { start: d('2023-05-01T00:00:00Z'), end: d('2023-05-01T00:00:00.001Z') },
    ]);
  });

  it('no window when nothing elapsed or the clock went back', () => {
    expect(lastModWindows(d('2024-01-01T00:00:00Z'), d('2024-01-01T00:00:00Z'))).toEqual([]);
    expect(lastModWindows(d('2024-01-02T00:00:00Z'), d('2024-01-01T00:00:00Z'))).toEqual([]);
  });

  it('formats dates for the API (explicit offset, + encoded) and for file names (sortable)', () => {
    expect(apiDate(d('2024-04-30T00:00:00Z'))).toBe('2024-04-30T00:00:00.000%2B00:00');
    expect(fileStamp(d('2024-04-30T01:02:03.456Z'))).toBe('20240430T010203.456Z');
    expect(fileStamp(undefined) < fileStamp(d('1970-01-01T00:00:00Z'))).toBe(true);
  });
});

describe('nvd fetch', () => {
  it('the first run pages through everything, pausing 6 s between requests without a key', async () => {
    const dir = await tmp.make();
    const nvd = fakeNvd(FIVE);
    const sleeps: number[] = [];
    const state = await feedWith(sleeps).fetch(nvd.context(dir, {}, '2024-09-01T12:00:00Z'));
    expect(state).toEqual({ lastModEndDate: '2024-09-01T12:00:00.000Z' });
    expect(nvd.calls.map((c) => params(c.url))).toEqual([0, 2, 4].map((i) => ({ resultsPerPage: '2', startIndex: String(i) })));
    expect(nvd.calls.every((c) => c.url.startsWith('https://services.nvd.nist.gov/rest/json/cves/2.0?'))).toBe(true);
    expect(nvd.calls.map((c) => c.file)).toEqual(['0000000', '0000002', '0000004'].map((i) => `pages/00000000T000000.000Z-${i}.json`));
    expect(nvd.calls.every((c) => c.headers === undefined)).toBe(true);
    expect(sleeps).toEqual([6000, 6000]);
    expect(await parsed(dir)).toEqual(FIVE.map((c) => c.id));
  });

  it('sends NVD_API_KEY in the apiKey header and pauses 0.6 s', async () => {
    const dir = await tmp.make();
    const nvd = fakeNvd(FIVE);
    const sleeps: number[] = [];
    await feedWith(sleeps, { env: { NVD_API_KEY: ' secret-key \n' } }).fetch(nvd.context(dir, {}, '2024-09-01T12:00:00Z'));
    expect(nvd.calls.map((c) => c.headers)).toEqual([{ apiKey: 'secret-key' }, { apiKey: 'secret-key' }, { apiKey: 'secret-key' }]);
    expect(sleeps).toEqual([600, 600]);
  });

  it('later runs ask for 120-day lastMod windows from the saved state to now', async () => {
    const dir = await tmp.make();
    const nvd = fakeNvd(FIVE);
    const state = await feedWith([]).fetch(nvd.context(dir, { lastModEndDate: '2024-01-01T00:00:00.000Z', other: 'kept' }, '2024-09-01T12:00:00Z'));
    expect(state).toEqual({ lastModEndDate: '2024-09-01T12:00:00.000Z', other: 'kept' });
    const range = (a: string, b: string) => ({ lastModStartDate: `${a}+00:00`, lastModEndDate: `${b}+00:00` });
    const w1 = range('2024-01-01T00:00:00.000', '2024-04-30T00:00:00.000');
    const w2 = range('2024-04-30T00:00:00.000', '2024-08-28T00:00:00.000');
    const w3 = range('2024-08-28T00:00:00.000', '2024-09-01T12:00:00.000');
    expect(nvd.calls.map((c) => params(c.url))).toEqual([
      { resultsPerPage: '2', startIndex: '0', ...w1 },
      { resultsPerPage: '2', startIndex: '0', ...w2 },
      { resultsPerPage: '2', startIndex: '0', ...w3 },
    ]);
    // The raw query keeps the documented form: explicit offset with "+" percent-encoded.
    expect(nvd.calls[0]?.url).toContain('&lastModStartDate=2024-01-01T00:00:00.000%2B00:00&lastModEndDate=2024-04-30T00:00:00.000%2B00:00');
    expect(nvd.calls.map((c) => c.file)).toEqual(['20240101T000000.000Z', '20240430T000000.000Z', '20240828T000000.000Z'].map((s) => `pages/${s}-0000000.json`));
    // CVE-2024-0001 was modified before the saved state: not asked for again.
    expect(await parsed(dir)).toEqual(FIVE.slice(1).map((c) => c.id));
  });

  it('a run that dies mid-window throws and leaves the state where it was; the next run redoes that window', async () => {
    const dir = await tmp.make();
    const before = { lastModEndDate: '2024-01-01T00:00:00.000Z' };
    // Window 2 (30 April → 28 August) fails on its first request.
    const failing = fakeNvd(FIVE, { fail: (c) => c.url.includes('lastModStartDate=2024-04-30') });
    const err = await feedWith([]).fetch(failing.context(dir, before, '2024-09-01T12:00:00Z')).catch((e: unknown) => e);
    expect(isPortcullisError(err, 'FEED_FETCH')).toBe(true);
    expect(failing.calls).toHaveLength(2);
    expect(await readdir(join(dir, 'pages'))).toEqual(['20240101T000000.000Z-0000000.json']);

    // The orchestrator keeps `before` (fetch threw); the next run starts from the same point.
    const retry = fakeNvd(FIVE);
    const after = await feedWith([]).fetch(retry.context(dir, before, '2024-09-02T00:00:00Z'));
    expect(retry.calls[0]?.url).toBe(failing.calls[0]?.url);
    expect(retry.calls[0]?.file).toBe(failing.calls[0]?.file);
    expect(after).toEqual({ lastModEndDate: '2024-09-02T00:00:00.000Z' });
    expect(await parsed(dir)).toEqual(FIVE.slice(1).map((c) => c.id));
  });

  it('a failure in the first, full run also keeps the state empty', async () => {
    const dir = await tmp.make();
    const nvd = fakeNvd(FIVE, { fail: (_c, n) => n === 3 });
    await expect(feedWith([]).fetch(nvd.context(dir, {}, '2024-09-01T12:00:00Z'))).rejects.toMatchObject({ code: 'FEED_FETCH' });
    expect(nvd.calls.map((c) => params(c.url).startIndex)).toEqual(['0', '2', '4']);
  });

  it('nothing to ask when no time passed, or the saved end is in the future', async () => {
    for (const saved of ['2024-09-01T12:00:00.000Z', '2030-01-01T00:00:00.000Z']) {
      const nvd = fakeNvd(FIVE);
      const state = { lastModEndDate: saved };
      expect(await feedWith([]).fetch(nvd.context(await tmp.make(), state, '2024-09-01T12:00:00Z'))).toEqual(state);
      expect(nvd.calls).toEqual([]);
    }
  });

  it('an unreadable state starts over with a full run', async () => {
    const nvd = fakeNvd(FIVE);
    const state = await feedWith([]).fetch(nvd.context(await tmp.make(), { lastModEndDate: 'last tuesday' }, '2024-09-01T12:00:00Z'));
    expect(nvd.calls.map((c) => params(c.url).lastModStartDate)).toEqual([undefined, undefined, undefined]);
    expect(state.lastModEndDate).toBe('2024-09-01T12:00:00.000Z');
  });

  it('uses the base URL override and the defaults (2000 per page, 6 s / 0.6 s)', async () => {
    expect(DEFAULT_NVD_FETCH_OPTIONS).toMatchObject({ resultsPerPage: 2000, delayMs: { anonymous: 6000, withKey: 600 } });
    const nvd = fakeNvd(FIVE);
    await createNvdFeed({ fetch: { sleep: async () => undefined, env: {} } }).fetch(nvd.context(await tmp.make(), {}, '2024-09-01T12:00:00Z', 'http://127.0.0.1:9/nvd/'));
    expect(nvd.calls.map((c) => c.url)).toEqual(['http://127.0.0.1:9/nvd/cves/2.0?resultsPerPage=2000&startIndex=0']);
  });

  it('declares the NVD notice', () => {
    expect(nvdFeed.license).toContain('This product uses the NVD API but is not endorsed or certified by the NVD.');
    expect(nvdFeed.baseUrl).toBe('https://services.nvd.nist.gov/rest/json/');
  });
});

describe('hostile NVD answers end the run with FEED_FETCH, never a loop', () => {
  const cases: [string, (page: Record<string, unknown>) => unknown, RegExp][] = [
    ['an HTML error page', () => '<html>503</html>', /cannot be read/],
    ['a truncated page', (p) => JSON.stringify(p).slice(0, 50), /cannot be read/],
    ['JSON of another shape', () => ({ message: 'Invalid apiKey' }), /not a CVE API 2.0 page/],
    ['totalResults a string', (p) => ({ ...p, totalResults: '5' }), /not a CVE API 2.0 page/],
    ['an absurd totalResults', (p) => ({ ...p, totalResults: 1e12 }), /not a CVE API 2.0 page/],
    ['another startIndex than asked', (p) => ({ ...p, startIndex: 7 }), /asked for startIndex 0, got 7/],
    ['an empty page before the end', (p) => ({ ...p, vulnerabilities: [] }), /empty page at 0 of 5/],
  ];
  for (const [what, answer, why] of cases) {
    it(what, async () => {
      const dir = await tmp.make();
      const nvd = fakeNvd(FIVE, { answer });
      const err = await feedWith([]).fetch(nvd.context(dir, {}, '2024-09-01T12:00:00Z')).catch((e: unknown) => e);
      expect(isPortcullisError(err, 'FEED_FETCH')).toBe(true);
      expect((err as Error).message).toMatch(why);
      expect(nvd.calls).toHaveLength(1);
    });
  }

  it('a page above the size limit is refused before it is parsed', async () => {
    const dir = await tmp.make();
    const nvd = fakeNvd(FIVE);
    await expect(feedWith([], { maxPageBytes: 100 }).fetch(nvd.context(dir, {}, '2024-09-01T12:00:00Z'))).rejects.toThrow(/more than 100/);
    expect(existsSync(join(dir, 'pages'))).toBe(true);
  });
});
