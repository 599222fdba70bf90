import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { afterAll, describe, expect, it } from 'vitest';
import { tmpDirPool } from '../../../../test/helpers/tmp.js';
import type { Problem } from '../../../core/problem.js';
import { type KevEntry, KevSchema } from '../../model.js';
import type { DownloadOptions, FeedSink, FetchContext } from '../types.js';
import { kevFeed } from './index.js';
import { parseKevFile } from './parse.js';
import { KevCatalogSchema } from './schema.js';

const TESTDATA = new URL('./testdata/', import.meta.url).pathname;
const CATALOG = join(TESTDATA, 'known_exploited_vulnerabilities.json');
const REAL_DIR = '/work/shared/vulndata/kev';
const realText = readFileSync(CATALOG, 'utf8');
const real = (): Record<string, unknown> & { vulnerabilities: Record<string, unknown>[] } => JSON.parse(realText);
const tmp = tmpDirPool('kev');
afterAll(() => tmp.removeAll());

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = ((addFormatsImport as unknown as { default?: unknown }).default ?? addFormatsImport) as (ajv: Ajv) => Ajv;

function recorder() {
  const kev: KevEntry[] = [];
  const problems: Problem[] = [];
  const sink: FeedSink = {
    advisory: () => expect.fail('KEV emits no advisories'),
    kev: (e) => kev.push(e),
    epss: () => expect.fail('KEV emits no EPSS'),
    problem: (p) => problems.push(p),
  };
  return { kev, problems, sink };
}

async function parseText(text: string, maxBytes?: number) {
  const dir = await tmp.make();
  const path = join(dir, 'known_exploited_vulnerabilities.json');
  writeFileSync(path, text);
  const r = recorder();
  const n = await parseKevFile(path, r.sink, maxBytes);
  expect(n).toBe(r.kev.length);
  return r;
}

describe('KEV catalog (real file, 2025.08.25)', () => {
  it('emits every entry, with ransomware use mapped Known → true, Unknown → false', async () => {
    const r = recorder();
    await kevFeed.parse(TESTDATA, r.sink);
    expect(r.problems).toEqual([]);
    const doc = real();
    expect(r.kev).toHaveLength(doc.vulnerabilities.length);
    expect(r.kev).toHaveLength(1404);
    expect(r.kev[0]).toEqual({ cve: 'CVE-2025-48384', dateAdded: '2025-08-25', dueDate: '2025-09-15', knownRansomware: false });
    expect(r.kev.at(-1)).toEqual({ cve: 'CVE-2020-29583', dateAdded: '2021-11-03', dueDate: '2022-05-03', knownRansomware: false });
    const known = doc.vulnerabilities.filter((v) => v.knownRansomwareCampaignUse === 'Known').map((v) => v.cveID);
    expect(known).toHaveLength(293);
    expect(r.kev.filter((e) => e.knownRansomware === true).map((e) => e.cve)).toEqual(known);
    expect(r.kev.filter((e) => e.knownRansomware === false)).toHaveLength(1404 - 293);
    for (const e of r.kev) expect(KevSchema.safeParse(e).success).toBe(true);
  });

  it.skipIf(!existsSync(REAL_DIR))('testdata holds byte-identical copies of the shared files', () => {
    for (const f of ['known_exploited_vulnerabilities.json', 'known_exploited_vulnerabilities_schema.json']) {
      expect(readFileSync(join(TESTDATA, f)).equals(readFileSync(join(REAL_DIR, f))), f).toBe(true);
    }
  });
});

