import { mkdir, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectingSink, fakeFetchContext, vulndataPath } from '../../../../test/helpers/feed-sink.js';
import { tmpDirPool } from '../../../../test/helpers/tmp.js';
import { ALPINE_RELEASES, alpineFeed, parseAlpineDir } from './index.js';

const TESTDATA = join(import.meta.dirname, 'testdata');
const tmp = tmpDirPool('alpine');
afterAll(() => tmp.removeAll());

const fix = (ecosystem: string, name: string, version: string) => ({ ecosystem, name, status: 'fixed', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: version }] }] });

async function parseFiles(files: Record<string, string>) {
  const dir = await tmp.make();
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(join(dir, rel, '..'), { recursive: true });
    await writeFile(join(dir, rel), text);
  }
  const sink = collectingSink();
  await parseAlpineDir(dir, sink);
  return sink;
}

describe('alpine secdb (real samples)', () => {
  it('merges ids across releases and repositories into one advisory each', async () => {
    const sink = collectingSink();
    await alpineFeed.parse(join(TESTDATA, 'json'), sink);
    expect(sink.problems).toEqual([]);
    const parsed = sink.parsed();
    // edge community 8 ids, edge main 3, v3.10 community 9, v3.16 community 1 (already in edge), v3.16 main 2.
    expect(parsed).toHaveLength(22);
    expect(sink.byId('CVE-2019-9210')).toEqual({
      id: 'CVE-2019-9210',
      source: 'alpine',
      references: [{ type: 'ADVISORY', url: 'https://security.alpinelinux.org/vuln/CVE-2019-9210' }],
      affected: [fix('Alpine:edge', 'advancecomp', '2.1-r2'), fix('Alpine:v3.16', 'advancecomp', '2.1-r2')],
    });
    expect(sink.byId('CVE-2022-35020')?.affected).toEqual([fix('Alpine:edge', 'advancecomp', '2.4-r0')]);
    expect(sink.byId('CVE-2021-30474')?.affected).toEqual([fix('Alpine:edge', 'aom', '3.1.1-r0')]);
    expect(sink.byId('CVE-2018-20187')?.affected).toEqual([fix('Alpine:v3.10', 'botan', '2.9.0-r0')]);
    expect(sink.byId('CVE-2016-6831')?.affected).toEqual([fix('Alpine:v3.10', 'chicken', '4.11.1-r0')]);
    expect(sink.byId('CVE-2018-11763')?.affected).toEqual([fix('Alpine:v3.16', 'apache2', '2.4.35-r0')]);
  });

  it('reads the YAML of the git repository: versions without -r, "0" as not affected, empty package lists', async () => {
    const sink = collectingSink();
    await parseAlpineDir(join(TESTDATA, 'yaml'), sink);
    // The real v3.8/main.yaml has typos apk refuses (`10.2.26.r0`, `1.11-20-r0`) and ids with a suffix.
    expect(sink.problems.map((p) => [p.code, p.message.split(':')[0]])).toEqual([
      ['VERSION_INVALID', 'mariadb in Alpine'],
      ['VERSION_INVALID', 'mariadb in Alpine'],
      ['VERSION_INVALID', 'mariadb in Alpine'],
      ['VERSION_INVALID', 'py-django in Alpine'],
      ['FEED_PARSE', 'rsync 3.1.2-r7'],
      ['FEED_PARSE', 'rsync 3.1.2-r7'],
      ['VERSION_INVALID', 'xen in Alpine'],
    ]);
    sink.parsed();
    expect(sink.byId('CVE-2016-9893')?.affected).toEqual([fix('Alpine:v3.4', 'firefox-esr', '45.6.0')]);
    expect(sink.byId('CVE-2016-4622')?.affected).toEqual([fix('Alpine:v3.4', 'webkit2gtk', '2.12.5-r0')]);
    // v3.8 main: `db` lists Oracle Berkeley DB CVEs under "0" (never affected).
    expect(sink.byId('CVE-2016-0682')?.affected).toEqual([{ ecosystem: 'Alpine:v3.8', name: 'db', status: 'not_affected' }]);
  });
});

