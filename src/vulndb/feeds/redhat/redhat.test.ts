import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { exec } from '../../../../test/helpers/exec.js';
import { afterAll, describe, expect, it } from 'vitest';
import { collectingSink, fakeFetchContext, vulndataPath } from '../../../../test/helpers/feed-sink.js';
import { buildTar } from '../../../../test/helpers/tar-builder.js';
import { tmpDirPool } from '../../../../test/helpers/tmp.js';
import { createRedhatFeed, parseChanges, parseRedhatDir, redhatFeed } from './index.js';
import { rpmOf } from './product-tree.js';

const TESTDATA = join(import.meta.dirname, 'testdata');
const tmp = tmpDirPool('redhat');
afterAll(() => tmp.removeAll());

async function parseFiles(files: Record<string, string | Buffer>) {
  const dir = await tmp.make();
  for (const [rel, body] of Object.entries(files)) {
    await mkdir(join(dir, rel, '..'), { recursive: true });
    await writeFile(join(dir, rel), body);
  }
  const sink = collectingSink();
  await parseRedhatDir(dir, sink);
  return sink;
}

describe('redhat CSAF (real samples)', () => {
  it('maps the (trimmed) VEX file of CVE-2024-10041', async () => {
    const sink = collectingSink();
    await redhatFeed.parse(join(TESTDATA, 'vex'), sink);
    // The trimmed sample keeps a remediation for red_hat_enterprise_linux_7:pam but not its product.
    expect(sink.problems.map((p) => p.message)).toEqual(['1 product id(s) are not in the product tree; skipped']);
    expect(sink.parsed()).toHaveLength(1);
    expect(sink.advisories[0]).toEqual({
      id: 'CVE-2024-10041',
      source: 'redhat',
      aliases: ['RHSA-2024:9941'],
      summary: 'pam: libpam: Libpam vulnerable to read hashed password',
      published: '2024-10-18T00:00:00Z',
      modified: '2024-12-18T09:14:23Z',
      cvss: [{ version: '3.1', vector: 'CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:N/A:N', score: 4.7, source: 'redhat' }],
      ratings: [{ severity: 'medium', raw: 'Moderate', source: 'redhat' }],
      cwes: ['CWE-922'],
      references: [{ type: 'WEB', url: 'https://bugzilla.redhat.com/show_bug.cgi?id=2319212' }],
      affected: [
        {
          ecosystem: 'Red Hat:9',
          name: 'pam',
          status: 'fixed',
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '0:1.5.1-21.el9_5' }] }],
          arches: ['aarch64', 'x86_64'],
          rating: { severity: 'medium', raw: 'Moderate', source: 'redhat' },
        },
      ],
    });
  });

  it('maps RHSA advisories: CVEs as aliases, one fixed entry per binary rpm and module stream', async () => {
    const sink = collectingSink();
    await parseRedhatDir(join(TESTDATA, 'advisories'), sink);
    expect(sink.problems).toEqual([]);
    expect(sink.parsed().map((a) => a.id)).toEqual(['RHSA-2023:3821', 'RHSA-2024:0010', 'RHSA-2024:6163', 'RHSA-2024:9371', 'RHSA-2025:23414']);
    const py = sink.byId('RHSA-2024:6163');
    expect(py).toMatchObject({ aliases: ['CVE-2024-8088'], published: '2024-09-03T17:57:24+00:00', ratings: [{ severity: 'medium', raw: 'Moderate', source: 'redhat' }], cwes: ['CWE-835'] });
    expect(py?.summary).toMatch(/python3\.9/);
    // Fixed in AppStream, BaseOS and CRB of RHEL 9: one entry.
    expect(py?.affected).toEqual([{ ecosystem: 'Red Hat:9', name: 'python3.9', status: 'fixed', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '0:3.9.18-3.el9_4.5' }] }], arches: ['src'] }]);
    const ruby = sink.byId('RHSA-2023:3821');
    expect(ruby?.aliases).toEqual(['CVE-2021-33621', 'CVE-2023-28755', 'CVE-2023-28756']);
    // 45 binary and source rpm names (counted with Python over the product tree), all in ruby:2.7.
    expect(ruby?.affected).toHaveLength(45);
    expect(ruby?.affected?.every((a) => a.module === 'ruby:2.7' && a.ecosystem === 'Red Hat:8')).toBe(true);
    expect(ruby?.affected?.find((a) => a.name === 'ruby')).toMatchObject({ arches: ['aarch64', 'i686', 'ppc64le', 's390x', 'src', 'x86_64'], ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '0:2.7.8-139.module+el8.8.0+18745+f1bef313' }] }] });
    expect(sink.byId('RHSA-2024:0010')?.affected).toHaveLength(12);
    // RHEL 6 ELS (cpe:/o:redhat:rhel_els:6) is a subscription stream: no entries, the aliases stay.
    expect(sink.byId('RHSA-2025:23414')).toMatchObject({ aliases: ['CVE-2021-25220', 'CVE-2025-40778'], affected: [] });
  });
});

