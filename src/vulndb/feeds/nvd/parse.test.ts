import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmpDirPool } from '../../../../test/helpers/tmp.js';
import type { Problem } from '../../../core/problem.js';
import { type AdvisoryInput, AdvisorySchema } from '../../model.js';
import type { FeedSink } from '../types.js';
import { createNvdFeed, nvdFeed } from './index.js';
import { rfc3339 } from './map.js';
import { DEFAULT_NVD_PARSE_LIMITS } from './parse.js';

const TESTDATA = new URL('./testdata/', import.meta.url).pathname;
const API = join(TESTDATA, 'api-2.0');
const LEGACY_GZ = join(TESTDATA, 'legacy-1.1', 'nvdcve-1.1-test-data.json.gz');
const REAL = '/work/shared/vulndata/samples/nvd';
const tmp = tmpDirPool('nvd-parse');
afterAll(() => tmp.removeAll());

// Raw NVD JSON, edited freely by the tests.
type Json = Record<string, any>;

function recorder() {
  const advisories: AdvisoryInput[] = [];
  const problems: Problem[] = [];
  const sink: FeedSink = {
    advisory: (a) => advisories.push(a),
    kev: () => expect.fail('NVD emits no KEV'),
    epss: () => expect.fail('NVD emits no EPSS'),
    problem: (p) => problems.push(p),
  };
  const byId = (id: string) => advisories.find((a) => a.id === id);
  return { advisories, problems, sink, byId };
}

async function parseDir(files: Record<string, string | Buffer>, limits = DEFAULT_NVD_PARSE_LIMITS) {
  const dir = await tmp.make();
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  const r = recorder();
  await createNvdFeed({ limits }).parse(dir, r.sink);
  for (const a of r.advisories) expect(AdvisorySchema.safeParse(a).success, a.id).toBe(true);
  return r;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
}

/** Every CVE object in the API 2.0 samples, as NVD wrote it. */
const rawCves: Json[] = walk(API).flatMap((f) => {
  const doc = JSON.parse(readFileSync(f, 'utf8')) as Json;
  return doc.vulnerabilities ? (doc.vulnerabilities as Json[]).map((v) => v.cve as Json) : [doc];
});
const rawLegacy = (JSON.parse(gunzipSync(readFileSync(LEGACY_GZ)).toString('utf8')) as Json).CVE_Items as Json[];
const page35 = (): Json => JSON.parse(readFileSync(join(API, 'cves-page-35-entries.json'), 'utf8')) as Json;