describe('alpine secdb semantics and hostile input', () => {
  const doc = (distroversion: string, secfixes: unknown, name = 'foo') => JSON.stringify({ distroversion, packages: [{ pkg: { name, secfixes } }] });

  it('splits ids on whitespace, keeps non-CVE ids and skips junk tokens with a problem', async () => {
    const sink = await parseFiles({ 'v3.20/main.json': doc('v3.20', { '1.2-r0': ['CVE-2024-0001 GHSA-abcd-efgh-ijkl', 'XSA-123', 'ALPINE-13661 (see notes)', null] }) });
    expect(sink.advisories.map((a) => a.id)).toEqual(['ALPINE-13661', 'CVE-2024-0001', 'GHSA-abcd-efgh-ijkl', 'XSA-123']);
    expect(sink.byId('XSA-123')?.references).toEqual([]);
    expect(sink.problems.map((p) => [p.code, p.message])).toEqual([
      ['FEED_PARSE', 'foo 1.2-r0: "(see" is not a vulnerability id; skipped'],
      ['FEED_PARSE', 'foo 1.2-r0: "notes)" is not a vulnerability id; skipped'],
    ]);
  });

  it('keeps the highest fix of an id listed twice, and a fix over "0"', async () => {
    const sink = await parseFiles({
      'a.json': doc('v3.19', { '1.10-r0': ['CVE-2024-0002'], '1.9-r3': ['CVE-2024-0002'], '0': ['CVE-2024-0003'], '2.0-r0': ['CVE-2024-0003'] }),
    });
    expect(sink.byId('CVE-2024-0002')?.affected).toEqual([fix('Alpine:v3.19', 'foo', '1.10-r0')]);
    expect(sink.byId('CVE-2024-0003')?.affected).toEqual([fix('Alpine:v3.19', 'foo', '2.0-r0')]);
  });

  it('takes the release from the folder when the document names none', async () => {
    const sink = await parseFiles({ 'edge/main.json': JSON.stringify({ packages: [{ pkg: { name: 'bar', secfixes: { '1-r0': ['CVE-2024-0004'] } } }] }) });
    expect(sink.byId('CVE-2024-0004')?.affected?.[0]?.ecosystem).toBe('Alpine:edge');
  });

  it('records corrupt, truncated and wrongly typed documents, bad versions and unknown releases', async () => {
    const sink = await parseFiles({
      'a-truncated.json': doc('v3.20', { '1-r0': ['CVE-2024-0005'] }).slice(0, 40),
      'b-array.json': '[1,2,3]',
      'c-types.json': JSON.stringify({ distroversion: 'v3.20', packages: [5, { pkg: { name: 'ok', secfixes: ['x'] } }, { pkg: { name: '../../etc', secfixes: {} } }] }),
      'd-version.json': doc('v3.20', { 'not a version': ['CVE-2024-0006'], '1.0-r1': ['CVE-2024-0007'] }),
      'e-release.json': doc('3', { '1-r0': ['CVE-2024-0008'] }),
      'f-bad.yaml': 'packages: [unclosed',
      'g-bomb.yaml': `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\npackages: []\n`,
    });
    expect(sink.advisories.map((a) => a.id)).toEqual(['CVE-2024-0007']);
    expect(sink.problems.map((p) => [p.path, p.code])).toEqual([
      ['a-truncated.json', 'FEED_PARSE'],
      ['b-array.json', 'FEED_PARSE'],
      ['c-types.json', 'FEED_PARSE'],
      ['c-types.json', 'FEED_PARSE'],
      ['c-types.json', 'FEED_PARSE'],
      ['d-version.json', 'VERSION_INVALID'],
      ['e-release.json', 'FEED_UNKNOWN_ECOSYSTEM'],
      ['f-bad.yaml', 'FEED_PARSE'],
      ['g-bomb.yaml', 'FEED_PARSE'],
    ]);
    expect(sink.problems.at(-1)?.message).toMatch(/alias/i);
  });

  it('skips a file larger than the cap without reading it', async () => {
    const dir = await tmp.make();
    await writeFile(join(dir, 'huge.json'), '');
    await truncate(join(dir, 'huge.json'), 65 * 1024 * 1024);
    const sink = collectingSink();
    await parseAlpineDir(dir, sink);
    expect(sink.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^file is \d+ bytes, over the limit of 67108864$/)]);
  });

  it('ignores the update bookkeeping files beside the data', async () => {
    const sink = await parseFiles({ 'state.json': '{"schema":1}', 'v3.20/main.json.part': '{', 'v3.20/main.json': doc('v3.20', { '1-r0': ['CVE-2024-0009'] }) });
    expect(sink.problems).toEqual([]);
    expect(sink.advisories.map((a) => a.id)).toEqual(['CVE-2024-0009']);
  });
});

describe('alpineFeed.fetch', () => {
  it('downloads main and community of every listed release', async () => {
    const ctx = fakeFetchContext({ dir: await tmp.make() });
    await alpineFeed.fetch(ctx);
    expect(ctx.calls).toHaveLength(ALPINE_RELEASES.length * 2);
    expect(ctx.calls[0]).toEqual({ url: 'https://secdb.alpinelinux.org/v3.12/main.json', file: 'v3.12/main.json' });
    expect(ctx.calls.at(-1)).toEqual({ url: 'https://secdb.alpinelinux.org/edge/community.json', file: 'edge/community.json' });
    const local = fakeFetchContext({ dir: await tmp.make(), baseUrl: 'http://127.0.0.1:9' });
    await alpineFeed.fetch(local);
    expect(local.calls[1]?.url).toBe('http://127.0.0.1:9/v3.12/community.json');
  });
});

const yamlCorpus = vulndataPath('alpine', 'secdb-yaml');
const jsonCorpus = vulndataPath('alpine', 'secdb-json-derived');

describe.skipIf(!yamlCorpus || !jsonCorpus)('alpine: the whole real corpus (shared/vulndata/alpine)', () => {
  it('reads v3.3–v3.11 from YAML and from the JSON derived from it to the same advisories', async () => {
    const fromYaml = collectingSink();
    await parseAlpineDir(yamlCorpus as string, fromYaml);
    const fromJson = collectingSink();
    await parseAlpineDir(jsonCorpus as string, fromJson);
    const parsed = fromYaml.parsed();
    // Counted with a Python script over the JSON: 2,576 distinct ids in 12,581 (id, release,
    // package) triples, 138 tokens that are no id ("(BGP)", "CVE-????-?????", …). 24 fixed
    // versions apk refuses (`4.8.0.-r1`, `2.7.16-33`, …) drop 53 triples and 6 ids seen nowhere else.
    expect(parsed).toHaveLength(2570);
    expect(parsed.reduce((n, a) => n + a.affected.length, 0)).toBe(12528);
    expect(fromYaml.problems.filter((p) => p.message.includes('is not a vulnerability id'))).toHaveLength(138);
    expect(fromYaml.problems.filter((p) => p.code === 'VERSION_INVALID')).toHaveLength(24);
    expect(fromYaml.problems).toHaveLength(138 + 24);
    expect(fromJson.parsed()).toEqual(parsed);
  });
});
