import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { afterAll, describe, expect, it } from 'vitest';
import { semverScheme } from '../../../version/semver/index.js';
import { type AdvisoryInput, AdvisorySchema } from '../../model.js';
import { writeTarGz } from '../testdata/archives.js';
import { collectingSink, fakeFetchContext, vulndataPath } from '../../../../test/helpers/feed-sink.js';
import { rangesInclude } from '../testdata/osv-eval.js';
import { nswgFeed } from './index.js';
import { mapNswg, parseNswgDir } from './parse.js';

const TESTDATA = fileURLToPath(new URL('./testdata', import.meta.url));
const CORPUS = vulndataPath('npm', 'nodejs-security-wg') ?? '/nonexistent';
const work = mkdtempSync(join(tmpdir(), 'portcullis-nswg-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function parse(dir: string) {
  const sink = collectingSink();
  await parseNswgDir(dir, sink);
  return sink;
}

/** Every version a range names, its neighbours, prereleases and the versions just above it. */
function probes(...ranges: (string | null | undefined)[]): string[] {
  const out = new Set(['0.0.0', '0.0.1', '0.1.0', '1.0.0', '1.0.0-alpha', '99.0.0']);
  for (const r of ranges) {
    if (!r) continue;
    for (const set of new semver.Range(r).set) for (const c of set) {
      if (c.value === '') continue;
      const v = c.semver;
      for (const s of [v.version, `${v.major}.${v.minor}.${v.patch}`, `${v.major}.${v.minor}.${v.patch}-beta.1`, `${v.major}.${v.minor}.${v.patch + 1}`, `${v.major}.${v.minor + 1}.0`, `${v.major + 1}.0.0`, `${v.major + 1}.0.0-rc.1`]) out.add(s);
      if (v.patch > 0) out.add(`${v.major}.${v.minor}.${v.patch - 1}`);
      if (v.minor > 0) out.add(`${v.major}.${v.minor - 1}.99`);
    }
  }
  return [...out].filter((v) => semver.valid(v)).sort(semver.compare);
}

interface Check {
  pairs: number;
  wrong: string[];
  /** Prereleases npm leaves out of the range but the events include (documented superset). */
  wider: string[];
}

/** Our events against node-semver's satisfies(), which is what npm itself decides with. */
function check(advisory: AdvisoryInput, raw: { vulnerable_versions: string; patched_versions?: string | null }, acc: Check): void {
  for (const v of probes(raw.vulnerable_versions, raw.patched_versions)) {
    const npm = semver.satisfies(v, raw.vulnerable_versions);
    const ours = rangesInclude(advisory.affected?.[0]?.ranges ?? [], v, semverScheme.compare);
    acc.pairs++;
    if (ours === npm) continue;
    if (ours && semver.prerelease(v)) acc.wider.push(`${advisory.id} @ ${v}`);
    else acc.wrong.push(`${advisory.id} @ ${v}: npm says ${npm}`);
  }
}

describe('nswg parse on real advisories (testdata/README.md)', () => {
  it('emits each vuln/npm advisory, skips vuln/core and index.json, without problems', async () => {
    const sink = await parse(TESTDATA);
    expect(sink.problems).toEqual([]);
    expect(sink.advisories.map((a) => a.id)).toEqual(['NSWG-ECO-1', 'NSWG-ECO-11', 'NSWG-ECO-116', 'NSWG-ECO-137', 'NSWG-ECO-305', 'NSWG-ECO-308', 'NSWG-ECO-309', 'NSWG-ECO-477', 'NSWG-ECO-495']);
    for (const a of sink.advisories) expect(AdvisorySchema.safeParse(a).success, a.id).toBe(true);
  });

  it('maps ids, CVEs, dates, CVSS and references', async () => {
    const [first] = (await parse(TESTDATA)).advisories;
    expect(first).toMatchObject({
      id: 'NSWG-ECO-1',
      source: 'nswg',
      aliases: ['CVE-2014-7205'],
      summary: 'Arbitrary JavaScript Execution',
      published: '2014-09-27T00:00:00Z',
      modified: '2016-04-28T00:00:00Z',
      cvss: [{ version: '3.0', vector: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N', score: 6.5, source: 'nswg' }],
      affected: [{ ecosystem: 'npm', name: 'bassmaster', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { last_affected: '1.5.1' }] }], versions: [] }],
    });
    expect(first?.references?.map((r) => r.type)).toEqual(['ADVISORY', 'WEB', 'WEB']);
  });

  it('writes an exclusive lower bound exactly (> 2.51.0 → introduced 2.51.1-0) and a bound without a patch as limit', async () => {
    const request = (await parse(TESTDATA)).advisories.find((a) => a.id === 'NSWG-ECO-309');
    // ">=2.2.6 <2.47.0 || >2.51.0 <=2.67.0", patched ">=2.68.0": 2.47.0 is not patched, only unaffected.
    expect(request?.affected?.[0]?.ranges).toEqual([
      { type: 'ECOSYSTEM', events: [{ introduced: '2.2.6' }, { limit: '2.47.0' }] },
      { type: 'ECOSYSTEM', events: [{ introduced: '2.51.1-0' }, { last_affected: '2.67.0' }] },
    ]);
  });

  it("agrees with node-semver's satisfies() on releases, and covers at least what it covers on prereleases", async () => {
    const sink = await parse(TESTDATA);
    const acc: Check = { pairs: 0, wrong: [], wider: [] };
    for (const f of readdirSync(join(TESTDATA, 'vuln/npm'))) {
      const raw = JSON.parse(readFileSync(join(TESTDATA, 'vuln/npm', f), 'utf8'));
      const advisory = sink.advisories.find((a) => a.id === `NSWG-ECO-${basename(f, '.json')}`);
      if (!advisory) throw new Error(`${f} not emitted`);
      check(advisory, raw, acc);
    }
    expect(acc.wrong).toEqual([]);
    // e.g. 1.5.1-beta.1 for "<=1.5.1": npm leaves prereleases out unless the range names one of the same x.y.z.
    expect(acc.wider).toContain('NSWG-ECO-1 @ 1.5.1-beta.1');
    expect(acc.pairs).toBeGreaterThan(100);
  });
});