/**
 * A VEX document written for these tests after the structure of Red Hat's guide
 * (security-data-guidelines/docs/csaf-vex.md): no full real VEX file is in the corpus.
 */
function vex(): Record<string, unknown> {
  const product = (id: string, helper: Record<string, string>) => ({ category: 'product_version', name: id, product: { name: id, product_id: id, product_identification_helper: helper } });
  const rel = (component: string, parent: string) => ({ category: 'default_component_of', full_product_name: { name: `${component} in ${parent}`, product_id: `${parent}:${component}` }, product_reference: component, relates_to_product_reference: parent });
  return {
    document: { category: 'csaf_vex', title: 'test', aggregate_severity: { text: 'Important' }, tracking: { id: 'CVE-2099-0001', current_release_date: '2099-01-02T00:00:00Z', initial_release_date: '2099-01-01T00:00:00Z' } },
    product_tree: {
      branches: [
        {
          category: 'vendor',
          name: 'Red Hat',
          branches: [
            product('red_hat_enterprise_linux_8', { cpe: 'cpe:/o:redhat:enterprise_linux:8' }),
            product('red_hat_enterprise_linux_7', { cpe: 'cpe:/o:redhat:enterprise_linux:7' }),
            product('red_hat_enterprise_linux_6', { cpe: 'cpe:/o:redhat:enterprise_linux:6' }),
            product('AppStream-8.10.0.Z.MAIN', { cpe: 'cpe:/a:redhat:enterprise_linux:8::appstream' }),
            product('openshift-4', { cpe: 'cpe:/a:redhat:openshift:4.14::el9' }),
            product('openssl', { purl: 'pkg:rpm/redhat/openssl?arch=src' }),
            product('nodejs:18/nodejs', { purl: 'pkg:rpmmod/redhat/nodejs:18/nodejs' }),
            product('curl', { purl: 'pkg:rpm/redhat/curl?arch=src' }),
            product('image', { purl: 'pkg:oci/ubi8@sha256:abc' }),
            product('nodejs:20:8100020240807161023:9', { purl: 'pkg:rpmmod/redhat/nodejs@20:8100020240807161023:9' }),
            { category: 'architecture', name: 'x86_64', branches: [product('nodejs-1:20.16.0-1.module+el8.10.0+22202+761b9a65.x86_64', { purl: 'pkg:rpm/redhat/nodejs@20.16.0-1.module%2Bel8.10.0%2B22202%2B761b9a65?arch=x86_64&epoch=1' })] },
            { category: 'architecture', name: 'x86_64', branches: [product('openssl-1:1.1.1k-12.el8_9.x86_64', { purl: 'pkg:rpm/redhat/openssl@1.1.1k-12.el8_9?arch=x86_64&epoch=1' })] },
            { category: 'architecture', name: 'x86_64', branches: [product('openssl-1:1.1.1k-14.el8_10.x86_64', { purl: 'pkg:rpm/redhat/openssl@1.1.1k-14.el8_10?arch=x86_64&epoch=1' })] },
          ],
        },
      ],
      relationships: [
        rel('openssl-1:1.1.1k-12.el8_9.x86_64', 'AppStream-8.10.0.Z.MAIN'),
        rel('openssl-1:1.1.1k-14.el8_10.x86_64', 'AppStream-8.10.0.Z.MAIN'),
        rel('openssl', 'red_hat_enterprise_linux_7'),
        rel('openssl', 'red_hat_enterprise_linux_6'),
        rel('curl', 'red_hat_enterprise_linux_7'),
        rel('curl', 'red_hat_enterprise_linux_8'),
        rel('nodejs:18/nodejs', 'red_hat_enterprise_linux_8'),
        rel('image', 'red_hat_enterprise_linux_8'),
        rel('openssl', 'openshift-4'),
        // Nested: the module is a component of AppStream, the rpm a component of the module.
        rel('nodejs:20:8100020240807161023:9', 'AppStream-8.10.0.Z.MAIN'),
        rel('nodejs-1:20.16.0-1.module+el8.10.0+22202+761b9a65.x86_64', 'AppStream-8.10.0.Z.MAIN:nodejs:20:8100020240807161023:9'),
      ],
    },
    vulnerabilities: [
      {
        cve: 'CVE-2099-0001',
        product_status: {
          fixed: ['AppStream-8.10.0.Z.MAIN:openssl-1:1.1.1k-12.el8_9.x86_64', 'AppStream-8.10.0.Z.MAIN:openssl-1:1.1.1k-14.el8_10.x86_64', 'AppStream-8.10.0.Z.MAIN:nodejs:20:8100020240807161023:9:nodejs-1:20.16.0-1.module+el8.10.0+22202+761b9a65.x86_64'],
          known_affected: ['red_hat_enterprise_linux_7:openssl', 'red_hat_enterprise_linux_6:openssl', 'red_hat_enterprise_linux_7:curl', 'red_hat_enterprise_linux_8:nodejs:18/nodejs', 'red_hat_enterprise_linux_8:image', 'openshift-4:openssl'],
          known_not_affected: ['red_hat_enterprise_linux_8:curl'],
          under_investigation: [],
        },
        remediations: [
          { category: 'vendor_fix', url: 'https://access.redhat.com/errata/RHSA-2099:0002', product_ids: ['AppStream-8.10.0.Z.MAIN:openssl-1:1.1.1k-14.el8_10.x86_64'] },
          { category: 'vendor_fix', url: 'https://access.redhat.com/errata/RHSA-2099:0001', product_ids: ['AppStream-8.10.0.Z.MAIN:openssl-1:1.1.1k-12.el8_9.x86_64'] },
          { category: 'no_fix_planned', details: 'Will not fix', product_ids: ['red_hat_enterprise_linux_7:openssl'] },
          { category: 'no_fix_planned', details: 'Out of support scope', product_ids: ['red_hat_enterprise_linux_6:openssl'] },
          { category: 'none_available', details: 'Deferred', product_ids: ['red_hat_enterprise_linux_8:nodejs:18/nodejs'] },
          { category: 'none_available', details: 'Affected', product_ids: ['red_hat_enterprise_linux_7:curl'] },
          { category: 'workaround', details: 'none', product_ids: ['red_hat_enterprise_linux_7:curl'] },
        ],
        threats: [
          { category: 'impact', details: 'Low', product_ids: ['red_hat_enterprise_linux_7:curl'] },
          { category: 'impact', details: 'Critical' },
        ],
        scores: [{ cvss_v3: { vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' } }, { cvss_v3: { vectorString: 'not a vector' } }],
      },
    ],
  };
}

describe('redhat VEX semantics', () => {
  it('maps statuses, remediations, modules and nested relationships per RHEL major', async () => {
    const sink = await parseFiles({ '2099/cve-2099-0001.json': JSON.stringify(vex()) });
    expect(sink.problems).toEqual([]);
    const a = sink.parsed()[0];
    expect(a?.aliases).toEqual(['RHSA-2099:0001', 'RHSA-2099:0002']);
    expect(a?.ratings).toEqual([{ severity: 'critical', raw: 'Critical', source: 'redhat' }]);
    expect(a?.cvss.map((c) => c.score)).toEqual([9.8]);
    expect(a?.affected).toEqual([
      // Two fixed builds in RHEL 8: the highest fix is kept.
      { ecosystem: 'Red Hat:8', name: 'openssl', status: 'fixed', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1:1.1.1k-14.el8_10' }] }], arches: ['x86_64'], versions: [] },
      { ecosystem: 'Red Hat:8', name: 'nodejs', status: 'fixed', module: 'nodejs:20', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1:20.16.0-1.module+el8.10.0+22202+761b9a65' }] }], arches: ['x86_64'], versions: [] },
      { ecosystem: 'Red Hat:7', name: 'openssl', status: 'will_not_fix', note: 'Will not fix', ranges: [], versions: [] },
      { ecosystem: 'Red Hat:6', name: 'openssl', status: 'end_of_life', note: 'Out of support scope', ranges: [], versions: [] },
      { ecosystem: 'Red Hat:7', name: 'curl', status: 'affected', note: 'Affected', rating: { severity: 'low', raw: 'Low', source: 'redhat' }, ranges: [], versions: [] },
      { ecosystem: 'Red Hat:8', name: 'nodejs', status: 'fix_deferred', module: 'nodejs:18', note: 'Deferred', ranges: [], versions: [] },
      { ecosystem: 'Red Hat:8', name: 'curl', status: 'not_affected', ranges: [], versions: [] },
    ]);
  });

  it('reads VEX files from a .tar.zst archive and honours deletions.csv', async () => {
    const doc = JSON.stringify(vex());
    const gone = JSON.stringify({ ...vex(), document: { ...(vex().document as object), tracking: { id: 'CVE-2099-0002' } } }).replace(/CVE-2099-0001/g, 'CVE-2099-0002');
    const tarball = await buildTar([
      { name: '2099/cve-2099-0001.json', content: doc },
      { name: '2099/cve-2099-0002.json', content: gone },
      { name: 'index.txt', content: '2099/cve-2099-0001.json\n' },
    ]);
    // fzstd only decompresses: the zstd CLI makes the archive where it exists, gzip elsewhere.
    let archive: [string, Buffer] = ['vex/csaf_vex_2099-01-03.tar.gz', gzipSync(tarball)];
    if (existsSync('/usr/bin/zstd')) {
      const work = await tmp.make();
      await writeFile(join(work, 'a.tar'), tarball);
      await exec('zstd', ['-q', '-o', join(work, 'a.tar.zst'), join(work, 'a.tar')]);
      archive = ['vex/csaf_vex_2099-01-03.tar.zst', await readFile(join(work, 'a.tar.zst'))];
    }
    const sink = await parseFiles({ [archive[0]]: archive[1], 'vex/deletions.csv': '"2099/cve-2099-0002.json","2099-01-04T00:00:00+00:00"\n' });
    expect(sink.problems).toEqual([]);
    expect(sink.advisories.map((a) => a.id)).toEqual(['CVE-2099-0001']);
  });
});

describe('redhat: hostile input', () => {
  it('records invalid JSON, non-CSAF documents, unknown categories and bad versions', async () => {
    const bad = vex();
    const tree = bad.product_tree as { branches: { branches: unknown[] }[] };
    tree.branches[0]?.branches.push({ category: 'architecture', name: 'x', branches: [{ product: { product_id: 'openssl-bad', product_identification_helper: { purl: 'pkg:rpm/redhat/openssl@!!!?arch=x86_64' } } }] });
    (bad.product_tree as { relationships: unknown[] }).relationships.push({ full_product_name: { product_id: 'AppStream-8.10.0.Z.MAIN:openssl-bad' }, product_reference: 'openssl-bad', relates_to_product_reference: 'AppStream-8.10.0.Z.MAIN' });
    ((bad.vulnerabilities as { product_status: { fixed: string[] } }[])[0]?.product_status.fixed ?? []).push('AppStream-8.10.0.Z.MAIN:openssl-bad');
    const sink = await parseFiles({
      'a.json': '{"document": {"category": "csaf_vex"',
      'b.json': '[1, 2]',
      'c.json': JSON.stringify({ document: { category: 'csaf_informational_advisory', tracking: { id: 'X' } } }),
      'd.json': JSON.stringify(bad),
      'e.json': JSON.stringify({ document: { category: 'csaf_vex', tracking: { id: 'CVE-1' } }, product_tree: { branches: 'no' } }),
      'state.json': '{}',
    });
    expect(sink.problems.map((p) => [p.path, p.code])).toEqual([
      ['a.json', 'FEED_PARSE'],
      ['b.json', 'FEED_PARSE'],
      ['c.json', 'FEED_PARSE'],
      ['d.json', 'VERSION_INVALID'],
      ['e.json', 'FEED_PARSE'],
    ]);
    expect(sink.advisories.map((a) => a.id)).toEqual(['CVE-2099-0001']);
  });

  it('survives a deeply nested product tree and a corrupt archive', async () => {
    let branch: Record<string, unknown> = { product: { product_id: 'leaf', product_identification_helper: { purl: 'pkg:rpm/redhat/x@1-1?arch=x86_64' } } };
    for (let i = 0; i < 2000; i++) branch = { category: 'vendor', name: 'n', branches: [branch] };
    const doc = { document: { category: 'csaf_vex', tracking: { id: 'CVE-2099-0003' } }, product_tree: { branches: [branch] }, vulnerabilities: [{ cve: 'CVE-2099-0003' }] };
    const sink = await parseFiles({ 'deep.json': JSON.stringify(doc), 'broken.tar.zst': Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3, 4]) });
    // The leaf 2000 levels down is ignored (real trees are 4 deep); the document itself is read.
    expect(sink.advisories.map((a) => [a.id, a.affected])).toEqual([['CVE-2099-0003', []]]);
    expect(sink.problems.map((p) => [p.path, p.message])).toEqual([['broken.tar.zst', expect.stringMatching(/corrupt or truncated/)]]);
  });

  it('reads purls defensively', () => {
    expect(rpmOf('pkg:rpm/redhat/openssl@1.1.1k-12.el8_9?arch=src&epoch=1')).toEqual({ name: 'openssl', evr: '1:1.1.1k-12.el8_9', arch: 'src' });
    expect(rpmOf('pkg:rpm/redhat/nodejs@18.20.4-1.module%2Bel8?arch=x86_64&rpmmod=nodejs:18:8100020240807161023:9')).toMatchObject({ module: 'nodejs:18', evr: '0:18.20.4-1.module+el8' });
    expect(rpmOf('pkg:rpmmod/redhat/ruby:2.6/ruby')).toEqual({ name: 'ruby', module: 'ruby:2.6' });
    for (const bad of [undefined, '', 'pkg:', 'pkg:oci/ubi8@sha256:1', 'pkg:rpm/fedora/x@1-1', 'not a purl']) expect(rpmOf(bad)).toBeUndefined();
  });
});

describe('redhat fetch', () => {
  const base = 'https://security.access.redhat.com/data/csaf/v2/vex';
  const changes = ['"2024/cve-2024-0003.json","2024-12-03T00:00:00+00:00"', '"2024/cve-2024-0001.json","2024-12-01T00:00:00+00:00"', '"../../etc/passwd","2024-12-05T00:00:00+00:00"', '"2024/cve-2024-0002.json","2024-12-02T00:00:00+00:00"'].join('\n');

  it('reads changes.csv rows, dropping unsafe paths', () => {
    expect(parseChanges(changes).map((c) => c.path)).toEqual(['2024/cve-2024-0003.json', '2024/cve-2024-0001.json', '2024/cve-2024-0002.json']);
  });

  it('first run: downloads the latest archive, then the changes after its date', async () => {
    const ctx = fakeFetchContext({ dir: await tmp.make(), bodies: { [`${base}/changes.csv`]: changes, [`${base}/deletions.csv`]: '', [`${base}/archive_latest.txt`]: 'csaf_vex_2024-12-02.tar.zst\n', [`${base}/csaf_vex_2024-12-02.tar.zst`]: 'x', [`${base}/2024/cve-2024-0003.json`]: '{}' } });
    const state = await redhatFeed.fetch(ctx);
    expect(ctx.calls.map((c) => c.file)).toEqual(['vex/changes.csv', 'vex/deletions.csv', 'vex/archive_latest.txt', 'vex/csaf_vex_2024-12-02.tar.zst', 'vex/2024/cve-2024-0003.json']);
    expect(state).toEqual({ archive: 'csaf_vex_2024-12-02.tar.zst', lastChange: '2024-12-03T00:00:00.000Z' });
  });

  it('later runs download only what changed since the last run, bounded per run', async () => {
    const bodies = { [`${base}/changes.csv`]: changes, [`${base}/deletions.csv`]: '', [`${base}/2024/cve-2024-0002.json`]: '{}', [`${base}/2024/cve-2024-0003.json`]: '{}' };
    const ctx = fakeFetchContext({ dir: await tmp.make(), state: { lastChange: '2024-12-01T00:00:00.000Z' }, bodies });
    const state = await createRedhatFeed({ maxFiles: 1 }).fetch(ctx);
    expect(ctx.calls.map((c) => c.file).slice(2)).toEqual(['vex/2024/cve-2024-0002.json']);
    expect(state).toEqual({ lastChange: '2024-12-02T00:00:00.000Z' });
    const next = fakeFetchContext({ dir: await tmp.make(), state, bodies });
    expect(await createRedhatFeed({ maxFiles: 1 }).fetch(next)).toEqual({ lastChange: '2024-12-03T00:00:00.000Z' });
    expect(next.calls.map((c) => c.file).slice(2)).toEqual(['vex/2024/cve-2024-0003.json']);
  });

  it('index mode fetches the newest files of index.txt, bounded; a bad archive name is FEED_FETCH', async () => {
    const index = ['2023/cve-2023-0001.json', '2024/cve-2024-0001.json', '/etc/shadow', '2024/cve-2024-0009.json'].join('\n');
    const ctx = fakeFetchContext({ dir: await tmp.make(), baseUrl: 'http://127.0.0.1:9', bodies: { 'http://127.0.0.1:9/changes.csv': '', 'http://127.0.0.1:9/deletions.csv': '', 'http://127.0.0.1:9/index.txt': index, 'http://127.0.0.1:9/2024/cve-2024-0009.json': '{}', 'http://127.0.0.1:9/2024/cve-2024-0001.json': '{}' } });
    await createRedhatFeed({ firstRun: 'index', maxFiles: 2 }).fetch(ctx);
    expect(ctx.calls.map((c) => c.file).slice(3)).toEqual(['vex/2024/cve-2024-0009.json', 'vex/2024/cve-2024-0001.json']);
    const evil = fakeFetchContext({ dir: await tmp.make(), bodies: { [`${base}/changes.csv`]: '', [`${base}/deletions.csv`]: '', [`${base}/archive_latest.txt`]: '../../../etc/passwd' } });
    await expect(redhatFeed.fetch(evil)).rejects.toMatchObject({ code: 'FEED_FETCH' });
  });
});

it('testdata README lists every sample', async () => {
  const readme = await readFile(join(import.meta.dirname, 'testdata', 'README.md'), 'utf8');
  for (const f of ['cve-2024-10041.trimmed.json', 'rhsa-2023_3821.json', 'rhsa-2024_0010.json', 'rhsa-2024_6163.json', 'rhsa-2024_9371.json', 'rhsa-2025_23414.json']) expect(readme).toContain(f);
});

const samples = vulndataPath('samples', 'redhat');

describe.skipIf(!samples)('redhat: every Red Hat CSAF sample of shared/vulndata', () => {
  it('parses the VEX and advisory samples into valid advisories', async () => {
    const sink = collectingSink();
    for (const sub of ['csaf-vex', 'csaf-advisory']) await parseRedhatDir(join(samples as string, sub), sink);
    const parsed = sink.parsed();
    expect(parsed.map((a) => a.id).sort()).toEqual(['CVE-2024-10041', 'RHSA-2023:3821', 'RHSA-2024:0010', 'RHSA-2024:6163', 'RHSA-2024:9371', 'RHSA-2025:23414']);
    expect(parsed.reduce((n, a) => n + a.affected.length, 0)).toBe(1 + 45 + 12 + 1 + 1 + 0);
    expect(sink.problems).toHaveLength(1); // the trimmed VEX file's dangling product id
  });
});
