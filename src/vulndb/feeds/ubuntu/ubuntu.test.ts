import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { collectingSink, fakeFetchContext, vulndataPath } from '../../../../test/helpers/feed-sink.js';
import { exec } from '../../../../test/helpers/exec.js';
import { buildTar } from '../../../../test/helpers/tar-builder.js';
import { tmpDirPool } from '../../../../test/helpers/tmp.js';
import { createUbuntuFeed, parseUbuntuDir, ubuntuFeed } from './index.js';
import { ubuntuEcosystem } from './releases.js';
import { uctDate } from './uct.js';

const TESTDATA = join(import.meta.dirname, 'testdata');
const tmp = tmpDirPool('ubuntu');
afterAll(() => tmp.removeAll());

const fixed = (ecosystem: string, name: string, version: string) => ({ ecosystem, name, status: 'fixed', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: version }] }] });

async function parseText(files: Record<string, string | Buffer>) {
  const dir = await tmp.make();
  for (const [rel, body] of Object.entries(files)) {
    await mkdir(join(dir, rel, '..'), { recursive: true });
    await writeFile(join(dir, rel), body);
  }
  const sink = collectingSink();
  await parseUbuntuDir(dir, sink);
  return sink;
}

describe('ubuntu CVE tracker files (real samples)', () => {
  it('maps every release line of CVE-2020-14311 as read by hand', async () => {
    const sink = collectingSink();
    await ubuntuFeed.parse(join(TESTDATA, 'uct'), sink);
    expect(sink.problems).toEqual([]);
    expect(sink.parsed().map((a) => a.id)).toEqual(['CVE-2020-13558', 'CVE-2020-14311', 'CVE-2020-1971', 'CVE-2019-11481']);
    const grub = sink.byId('CVE-2020-14311');
    expect(grub?.source).toBe('ubuntu');
    expect(grub?.published).toBe('2020-07-31T22:15:00Z');
    expect(grub?.summary).toMatch(/^There is an issue with grub2 before version 2\.06 while handling symlink on ext filesystems\./);
    expect(grub?.ratings).toEqual([{ severity: 'high', raw: 'high', source: 'ubuntu' }]);
    expect(grub?.cvss?.map((c) => [c.source, c.version, c.vector])).toEqual([
      ['upstream', '3.1', 'CVSS:3.1/AV:L/AC:H/PR:H/UI:N/S:U/C:N/I:H/A:H'],
      ['nvd', '3.1', 'CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:N/I:H/A:H'],
    ]);
    expect(grub?.references?.slice(0, 2)).toEqual([
      { type: 'ADVISORY', url: 'https://ubuntu.com/security/CVE-2020-14311' },
      { type: 'WEB', url: 'https://cve.mitre.org/cgi-bin/cvename.cgi?name=CVE-2020-14311' },
    ]);
    const eol = (ecosystem: string, name: string, note: string) => ({ ecosystem, name, status: 'end_of_life', note });
    expect(grub?.affected).toEqual([
      // Priority_grub2_precise/esm: low applies to that release only.
      { ecosystem: 'Ubuntu:Pro:12.04', name: 'grub2', status: 'affected', rating: { severity: 'low', raw: 'low', source: 'ubuntu' } },
      eol('Ubuntu:14.04', 'grub2', 'out of standard support'),
      fixed('Ubuntu:Pro:14.04', 'grub2', '2.02~beta2-9ubuntu1.20'),
      fixed('Ubuntu:16.04', 'grub2', '2.02~beta2-36ubuntu3.26'),
      fixed('Ubuntu:18.04', 'grub2', '2.02-2ubuntu8.16'),
      fixed('Ubuntu:20.04', 'grub2', '2.04-1ubuntu26.1'),
      { ecosystem: 'Ubuntu:20.10', name: 'grub2', status: 'not_affected', note: '2.04-1ubuntu26.1' },
      eol('Ubuntu:14.04', 'grub2-signed', 'out of standard support'),
      fixed('Ubuntu:Pro:14.04', 'grub2-signed', '1.34.22'),
      fixed('Ubuntu:16.04', 'grub2-signed', '1.66.26'),
      fixed('Ubuntu:18.04', 'grub2-signed', '1.93.18'),
      eol('Ubuntu:19.10', 'grub2-signed', 'reached end-of-life'),
      fixed('Ubuntu:20.04', 'grub2-signed', '1.142.3'),
      { ecosystem: 'Ubuntu:20.10', name: 'grub2-signed', status: 'not_affected', note: '1.147' },
    ]);
  });

  it('maps needs-triage, deferred and per-package priorities; skips upstream, devel and DNE', async () => {
    const sink = collectingSink();
    await parseUbuntuDir(join(TESTDATA, 'uct'), sink);
    const webkit = sink.byId('CVE-2020-13558');
    expect(webkit?.summary).toBeUndefined();
    expect(webkit?.cvss).toEqual([]);
    const w2 = webkit?.affected?.filter((a) => a.name === 'webkit2gtk');
    expect(w2).toEqual([
      { ecosystem: 'Ubuntu:16.04', name: 'webkit2gtk', status: 'fix_deferred' },
      fixed('Ubuntu:18.04', 'webkit2gtk', '2.30.5-0ubuntu0.18.04.1'),
      fixed('Ubuntu:20.04', 'webkit2gtk', '2.30.5-0ubuntu0.20.04.1'),
      fixed('Ubuntu:20.10', 'webkit2gtk', '2.30.5-0ubuntu0.20.10.1'),
    ]);
    expect(webkit?.affected?.filter((a) => a.name === 'wpewebkit').map((a) => [a.ecosystem, a.status])).toEqual([
      ['Ubuntu:14.04', 'end_of_life'],
      ['Ubuntu:20.04', 'under_investigation'],
      ['Ubuntu:20.10', 'under_investigation'],
    ]);
    const openssl = sink.byId('CVE-2020-1971');
    expect(openssl?.affected?.find((a) => a.name === 'edk2')).toEqual({ ecosystem: 'Ubuntu:14.04', name: 'edk2', status: 'end_of_life', note: 'out of standard support', rating: { severity: 'low', raw: 'low', source: 'ubuntu' } });
    expect(openssl?.affected?.find((a) => a.name === 'openssl' && a.ecosystem === 'Ubuntu:Pro:12.04')).toEqual(fixed('Ubuntu:Pro:12.04', 'openssl', '1.0.1-4ubuntu5.45'));
    expect(sink.byId('CVE-2019-11481')?.affected?.find((a) => a.ecosystem === 'Ubuntu:19.04')).toEqual(fixed('Ubuntu:19.04', 'apport', '2.20.10-0ubuntu27.2'));
  });

  it('reads the same files from a .tar.gz snapshot', async () => {
    const items = [];
    for (const rel of ['active/CVE-2020-14311', 'retired/CVE-2019-11481']) items.push({ name: `ubuntu-cve-tracker/${rel}`, content: await readFile(join(TESTDATA, 'uct', rel)) });
    items.push({ name: 'ubuntu-cve-tracker/active/00boilerplate', content: 'Candidate:\n' });
    items.push({ name: '../../etc/active/CVE-2020-0001', content: 'Candidate: CVE-2020-0001\n' });
    const sink = await parseText({ 'uct-snapshot.tar.gz': gzipSync(await buildTar(items)) });
    expect(sink.advisories.map((a) => a.id)).toEqual(['CVE-2020-14311', 'CVE-2019-11481']);
    expect(sink.problems.map((p) => p.code)).toEqual(['TAR_ENTRY_UNSAFE']);
  });
});