describe('nswg on hostile input', () => {
  const report = (out: string[]) => (code: string, message: string) => void out.push(`${code} ${message}`);
  const base = { id: 7, module_name: 'Left-Pad', vulnerable_versions: '<1.0.0', patched_versions: '>=1.0.0', cves: [] };

  it('reports wrong types, unreadable ranges and vectors', () => {
    const out: string[] = [];
    expect(mapNswg({ ...base, id: '7' }, report(out))).toBeUndefined();
    expect(mapNswg({ ...base, vulnerable_versions: '>=1.0.0 <<2' }, report(out))).toBeUndefined();
    expect(mapNswg([], report(out))).toBeUndefined();
    const partial = mapNswg({ ...base, patched_versions: '>=> 1', cvss_vector: 'CVSS:3.0/AV:X' }, report(out));
    expect(partial?.affected).toEqual([{ ecosystem: 'npm', name: 'left-pad', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { limit: '1.0.0' }] }], versions: [] }]);
    expect(out).toEqual([
      'FEED_PARSE not an NSWG npm advisory: id: Invalid input: expected number, received string',
      'VERSION_INVALID NSWG-ECO-7: vulnerable_versions: ">=1.0.0 <<2" is not an npm version range; advisory skipped',
      'FEED_PARSE not an NSWG npm advisory: (root): Invalid input: expected object, received array',
      'VERSION_INVALID NSWG-ECO-7: patched_versions ">=> 1" is not an npm version range; no bound is reported as a fix',
      'FEED_PARSE NSWG-ECO-7: invalid CVSS vector "CVSS:3.0/AV:X" skipped',
    ]);
  });

  it('reads the codeload tarball like the tree, and reports truncated JSON', async () => {
    const dir = join(work, 'tar');
    mkdirSync(dir);
    const files = readdirSync(join(TESTDATA, 'vuln/npm')).sort();
    await writeTarGz(join(dir, 'security-wg.tar.gz'), [
      ...files.map((f) => ({ name: `security-wg-main/vuln/npm/${f}`, data: readFileSync(join(TESTDATA, 'vuln/npm', f)) })),
      { name: 'security-wg-main/vuln/npm/index.json', data: '{}' },
      { name: 'security-wg-main/vuln/core/1.json', data: readFileSync(join(TESTDATA, 'vuln/core/1.json')) },
      { name: 'security-wg-main/vuln/npm/9999.json', data: '{"id": 9999, "module_na' },
    ]);
    const fromTar = await parse(dir);
    expect(fromTar.advisories).toEqual((await parse(TESTDATA)).advisories);
    expect(fromTar.problems.map((p) => `${p.code} ${p.path}: ${p.message.split(':')[0]}`)).toEqual(['FEED_PARSE security-wg.tar.gz!vuln/npm/9999.json: not valid JSON']);
  });

  it('refuses an oversized advisory file', async () => {
    const dir = join(work, 'big', 'vuln', 'npm');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '1.json'), JSON.stringify({ ...base, title: 'x'.repeat(2 * 1024 * 1024) }));
    const sink = await parse(dirname(dirname(dir)));
    expect(sink.advisories).toEqual([]);
    expect(sink.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^file is \d+ bytes, over the limit of 1048576$/)]);
  });
});

describe('nswg feed', () => {
  it('is named after its folder and fetches the codeload tarball of main', async () => {
    expect(nswgFeed.id).toBe(basename(dirname(fileURLToPath(import.meta.url))));
    const ctx = fakeFetchContext({ dir: '/nonexistent' });
    expect(await nswgFeed.fetch(ctx)).toEqual({});
    expect(ctx.calls.map((c) => [c.url, c.file])).toEqual([['https://codeload.github.com/nodejs/security-wg/tar.gz/refs/heads/main', 'security-wg.tar.gz']]);
  });
});

describe.skipIf(!vulndataPath('npm', 'nodejs-security-wg'))('nswg parse over the staging corpus', () => {
  it('emits all 467 npm advisories; the one problem is a real bad vector; satisfies() agrees on releases', async () => {
    const sink = await parse(CORPUS);
    expect(sink.advisories).toHaveLength(467);
    expect(sink.problems.map((p) => `${p.path}: ${p.message}`)).toEqual(['npm/504.json: NSWG-ECO-504: invalid CVSS vector "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:U/A:U" skipped']);
    expect(sink.advisories.filter((a) => !AdvisorySchema.safeParse(a).success)).toEqual([]);
    const acc: Check = { pairs: 0, wrong: [], wider: [] };
    for (const a of sink.advisories) check(a, JSON.parse(readFileSync(join(CORPUS, 'npm', `${a.id.slice('NSWG-ECO-'.length)}.json`), 'utf8')), acc);
    expect(acc.wrong).toEqual([]);
    expect(acc.pairs).toBeGreaterThan(5000);
  }, 120_000);
});