describe('the zod schema agrees with CISA\'s JSON Schema', () => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const official = ajv.compile(JSON.parse(readFileSync(join(TESTDATA, 'known_exploited_vulnerabilities_schema.json'), 'utf8')) as object);
  type Doc = ReturnType<typeof real>;
  const entry = (d: Doc): Record<string, unknown> => d.vulnerabilities[0] as Record<string, unknown>;
  const mutations: [string, (d: Doc) => unknown][] = [
    ['the real file', (d) => d],
    ['an extra property', (d) => ({ ...d, extra: 1 })],
    ['no dueDate', (d) => (delete entry(d).dueDate, d)],
    ['no shortDescription', (d) => (delete entry(d).shortDescription, d)],
    ['no cwes (optional)', (d) => (delete entry(d).cwes, d)],
    ['cveID with 3 digits', (d) => ((entry(d).cveID = 'CVE-2024-123'), d)],
    ['cveID with 20 digits', (d) => ((entry(d).cveID = `CVE-2024-${'1'.repeat(20)}`), d)],
    ['cveID lower case', (d) => ((entry(d).cveID = 'cve-2024-1234'), d)],
    ['dateAdded month 13', (d) => ((entry(d).dateAdded = '2025-13-01'), d)],
    ['dateAdded 30 February', (d) => ((entry(d).dateAdded = '2025-02-30'), d)],
    ['dateAdded with a time', (d) => ((entry(d).dateAdded = '2025-02-03T00:00:00Z'), d)],
    ['dueDate a number', (d) => ((entry(d).dueDate = 20250101), d)],
    ['ransomware use a boolean', (d) => ((entry(d).knownRansomwareCampaignUse = true), d)],
    ['cwes not CWE ids', (d) => ((entry(d).cwes = ['CWE-x']), d)],
    ['cwes a string', (d) => ((entry(d).cwes = 'CWE-79'), d)],
    ['count a string', (d) => ({ ...d, count: '1404' })],
    ['count fractional', (d) => ({ ...d, count: 1.5 })],
    ['dateReleased without zone', (d) => ({ ...d, dateReleased: '2025-08-25T17:04:19' })],
    ['dateReleased with offset', (d) => ({ ...d, dateReleased: '2025-08-25T17:04:19+02:00' })],
    ['no catalogVersion', (d) => (delete (d as Record<string, unknown>).catalogVersion, d)],
    ['vulnerabilities an object', (d) => ({ ...d, vulnerabilities: {} })],
    ['an entry null', (d) => ({ ...d, vulnerabilities: [null] })],
    ['the document an array', () => []],
  ];
  for (const [what, mutate] of mutations) {
    it(what, () => {
      const doc = mutate(real());
      const expected = official(doc);
      expect(KevCatalogSchema.safeParse(doc).success, JSON.stringify(official.errors?.slice(0, 2))).toBe(expected);
    });
  }

  it('both accept the real file, and the official schema does reject (the agreement is not vacuous)', () => {
    expect(official(real())).toBe(true);
    expect(KevCatalogSchema.safeParse(real()).success).toBe(true);
    const rejected = mutations.filter(([, mutate]) => !official(mutate(real()))).map(([what]) => what);
    expect(rejected.length).toBeGreaterThan(mutations.length / 2);
    expect(rejected).toContain('no dueDate');
  });
});

describe('kev feed', () => {
  it('fetch downloads the catalog from the base URL or its override', async () => {
    const calls: { url: string; opts: DownloadOptions }[] = [];
    const ctx = (baseUrl: string | undefined): FetchContext => ({
      dir: '/nonexistent',
      state: {},
      baseUrl,
      now: new Date(),
      download: async (url, opts) => {
        calls.push({ url, opts });
        return { status: 'not-modified', bytes: 0 };
      },
      getJson: async () => expect.fail('not used'),
    });
    expect(await kevFeed.fetch(ctx(undefined))).toEqual({});
    await kevFeed.fetch(ctx('http://127.0.0.1:9/kev'));
    const file = 'known_exploited_vulnerabilities.json';
    expect(calls).toEqual([
      { url: `https://www.cisa.gov/sites/default/files/feeds/${file}`, opts: { file } },
      { url: `http://127.0.0.1:9/kev/${file}`, opts: { file } },
    ]);
  });

  it('a directory without the catalog is a problem', async () => {
    const r = recorder();
    await kevFeed.parse(await tmp.make(), r.sink);
    expect(r.kev).toEqual([]);
    expect(r.problems).toEqual([expect.objectContaining({ code: 'FEED_PARSE', source: 'kev' })]);
  });
});