describe('NVD samples (real API 2.0 responses and a 1.1 feed)', () => {
  const r = recorder();
  beforeAll(() => nvdFeed.parse(TESTDATA, r.sink));

  it('emits every record of every file, enrichment only, without a problem', () => {
    expect(r.problems).toEqual([]);
    expect(r.advisories).toHaveLength(rawCves.length + rawLegacy.length);
    for (const a of r.advisories) {
      expect(AdvisorySchema.safeParse(a).success, a.id).toBe(true);
      expect(a.source).toBe('nvd');
      expect(a.affected).toEqual([]);
    }
  });

  it('computes every score from its vector, agreeing with the baseScore NVD printed beside it', () => {
    let checked = 0;
    for (const cve of rawCves) {
      const ours = r.advisories.filter((a) => a.id === cve.id).flatMap((a) => a.cvss ?? []);
      for (const key of ['cvssMetricV40', 'cvssMetricV31', 'cvssMetricV30', 'cvssMetricV2']) {
        for (const m of (cve.metrics?.[key] ?? []) as Json[]) {
          const source = m.type === 'Primary' ? 'nvd' : `nvd:secondary:${m.source}`;
          const match = ours.find((c) => c.vector === m.cvssData.vectorString && c.source === source);
          expect(match, `${cve.id} ${key} ${source}`).toBeDefined();
          expect(match?.score, `${cve.id} ${m.cvssData.vectorString}`).toBe(m.cvssData.baseScore);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(90);
  });

  it('CVE-2024-5732: CVSS 4.0, Primary as nvd, Secondary with its source, CWE, CPE, references', () => {
    const a = r.advisories.filter((x) => x.id === 'CVE-2024-5732');
    // In three sample files (trivy's record, and two vuln-list-update pages).
    expect(a.length).toBeGreaterThanOrEqual(2);
    expect(a[0]).toMatchObject({
      published: '2024-06-07T10:15:12.293Z',
      modified: '2024-06-11T17:57:13.767Z',
      cwes: ['CWE-287'],
      cpes: ['cpe:2.3:a:clashforwindows:clash:*:*:*:*:*:windows:*:*'],
    });
    expect(a[0]?.cvss?.map((c) => [c.version, c.score, c.source])).toEqual([
      ['4.0', 6.9, 'nvd'],
      ['3.1', 9.8, 'nvd'],
      ['3.1', 7.3, 'nvd:secondary:cna@vuldb.com'],
      ['2.0', 7.5, 'nvd:secondary:cna@vuldb.com'],
    ]);
    expect(a[0]?.references).toContainEqual({ type: 'WEB', url: 'https://vuldb.com/?ctiid.267406' });
    expect(a[0]).not.toHaveProperty('withdrawn');
  });

  it('a CNA score NVD marks Primary is labelled nvd (CVE-2023-22068, Oracle)', () => {
    expect(r.byId('CVE-2023-22068')?.cvss).toEqual([{ version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:N/I:N/A:H', score: 4.9, source: 'nvd' }]);
  });

  it('keeps CWE ids only (not NVD-CWE-noinfo), once each', () => {
    expect(r.byId('CVE-2020-0001')?.cwes).toEqual([]);
    expect(r.byId('CVE-2023-27314')?.cwes).toEqual(['CWE-400']);
    expect(r.byId('CVE-2022-22377')?.cwes).toEqual(['CWE-311']); // listed by NVD and by IBM
  });

  it('keeps vulnerable CPE criteria only, not the platforms of AND configurations', () => {
    expect(r.byId('CVE-2022-22377')?.cpes).toEqual(['cpe:2.3:a:ibm:security_verify_privilege_on-premises:*:*:*:*:*:*:*:*']);
  });

  it('maps reference tags to OSV reference types', () => {
    const refs = rawCves.find((c) => c.id === 'CVE-2024-3094')?.references as Json[];
    const ours = r.byId('CVE-2024-3094')?.references ?? [];
    expect(ours).toHaveLength(new Set(refs.map((x) => x.url)).size);
    const typeOf = (url: string) => ours.find((x) => x.url === url)?.type;
    for (const ref of refs) {
      const tags = (ref.tags ?? []) as string[];
      if (tags.includes('Patch')) expect(typeOf(ref.url)).toBe('FIX');
      else if (tags.includes('Vendor Advisory') || tags.includes('Third Party Advisory')) expect(typeOf(ref.url)).toBe('ADVISORY');
      else if (tags.length === 0) expect(typeOf(ref.url)).toBe('WEB');
    }
  });

  it('reads the 1.1 feed: same CPEs and CWEs as the API record of the same CVE (CVE-2022-0090)', () => {
    const both = r.advisories.filter((a) => a.id === 'CVE-2022-0090');
    expect(both).toHaveLength(2);
    const [legacy, api] = [both.find((a) => a.published?.endsWith(':00.000Z')), both.find((a) => a.published === '2022-01-18T17:15:09.510Z')];
    expect(legacy?.published).toBe('2022-01-18T17:15:00.000Z');
    expect(legacy?.modified).toBe('2022-01-25T14:49:00.000Z');
    expect(legacy?.cpes).toEqual(api?.cpes);
    expect(legacy?.cpes).toEqual(['cpe:2.3:a:gitlab:gitlab:*:*:*:*:community:*:*:*', 'cpe:2.3:a:gitlab:gitlab:*:*:*:*:enterprise:*:*:*']);
    expect(legacy?.cwes).toEqual(['CWE-269']);
    expect(legacy?.cvss?.map((c) => [c.version, c.score, c.source])).toEqual([
      ['3.1', 6.5, 'nvd'],
      ['2.0', 5, 'nvd'],
    ]);
  });

  it('marks the 1.1 feed\'s rejected CVEs withdrawn at their last modification', () => {
    const rejected = rawLegacy.filter((i) => String(i.cve.description.description_data[0]?.value).startsWith('** REJECT **'));
    expect(rejected.length).toBeGreaterThan(0);
    for (const item of rejected) {
      const a = r.advisories.find((x) => x.id === item.cve.CVE_data_meta.ID && x.withdrawn !== undefined);
      expect(a?.withdrawn, item.cve.CVE_data_meta.ID).toBe(a?.modified);
    }
    expect(r.advisories.filter((a) => a.withdrawn !== undefined)).toHaveLength(rejected.length);
  });

  it.skipIf(!existsSync(REAL))('testdata holds byte-identical copies of the shared samples (the 1.1 feed gzipped)', () => {
    for (const f of walk(API)) expect(readFileSync(f).equals(readFileSync(join(REAL, 'api-2.0', relative(API, f)))), f).toBe(true);
    expect(gunzipSync(readFileSync(LEGACY_GZ)).equals(readFileSync(join(REAL, 'legacy-1.1', 'nvdcve-1.1-test-data.json')))).toBe(true);
  });
});

describe('NVD semantics on edited real records', () => {
  it('vulnStatus Rejected → withdrawn at lastModified', async () => {
    const page = page35();
    page.vulnerabilities[0].cve.vulnStatus = 'Rejected';
    const r = await parseDir({ 'pages/p.json': JSON.stringify(page) });
    expect(r.problems).toEqual([]);
    expect(r.advisories[0]).toMatchObject({ id: 'CVE-2023-27314', withdrawn: '2023-10-18T18:00:24.900Z', modified: '2023-10-18T18:00:24.900Z' });
    expect(r.advisories.filter((a) => a.withdrawn !== undefined)).toHaveLength(1);
  });

  it('reads files in name order, so the later page of the same CVE comes last', async () => {
    const older = page35();
    const newer = page35();
    newer.vulnerabilities = [newer.vulnerabilities[0]];
    newer.vulnerabilities[0].cve.lastModified = '2025-01-01T00:00:00.000';
    const r = await parseDir({ 'pages/20250101T000000.000Z-0000000.json': JSON.stringify(newer), 'pages/00000000T000000.000Z-0000000.json': JSON.stringify(older),
      // The update orchestrator's bookkeeping beside the pages (src/vulndb/update/files.ts), and other clutter.
      'state.json': '{"schema":1}',
      'pages/20250101T000000.000Z-0000000.json.prev': '{}',
      'pages/20250201T000000.000Z-0000000.json.part': '{"trunc',
      'pages/.editor.json': '{}',
      'notes.txt': 'x',
    });
    expect(r.problems).toEqual([]);
    const same = r.advisories.filter((a) => a.id === 'CVE-2023-27314');
    expect(same.map((a) => a.modified)).toEqual(['2023-10-18T18:00:24.900Z', '2025-01-01T00:00:00.000Z']);
  });

  it('normalizes NVD times to one RFC 3339 form and refuses impossible ones', () => {
    expect(rfc3339('2024-06-07T10:15:12.293')).toBe('2024-06-07T10:15:12.293Z');
    expect(rfc3339('2019-12-02T18:15Z')).toBe('2019-12-02T18:15:00.000Z');
    expect(rfc3339('2019-12-02T18:15:00+0100')).toBe('2019-12-02T17:15:00.000Z');
    for (const bad of ['', 'yesterday', '2023-02-30T00:00:00', '2023-13-01T00:00:00', '2023-01-01T24:00:00', '2023-01-01', '2023-01-01T00:00:00Zjunk']) expect(rfc3339(bad), bad).toBeUndefined();
  });
});

describe('hostile NVD files', () => {
  const text = readFileSync(join(API, 'cves-page-35-entries.json'), 'utf8');

  it('truncated JSON and truncated gzip: one problem each, no crash', async () => {
    const gz = readFileSync(LEGACY_GZ);
    const r = await parseDir({ 'a.json': text.slice(0, text.length / 2), 'b.json.gz': gz.subarray(0, gz.length / 2), 'c.json': JSON.stringify(page35()) });
    expect(r.advisories).toHaveLength(page35().vulnerabilities.length);
    expect(r.problems.map((p) => [p.path, p.code])).toEqual([
      ['a.json', 'FEED_PARSE'],
      ['b.json.gz', 'FEED_PARSE'],
    ]);
    expect(r.problems[1]?.message).toMatch(/cannot be gunzipped/);
  });

  it('documents that are not NVD', async () => {
    const r = await parseDir({ '1.json': '[]', '2.json': '"x"', '3.json': '{"hello": 1}', '4.json': '{"vulnerabilities": 5}', '5.json': '{"CVE_Items": {}}', '6.json': 'null' });
    expect(r.advisories).toEqual([]);
    expect(r.problems).toHaveLength(6);
  });

  it('a record with wrong types is skipped; a bad element only costs that element', async () => {
    const page = page35();
    const v: any[] = page.vulnerabilities;
    v[0].cve.id = 12; // record skipped
    v[1].cve.published = 'soon'; // record skipped
    v[2].cve.metrics.cvssMetricV31[0].cvssData.vectorString = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H'; // bad vector
    v[3].cve.metrics.cvssMetricV31[0].type = 'Tertiary'; // bad metric
    v[4].cve.references.push({ url: 42 }, { url: `https://x/${'a'.repeat(10_000)}` }); // bad and huge refs
    v[5].cve.configurations[0].nodes[0].cpeMatch.push({ vulnerable: true, criteria: 'not-a-cpe' }, { vulnerable: 'yes', criteria: 'cpe:2.3:a:b:c' });
    v[6] = 'not an object';
    v[7].cve.metrics = [];
    const r = await parseDir({ 'p.json': JSON.stringify(page) });
    expect(r.advisories).toHaveLength(v.length - 4);
    expect(r.problems.map((p) => p.message).join('\n')).toMatch(
      /vulnerabilities\[0\] skipped[\s\S]*published or lastModified is not a date[\s\S]*not a valid CVSS vector[\s\S]*cvssMetricV31\[0\] skipped[\s\S]*references\[\d+\] skipped[\s\S]*reference URL of 10010 characters[\s\S]*cpeMatch\[\d+\] skipped[\s\S]*not a CPE 2.3 name[\s\S]*vulnerabilities\[6\] skipped[\s\S]*vulnerabilities\[7\] skipped/,
    );
    expect(r.byId(v[2].cve.id)?.cvss?.some((c) => c.version === '3.1' && c.source === 'nvd')).toBe(false);
    expect(r.byId(v[4].cve.id)?.references?.every((x) => x.url.length < 200)).toBe(true);
  });

  it('caps the problems of one file', async () => {
    const page = page35();
    for (const v of page.vulnerabilities as Json[]) v.cve.id = 'nope';
    const r = await parseDir({ 'p.json': JSON.stringify(page) });
    expect(r.problems).toHaveLength(DEFAULT_NVD_PARSE_LIMITS.maxProblemsPerFile + 1);
    const hidden = page.vulnerabilities.length - DEFAULT_NVD_PARSE_LIMITS.maxProblemsPerFile;
    expect(r.problems.at(-1)?.message).toMatch(new RegExp(`: ${hidden} more problems not shown`));
  });

  it('refuses a file above the size limit, and a gzip bomb at the same limit', async () => {
    const limits = { ...DEFAULT_NVD_PARSE_LIMITS, maxFileBytes: 64 * 1024 };
    const bomb = gzipSync(Buffer.alloc(16 * 1024 * 1024, 0x20));
    const r = await parseDir({ 'big.json': text, 'bomb.json.gz': bomb }, limits);
    expect(r.advisories).toEqual([]);
    expect(r.problems.map((p) => p.message)).toEqual([expect.stringMatching(/big\.json: is \d+ bytes, more than the limit of 65536/), expect.stringMatching(/bomb\.json\.gz: cannot be gunzipped/)]);
  });

  it('deeply nested 1.1 configurations stop at a depth limit', async () => {
    const item = structuredClone(rawLegacy[0]) as Json;
    let node: Json = { operator: 'OR', cpe_match: [{ vulnerable: true, cpe23Uri: 'cpe:2.3:a:deep:deep:1:*:*:*:*:*:*:*' }], children: [] };
    for (let i = 0; i < 50; i++) node = { operator: 'AND', children: [node], cpe_match: [] };
    item.configurations.nodes = [node];
    const r = await parseDir({ 'nvdcve-1.1-2022.json': JSON.stringify({ CVE_Items: [item] }) });
    expect(r.advisories).toHaveLength(1);
    expect(r.advisories[0]?.cpes).toEqual([]);
    expect(r.problems.map((p) => p.message)).toEqual([expect.stringMatching(/nested deeper than 8/)]);
  });

  it('an empty or missing directory is a problem', async () => {
    for (const dir of [await tmp.make(), '/nonexistent/nvd']) {
      const r = recorder();
      await nvdFeed.parse(dir, r.sink);
      expect(r.advisories).toEqual([]);
      expect(r.problems).toEqual([expect.objectContaining({ code: 'FEED_PARSE', source: 'nvd' })]);
    }
  });
});
