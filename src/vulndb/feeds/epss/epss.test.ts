import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { tmpDirPool } from '../../../../test/helpers/tmp.js';
import type { Problem } from '../../../core/problem.js';
import { type AdvisoryInput, type EpssEntry, EpssSchema, type KevEntry } from '../../model.js';
import type { DownloadOptions, FeedSink, FetchContext } from '../types.js';
import { DEFAULT_EPSS_LIMITS, parseEpssFile } from './csv.js';
import { createEpssFeed, epssFeed } from './index.js';

const TESTDATA = new URL('./testdata/', import.meta.url).pathname;
const REAL_SAMPLES = '/work/shared/vulndata/samples/epss';
const tmp = tmpDirPool('epss');
afterAll(() => tmp.removeAll());

function recorder() {
  const out = { advisories: [] as AdvisoryInput[], kev: [] as KevEntry[], epss: [] as EpssEntry[], problems: [] as Problem[] };
  const sink: FeedSink = {
    advisory: (a) => out.advisories.push(a),
    kev: (e) => out.kev.push(e),
    epss: (e) => out.epss.push(e),
    problem: (p) => out.problems.push(p),
  };
  return { ...out, sink };
}

async function parseFile(name: string, content: string | Buffer, limits = DEFAULT_EPSS_LIMITS) {
  const dir = await tmp.make();
  const path = join(dir, name);
  writeFileSync(path, content);
  const r = recorder();
  const emitted = await parseEpssFile(path, r.sink, limits);
  expect(emitted).toBe(r.epss.length);
  for (const e of r.epss) expect(EpssSchema.safeParse(e).success).toBe(true);
  return r;
}

describe('EPSS files (real samples, one per format generation)', () => {
  it('2021-04-14: "cve,epss" only, no comment: date from the name, percentile computed over the file', async () => {
    const r = recorder();
    await parseEpssFile(join(TESTDATA, 'epss_scores-2021-04-14.csv.gz'), r.sink);
    expect(r.problems).toEqual([]);
    // FIRST's definition: share of scored CVEs with the same or a lower score (2 rows here).
    expect(r.epss).toEqual([
      { cve: 'CVE-2020-5902', score: 0.65117, percentile: 1, date: '2021-04-14' },
      { cve: 'CVE-2018-19571', score: 0.04773, percentile: 0.5, date: '2021-04-14' },
    ]);
  });

  it('2021-09-01: percentile column, still no comment', async () => {
    const r = recorder();
    await parseEpssFile(join(TESTDATA, 'epss_scores-2021-09-01.csv.gz'), r.sink);
    expect(r.problems).toEqual([]);
    expect(r.epss).toEqual([
      { cve: 'CVE-2020-5902', score: 0.65117, percentile: 0.9981063485700858, date: '2021-09-01' },
      { cve: 'CVE-2018-19571', score: 0.04773, percentile: 0.8715910818693242, date: '2021-09-01' },
    ]);
  });

  it('2022 and 2023: the #model_version comment gives the score date', async () => {
    for (const [file, date, first] of [
      ['epss_scores-2022-02-04.csv.gz', '2022-02-04', { score: 0.96817, percentile: 0.99999 }],
      ['epss_scores-2023-03-07.csv.gz', '2023-03-07', { score: 0.97567, percentile: 0.99995 }],
    ] as const) {
      const r = recorder();
      // Renamed: the date must come from the comment, not from the file name.
      const dir = await tmp.make();
      copyFileSync(join(TESTDATA, file), join(dir, 'epss_scores-current.csv.gz'));
      await parseEpssFile(join(dir, 'epss_scores-current.csv.gz'), r.sink);
      expect(r.problems).toEqual([]);
      expect(r.epss).toHaveLength(2);
      expect(r.epss[0]).toEqual({ cve: 'CVE-2020-5902', ...first, date });
      expect(r.epss.every((e) => e.date === date)).toBe(true);
    }
  });

  it.skipIf(!existsSync(REAL_SAMPLES))('testdata holds byte-identical copies of the shared samples', () => {
    for (const f of ['2021-04-14', '2021-09-01', '2022-02-04', '2023-03-07'].map((d) => `epss_scores-${d}.csv.gz`)) {
      expect(readFileSync(join(TESTDATA, f)).equals(readFileSync(join(REAL_SAMPLES, f))), f).toBe(true);
    }
  });
});