describe('ubuntu: hostile input', () => {
  it('records bad statuses, versions, ids and unknown releases, and keeps the rest of the file', async () => {
    const text = [
      'Candidate: CVE-2024-0001',
      'Priority: urgent-ish',
      'Patches_foo:',
      'focal_foo: released',
      'jammy_foo: released (not a version!)',
      'noble_foo: exploded (why)',
      'zapata_foo: needed',
      'zapata_bar: needed',
      'bionic_foo: released (1.2-3ubuntu0.1)',
      'fips-updates/focal_foo: released (1.2-3fips1)',
      'esm-apps/jammy_foo: released (1.2-3ubuntu0.1+esm1)',
      'garbage line without colon',
    ].join('\n');
    const sink = await parseText({ 'active/CVE-2024-0001': text, 'active/CVE-2024-0002': 'Candidate: nope\nfocal_x: needed\n', 'retired/CVE-2024-0003': '\u0000\u0001binary' });
    expect(sink.advisories.map((a) => [a.id, a.affected?.map((e) => e.ecosystem), a.ratings?.[0]?.severity])).toEqual([
      ['CVE-2024-0001', ['Ubuntu:18.04', 'Ubuntu:Pro:22.04'], 'unknown'],
      ['CVE-2024-0002', ['Ubuntu:20.04'], undefined],
    ]);
    expect(sink.problems.map((p) => p.code)).toEqual(['FEED_PARSE', 'FEED_PARSE', 'FEED_PARSE', 'FEED_UNKNOWN_ECOSYSTEM']);
  });

  it('skips an oversized file and a corrupt archive with problems', async () => {
    const sink = await parseText({ 'active/CVE-2024-0004': `Candidate: CVE-2024-0004\nfocal_x: needed\n${'#'.repeat(5 * 1024 * 1024)}`, 'bad.tar.gz': Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]) });
    expect(sink.advisories).toEqual([]);
    expect(sink.problems.map((p) => p.message)).toEqual([expect.stringMatching(/over the limit of 4194304$/), expect.stringMatching(/corrupt or truncated/)]);
  });

  it('parses dates and release names', () => {
    expect(uctDate('2020-12-08 16:15:00 UTC')).toBe('2020-12-08T16:15:00Z');
    expect(uctDate('2015-02-23')).toBe('2015-02-23T00:00:00Z');
    expect(uctDate('2015-02-30 99:00:00')).toBeUndefined();
    expect(uctDate('tomorrow')).toBeUndefined();
    expect(ubuntuEcosystem('noble')).toEqual({ ecosystem: 'Ubuntu:24.04' });
    expect(ubuntuEcosystem('esm-infra/xenial')).toEqual({ ecosystem: 'Ubuntu:Pro:16.04' });
    expect(ubuntuEcosystem('trusty/esm')).toEqual({ ecosystem: 'Ubuntu:Pro:14.04' });
    expect(ubuntuEcosystem('vivid/ubuntu-core')).toEqual({ skip: 'not-a-release' });
    expect(ubuntuEcosystem('upstream')).toEqual({ skip: 'not-a-release' });
    expect(ubuntuEcosystem('narnia')).toEqual({ skip: 'unknown' });
    expect(ubuntuEcosystem('narnia/esm')).toEqual({ skip: 'unknown' });
  });
});