describe('hostile KEV files', () => {
  it('truncated JSON is one problem and no entries', async () => {
    const r = await parseText(realText.slice(0, realText.length / 2));
    expect(r.kev).toEqual([]);
    expect(r.problems.map((p) => p.message)).toEqual([expect.stringMatching(/cannot be read as JSON/)]);
  });

  it('a document of the wrong shape is one problem', async () => {
    for (const text of ['"a string"', '[]', 'null', '{"vulnerabilities": {}}', JSON.stringify({ ...real(), count: 'many' })]) {
      const r = await parseText(text);
      expect(r.kev).toEqual([]);
      expect(r.problems.map((p) => p.message)).toEqual([expect.stringMatching(/cannot be read|not a KEV catalog/)]);
    }
  });

  it('skips unusable entries, keeps usable ones that break the schema, and says so', async () => {
    const doc = real();
    const [a, b, c, d, e] = doc.vulnerabilities as Record<string, unknown>[];
    delete a?.shortDescription; // schema break, still usable
    if (b) b.cveID = 12345; // unusable
    if (c) c.dateAdded = 'last tuesday'; // unusable
    if (d) d.knownRansomwareCampaignUse = 'Perhaps'; // free string in the schema: kept, no ransomware flag
    if (e) e.cveID = a?.cveID; // duplicate
    doc.vulnerabilities = [a, b, c, d, e] as Record<string, unknown>[];
    doc.count = 5;
    const r = await parseText(JSON.stringify(doc));
    expect(r.kev.map((k) => k.cve)).toEqual([a?.cveID, d?.cveID]);
    expect(r.kev[1]).not.toHaveProperty('knownRansomware');
    expect(r.problems).toHaveLength(4);
    expect(r.problems.map((p) => p.message).join('\n')).toMatch(/does not match the KEV schema.*kept[\s\S]*vulnerabilities\[1\] skipped[\s\S]*vulnerabilities\[2\] skipped[\s\S]*listed twice/);
  });

  it('a count that disagrees with the entries is reported (truncated or edited catalog)', async () => {
    const doc = real();
    doc.vulnerabilities = doc.vulnerabilities.slice(0, 10);
    const r = await parseText(JSON.stringify(doc));
    expect(r.kev).toHaveLength(10);
    expect(r.problems.map((p) => p.message)).toEqual([expect.stringMatching(/count says 1404 entries but the file holds 10/)]);
  });

  it('caps the problems of one file', async () => {
    const doc = real();
    doc.vulnerabilities = Array.from({ length: 50 }, () => ({ cveID: 'nope' }));
    doc.count = 50;
    const r = await parseText(JSON.stringify(doc));
    expect(r.kev).toEqual([]);
    expect(r.problems).toHaveLength(21);
    expect(r.problems.at(-1)?.message).toMatch(/30 more problems not shown/);
  });

  it('refuses a file above the size limit without reading it', async () => {
    const r = await parseText(realText, 1000);
    expect(r.kev).toEqual([]);
    expect(r.problems.map((p) => p.message)).toEqual([expect.stringMatching(/more than the 1000 a KEV catalog can be/)]);
  });

  it('huge string fields do not break parsing', async () => {
    const doc = real();
    doc.vulnerabilities = [{ ...(doc.vulnerabilities[0] as object), notes: 'x'.repeat(5_000_000) }];
    doc.count = 1;
    const r = await parseText(JSON.stringify(doc));
    expect(r.problems).toEqual([]);
    expect(r.kev).toHaveLength(1);
  });
});