describe('epss feed', () => {
  it('declares itself', () => {
    expect(epssFeed.id).toBe('epss');
    expect(epssFeed.license).toMatch(/first\.org\/epss/);
    expect(epssFeed.baseUrl).toBe('https://epss.empiricalsecurity.com/');
  });

  it('fetch downloads the current file from the base URL or its override', async () => {
    const calls: { url: string; opts: DownloadOptions }[] = [];
    const ctx = (baseUrl: string | undefined): FetchContext => ({
      dir: '/nonexistent',
      state: { keep: 1 },
      baseUrl,
      now: new Date('2025-01-01T00:00:00Z'),
      download: async (url, opts) => {
        calls.push({ url, opts });
        return { status: 'downloaded', bytes: 1 };
      },
      getJson: async () => {
        throw new Error('not used');
      },
    });
    expect(await epssFeed.fetch(ctx(undefined))).toEqual({ keep: 1 });
    await epssFeed.fetch(ctx('http://127.0.0.1:9/epss//'));
    expect(calls).toEqual([
      { url: 'https://epss.empiricalsecurity.com/epss_scores-current.csv.gz', opts: { file: 'epss_scores-current.csv.gz' } },
      { url: 'http://127.0.0.1:9/epss/epss_scores-current.csv.gz', opts: { file: 'epss_scores-current.csv.gz' } },
    ]);
  });

  it('parse reads the current file, or else the newest dated one', async () => {
    const dir = await tmp.make();
    for (const d of ['2021-09-01', '2023-03-07', '2022-02-04']) copyFileSync(join(TESTDATA, `epss_scores-${d}.csv.gz`), join(dir, `epss_scores-${d}.csv.gz`));
    writeFileSync(join(dir, 'unrelated.csv'), 'not,epss\n');
    let r = recorder();
    await epssFeed.parse(dir, r.sink);
    expect(r.problems).toEqual([]);
    expect(new Set(r.epss.map((e) => e.date))).toEqual(new Set(['2023-03-07']));

    copyFileSync(join(TESTDATA, 'epss_scores-2022-02-04.csv.gz'), join(dir, 'epss_scores-current.csv.gz'));
    r = recorder();
    await epssFeed.parse(dir, r.sink);
    expect(new Set(r.epss.map((e) => e.date))).toEqual(new Set(['2022-02-04']));
  });

  it('an empty or missing directory is a problem, not a crash', async () => {
    for (const dir of [await tmp.make(), '/nonexistent/epss']) {
      const r = recorder();
      await epssFeed.parse(dir, r.sink);
      expect(r.epss).toEqual([]);
      expect(r.problems).toHaveLength(1);
      expect(r.problems[0]).toMatchObject({ code: 'FEED_PARSE', source: 'epss' });
    }
  });
});