describe('ubuntu fetch', () => {
  it('refuses to fetch without a snapshot URL, with a message naming the alternatives', async () => {
    const ctx = fakeFetchContext({ dir: await tmp.make() });
    await expect(ubuntuFeed.fetch(ctx)).rejects.toMatchObject({ code: 'FEED_FETCH', message: expect.stringMatching(/no downloadable snapshot.*osv feed/) });
    expect(ctx.calls).toEqual([]);
  });

  it('downloads a configured snapshot, named by its compression, and refuses other URLs', async () => {
    const ctx = fakeFetchContext({ dir: await tmp.make() });
    await createUbuntuFeed({ snapshotUrl: 'https://mirror.example/uct/uct-2026-11-01.tar.zst' }).fetch(ctx);
    expect(ctx.calls).toEqual([{ url: 'https://mirror.example/uct/uct-2026-11-01.tar.zst', file: 'uct-snapshot.tar.zst' }]);
    await expect(createUbuntuFeed({ snapshotUrl: 'https://mirror.example/uct.zip' }).fetch(ctx)).rejects.toMatchObject({ code: 'FEED_FETCH' });
    await expect(createUbuntuFeed({ snapshotUrl: 'not a url' }).fetch(ctx)).rejects.toMatchObject({ code: 'FEED_FETCH' });
    const replay = fakeFetchContext({ dir: await tmp.make(), baseUrl: 'http://127.0.0.1:9/uct.tgz' });
    await ubuntuFeed.fetch(replay);
    expect(replay.calls).toEqual([{ url: 'http://127.0.0.1:9/uct.tgz', file: 'uct-snapshot.tgz' }]);
  });
});

/** The corpus: `ubuntu/uct/{active,retired}` if unpacked, else the tarball unpacked here with tar/xz. */
async function uctCorpus(): Promise<string | undefined> {
  const dir = vulndataPath('ubuntu', 'uct');
  if (dir) return dir;
  const tarball = vulndataPath('ubuntu', 'uct-full-2021-03-06.tar.xz');
  if (!tarball || !existsSync('/usr/bin/xz')) return undefined;
  const out = await tmp.make();
  await exec('tar', ['-xJf', tarball, '-C', out, 'active', 'retired']);
  return out;
}

const corpus = await uctCorpus();

describe.skipIf(!corpus)('ubuntu: the whole real corpus (UCT snapshot 2021-03-06)', () => {
  it('parses every active and retired CVE file into valid advisories', async () => {
    const sink = collectingSink();
    await parseUbuntuDir(corpus as string, sink);
    const parsed = sink.parsed();
    // Counted with a Python script over the unpacked snapshot (see README): files whose lines
    // name a numbered release with a status other than DNE.
    expect(parsed.length).toBe(EXPECTED.advisories);
    expect(parsed.reduce((n, a) => n + a.affected.length, 0)).toBe(EXPECTED.entries);
    expect(sink.problems.filter((p) => p.code === 'FEED_UNKNOWN_ECOSYSTEM')).toEqual([]);
    expect(sink.problems.length).toBe(EXPECTED.problems);
  }, 300_000);
});

const EXPECTED = { advisories: 35_696, entries: 442_683, problems: 103 };