describe('hostile EPSS files', () => {
  const HEAD = '#model_version:v2023.03.01,score_date:2024-05-06T00:00:00+0000\ncve,epss,percentile\n';

  it('reads plain CSV and CRLF line ends', async () => {
    const r = await parseFile('epss_scores-current.csv', HEAD.replace(/\n/g, '\r\n') + 'CVE-2024-0001,0.5,0.75\r\n');
    expect(r.problems).toEqual([]);
    expect(r.epss).toEqual([{ cve: 'CVE-2024-0001', score: 0.5, percentile: 0.75, date: '2024-05-06' }]);
  });

  it('skips rows with wrong types or out-of-range values, one problem each', async () => {
    const bad = ['CVE-2024-1,abc,0.5', 'CVE-2024-2,1.5,0.5', 'not-a-cve,0.1,0.2', 'CVE-2024-3,0.1', 'CVE-2024-4,-0.1,0.2', 'CVE-2024-5,NaN,0.1', 'CVE-2024-6,Infinity,1', 'CVE-2024-7,0x1,0.1', 'CVE-2024-8,,0.1'];
    const r = await parseFile('epss_scores-current.csv.gz', gzipSync(HEAD + ['CVE-2024-0001,0.1,0.2', ...bad, 'CVE-2024-0009,1,1'].join('\n')));
    expect(r.epss.map((e) => e.cve)).toEqual(['CVE-2024-0001', 'CVE-2024-0009']);
    expect(r.problems).toHaveLength(bad.length);
    expect(r.problems.every((p) => p.code === 'FEED_PARSE' && p.path === 'epss_scores-current.csv.gz')).toBe(true);
  });

  it('caps the problems of one file', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => `CVE-2024-${1000 + i},2,2`).join('\n');
    const r = await parseFile('epss_scores-current.csv', HEAD + rows);
    expect(r.epss).toEqual([]);
    expect(r.problems).toHaveLength(DEFAULT_EPSS_LIMITS.maxProblems + 1);
    expect(r.problems.at(-1)?.message).toMatch(/80 more problems not shown/);
  });

  it('skips an absurdly long line without buffering it and goes on', async () => {
    const huge = `CVE-2024-0002,0.1,${'9'.repeat(5_000_000)}`;
    const r = await parseFile('epss_scores-current.csv.gz', gzipSync(`${HEAD}CVE-2024-0001,0.1,0.2\n${huge}\nCVE-2024-0003,0.3,0.4\n`));
    expect(r.epss.map((e) => e.cve)).toEqual(['CVE-2024-0001', 'CVE-2024-0003']);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]?.message).toMatch(/line 4 is longer than 1024 bytes/);
  });

  it('stops a gzip bomb at the decompressed-size limit', async () => {
    // 16 MiB of a valid row repeated compresses to a few dozen KB.
    const row = Buffer.from('CVE-2024-0001,0.1,0.2\n');
    const bomb = gzipSync(Buffer.concat([Buffer.from(HEAD), Buffer.alloc(16 * 1024 * 1024, row)]), { level: 9 });
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const limits = { ...DEFAULT_EPSS_LIMITS, maxBytes: 1024 * 1024 };
    const r = await parseFile('epss_scores-current.csv.gz', bomb, limits);
    expect(r.problems.map((p) => p.message)).toEqual([expect.stringMatching(/more than 1048576 bytes once decompressed/)]);
    // Rows before the limit count; nothing past ~1 MiB was produced.
    expect(r.epss.length).toBeGreaterThan(0);
    expect(r.epss.length).toBeLessThanOrEqual((1024 * 1024) / row.length);
  });

  it('stops at the row limit', async () => {
    const rows = Array.from({ length: 10 }, (_, i) => `CVE-2024-${1000 + i},0.1,0.2`).join('\n');
    const r = await parseFile('epss_scores-current.csv', HEAD + rows, { ...DEFAULT_EPSS_LIMITS, maxRows: 4 });
    expect(r.epss).toHaveLength(4);
    expect(r.problems[0]?.message).toMatch(/more than 4 rows/);
  });

  it('a truncated gzip keeps the rows read before the cut and records the cut', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `CVE-2024-${10000 + i},0.${i % 10},0.5`).join('\n');
    const gz = gzipSync(HEAD + rows);
    const r = await parseFile('epss_scores-current.csv.gz', gz.subarray(0, Math.floor(gz.length / 2)));
    expect(r.epss.length).toBeLessThan(5000);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]?.message).toMatch(/corrupt or truncated gzip/);
  });

  it('a truncated old-format file emits nothing: its percentiles cannot be computed', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `CVE-2024-${10000 + i},0.${i % 10}`).join('\n');
    const gz = gzipSync(`cve,epss\n${rows}`);
    const r = await parseFile('epss_scores-2021-05-01.csv.gz', gz.subarray(0, Math.floor(gz.length / 2)));
    expect(r.epss).toEqual([]);
    expect(r.problems).toHaveLength(1);
  });

  it('refuses files that are not EPSS scores', async () => {
    const cases: [string, string | Buffer, RegExp][] = [
      ['epss_scores-current.csv', '', /no header line/],
      ['epss_scores-current.csv', 'hello,world\n1,2\n', /not a "cve,epss\[,percentile\]" header/],
      ['epss_scores-current.csv', 'cve,epss,percentile\nCVE-2024-0001,0.1,0.2\n', /no score_date/],
      ['epss_scores-current.csv.gz', Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.alloc(100, 7)]), /corrupt or truncated gzip/],
      ['epss_scores-current.csv', Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x0a, 0x80]), /header/],
    ];
    for (const [name, content, why] of cases) {
      const r = await parseFile(name, content);
      expect(r.epss).toEqual([]);
      expect(r.problems.map((p) => p.message)).toEqual([expect.stringMatching(why)]);
    }
  });

  it('the comment is only read before the header, and a bad score_date falls back to the file name', async () => {
    const r = await parseFile('epss_scores-2024-01-02.csv', '#model_version:x,score_date:yesterday\ncve,epss\nCVE-2024-0001,0.1\n#score_date:2020-01-01\n');
    expect(r.epss).toEqual([{ cve: 'CVE-2024-0001', score: 0.1, percentile: 1, date: '2024-01-02' }]);
    expect(r.problems).toHaveLength(1);
  });

  it('a feed built with small limits passes them to the parser', async () => {
    const dir = await tmp.make();
    writeFileSync(join(dir, 'epss_scores-current.csv'), `${HEAD}CVE-2024-0001,0.1,0.2\nCVE-2024-0002,0.1,0.2\n`);
    const r = recorder();
    await createEpssFeed({ limits: { ...DEFAULT_EPSS_LIMITS, maxRows: 1 } }).parse(dir, r.sink);
    expect(r.epss).toHaveLength(1);
    expect(r.problems).toHaveLength(1);
  });
});
