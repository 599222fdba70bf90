import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OsInfo } from '../../core/os.js';
import type { Package } from '../../core/package.js';
import type { CapturedFile, CatalogView } from '../types.js';
import { rpmCataloger } from './index.js';

/**
 * Ground truth comes from rpm itself: packages built by rpmbuild, installed with
 * `rpm --justdb` into fresh databases, listed back with `rpm -qa --qf`.
 */
const haveRpmbuild = spawnSync('rpmbuild', ['--version']).status === 0;
if (!haveRpmbuild) console.warn('SKIP rpm cataloger comparison tests: rpmbuild is not installed (Debian package "rpm")');
const haveGpg = spawnSync('gpg', ['--version']).status === 0;
if (haveRpmbuild && !haveGpg) console.warn('SKIP gpg-pubkey test: gpg is not installed (Debian package "gnupg")');

const LAYER = 'sha256:1111111111111111111111111111111111111111111111111111111111111111';
const FEDORA: OsInfo = { id: 'fedora', versionId: '40', source: '/etc/os-release' };
const QF = '%{NAME}|%{EPOCH}|%{VERSION}|%{RELEASE}|%{ARCH}|%{SOURCERPM}|%{LICENSE}\\n[file:%{FILENAMES}\\n]';

const ALPHA_SPEC = `Name: alpha
Version: 1.2.3
Release: 4.fc40
Epoch: 2
Summary: package with an epoch and a subpackage
License: MIT AND (Apache-2.0 OR BSD-3-Clause)
Vendor: Portcullis Test
BuildArch: noarch
%description
alpha
%package -n beta-tools
Summary: subpackage whose source rpm is alpha
License: GPL-2.0-only
%description -n beta-tools
beta
%install
mkdir -p %{buildroot}/usr/bin %{buildroot}/etc/alpha %{buildroot}/usr/share/doc/alpha
echo alpha > %{buildroot}/usr/bin/alpha
echo conf > %{buildroot}/etc/alpha/alpha.conf
echo doc > %{buildroot}/usr/share/doc/alpha/README
echo beta > %{buildroot}/usr/bin/beta
%files
/usr/bin/alpha
%dir /etc/alpha
%config /etc/alpha/alpha.conf
/usr/share/doc/alpha/README
%files -n beta-tools
/usr/bin/beta
`;

// Many files, so its header outgrows a 4 KiB Berkeley DB page and needs an overflow chain.
const GAMMA_SPEC = `Name: gamma-lib-ng
Version: 0.9~rc1
Release: 3.el9
Summary: no epoch, dashes in the name, many files
License: BSD-2-Clause
BuildArch: noarch
%description
gamma
%install
for d in usr/lib/gamma/plugins usr/share/gamma/data usr/include/gamma; do
  mkdir -p %{buildroot}/$d
  for i in $(seq 1 60); do echo $i > %{buildroot}/$d/entry-with-a-fairly-long-name-$i.dat; done
done
%files
/usr/lib/gamma
/usr/share/gamma
/usr/include/gamma
`;

interface Row {
  name: string;
  epoch: string;
  version: string;
  release: string;
  arch: string;
  sourceRpm: string;
  license: string;
  files: string[];
}

function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: env ?? process.env, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** What rpm reports for a database, in the same shape the cataloger output is reduced to. */
function rpmQa(dbpath: string, backend: string): Row[] {
  const out = run('rpm', ['--define', `_db_backend ${backend}`, '--dbpath', dbpath, '-qa', '--qf', QF]);
  const rows: Row[] = [];
  for (const line of out.split('\n')) {
    if (line.startsWith('file:')) rows[rows.length - 1]?.files.push(line.slice(5));
    else if (line) {
      const [name = '', epoch = '', version = '', release = '', arch = '', sourceRpm = '', license = ''] = line.split('|');
      rows.push({ name, epoch, version, release, arch, sourceRpm, license, files: [] });
    }
  }
  return sortRows(rows);
}

function fromPackages(pkgs: readonly Package[]): Row[] {
  return sortRows(
    pkgs.map((p) => ({
      name: p.name,
      epoch: p.epoch === undefined ? '(none)' : String(p.epoch),
      version: String(p.metadata?.versionOnly),
      release: String(p.metadata?.release),
      arch: p.arch ?? '(none)',
      sourceRpm: String(p.metadata?.sourceRpm || '(none)'),
      license: p.licenses[0] ?? '(none)',
      files: [...(p.files ?? [])],
    })),
  );
}

function sortRows(rows: Row[]): Row[] {
  for (const r of rows) r.files.sort();
  return rows.sort((a, b) => `${a.name}|${a.arch}`.localeCompare(`${b.name}|${b.arch}`));
}

function viewOf(files: Record<string, Buffer>, os?: OsInfo): CatalogView {
  const captured: CapturedFile[] = Object.entries(files)
    .map(([path, content]) => ({ path, content, layerDiffId: LAYER, wantedBy: [rpmCataloger.id] }))
    .sort((a, b) => a.path.localeCompare(b.path));
  return {
    files: () => captured,
    read: (p) => captured.find((f) => f.path === p),
    exists: (p) => captured.some((f) => f.path === p),
    os,
  };
}

/** A Berkeley DB dump (db_dump "bytevalue" format) of rpm's key → header pairs, loaded by db_load. */
function makeBdb(dir: string, blobs: { hnum: number; blob: Buffer }[], opts: { lorder: 1234 | 4321; pageSize: number }): Buffer {
  mkdirSync(dir, { recursive: true });
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b.toString('hex');
  };
  const next = Math.max(...blobs.map((b) => b.hnum)) + 1;
  const body = [` ${u32(0)}`, ` ${u32(next)}`, ...blobs.flatMap(({ hnum, blob }) => [` ${u32(hnum)}`, ` ${blob.toString('hex')}`])];
  const dump = ['VERSION=3', 'format=bytevalue', 'type=hash', 'HEADER=END', ...body, 'DATA=END', ''].join('\n');
  writeFileSync(join(dir, 'dump.txt'), dump);
  run('db5.3_load', ['-c', `db_lorder=${opts.lorder}`, '-c', `db_pagesize=${opts.pageSize}`, '-f', join(dir, 'dump.txt'), join(dir, 'Packages')]);
  return readFileSync(join(dir, 'Packages'));
}

describe.skipIf(!haveRpmbuild)('rpm cataloger compared with rpm itself', () => {
  let tmp = '';
  let sqliteDb = '';
  let headerBlobs: { hnum: number; blob: Buffer }[] = [];

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'portcullis-rpm-'));
    writeFileSync(join(tmp, 'alpha.spec'), ALPHA_SPEC);
    writeFileSync(join(tmp, 'gamma.spec'), GAMMA_SPEC);
    const top = ['--define', `_topdir ${join(tmp, 'top')}`];
    run('rpmbuild', [...top, '--define', 'modularitylabel nodejs:12:8030020201124152102:229f0a1c', '-bb', join(tmp, 'alpha.spec')]);
    run('rpmbuild', [...top, '-bb', join(tmp, 'gamma.spec')]);
    const rpmDir = join(tmp, 'top', 'RPMS', 'noarch');
    const rpms = readdirSync(rpmDir).map((f) => join(rpmDir, f));
    sqliteDb = join(tmp, 'db-sqlite');
    run('rpm', ['--define', '_db_backend sqlite', '--initdb', '--dbpath', sqliteDb]);
    run('rpm', ['--define', '_db_backend sqlite', '--dbpath', sqliteDb, '-i', '--justdb', '--nodeps', '--ignorearch', ...rpms]);
    const db = new Database(join(sqliteDb, 'rpmdb.sqlite'), { readonly: true });
    headerBlobs = db.prepare('SELECT hnum, blob FROM Packages ORDER BY hnum').all() as { hnum: number; blob: Buffer }[];
    db.close();
  });

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('only sqlite is writable by this rpm; other backends are reported unusable', () => {
    // Documents why bdb and ndb fixtures are produced by other means below.
    expect(run('rpm', ['--eval', '%{_db_backend}']).trim()).toBe('sqlite');
    for (const backend of ['bdb', 'ndb']) {
      const dir = join(tmp, `try-${backend}`);
      const r = spawnSync('rpm', ['--define', `_db_backend ${backend}`, '--initdb', '--dbpath', dir], { encoding: 'utf8' });
      expect(r.stderr).toMatch(/invalid %_db_backend|dummy database/);
    }
  });

  it('reads the sqlite database exactly as rpm -qa / -ql report it', () => {
    const content = readFileSync(join(sqliteDb, 'rpmdb.sqlite'));
    const result = rpmCataloger.catalog(viewOf({ '/usr/lib/sysimage/rpm/rpmdb.sqlite': content }, FEDORA));
    expect(result.problems).toEqual([]);
    const expected = rpmQa(sqliteDb, 'sqlite');
    expect(expected.map((r) => r.name)).toEqual(['alpha', 'beta-tools', 'gamma-lib-ng']);
    expect(fromPackages(result.packages)).toEqual(expected);
    expect(result.packages.find((p) => p.name === 'alpha')?.files).toEqual(
      run('rpm', ['--dbpath', sqliteDb, '-ql', 'alpha']).trim().split('\n'),
    );
  });

  it('fills versions, source, purl, metadata and locations', () => {
    const content = readFileSync(join(sqliteDb, 'rpmdb.sqlite'));
    const { packages } = rpmCataloger.catalog(viewOf({ '/var/lib/rpm/rpmdb.sqlite': content }, FEDORA));
    const beta = packages.find((p) => p.name === 'beta-tools');
    expect(beta).toMatchObject({
      id: 'rpm:beta-tools@2:1.2.3-4.fc40:noarch',
      type: 'rpm',
      version: '2:1.2.3-4.fc40',
      epoch: 2,
      arch: 'noarch',
      source: { name: 'alpha', version: '1.2.3-4.fc40' },
      licenses: ['GPL-2.0-only'],
      foundBy: 'rpm@1',
      locations: [{ path: '/var/lib/rpm/rpmdb.sqlite', layerDiffId: LAYER }],
      purl: 'pkg:rpm/fedora/beta-tools@1.2.3-4.fc40?arch=noarch&distro=fedora-40&epoch=2&upstream=alpha-1.2.3-4.fc40.src.rpm',
      metadata: {
        release: '4.fc40',
        versionOnly: '1.2.3',
        vendor: 'Portcullis Test',
        sourceRpm: 'alpha-1.2.3-4.fc40.src.rpm',
        modularityLabel: 'nodejs:12:8030020201124152102:229f0a1c',
        dbFormat: 'sqlite',
      },
    });
    expect(beta?.metadata?.size).toBe(Number(run('rpm', ['--dbpath', sqliteDb, '-q', '--qf', '%{SIZE}', 'beta-tools'])));
    const gamma = packages.find((p) => p.name === 'gamma-lib-ng');
    expect(gamma?.version).toBe('0.9~rc1-3.el9');
    expect(gamma?.epoch).toBeUndefined();
    expect(gamma?.source).toEqual({ name: 'gamma-lib-ng', version: '0.9~rc1-3.el9' });
    expect(gamma?.metadata).not.toHaveProperty('modularityLabel');
    expect(gamma?.purl).toBe('pkg:rpm/fedora/gamma-lib-ng@0.9~rc1-3.el9?arch=noarch&distro=fedora-40&upstream=gamma-lib-ng-0.9%7Erc1-3.el9.src.rpm');
    // packageurl-js percent-encodes '~' in qualifier values; the version segment keeps it.
    const rhel = rpmCataloger.catalog(viewOf({ '/var/lib/rpm/rpmdb.sqlite': content }, { id: 'rhel', versionId: '9.4', source: '/etc/os-release' }));
    expect(rhel.packages.find((p) => p.name === 'gamma-lib-ng')?.purl).toMatch(/^pkg:rpm\/redhat\/gamma-lib-ng@.*distro=rhel-9.4/);
    const noOs = rpmCataloger.catalog(viewOf({ '/var/lib/rpm/rpmdb.sqlite': content }));
    expect(noOs.packages.find((p) => p.name === 'alpha')?.purl).toBe(
      'pkg:rpm/unknown/alpha@1.2.3-4.fc40?arch=noarch&epoch=2&upstream=alpha-1.2.3-4.fc40.src.rpm',
    );
  });

  it.skipIf(!haveGpg)('skips gpg-pubkey pseudo-packages that rpm -qa lists', () => {
    const db = join(tmp, 'db-gpg');
    const gnupg = join(tmp, 'gnupg');
    mkdirSync(gnupg, { mode: 0o700 });
    const env = { ...process.env, GNUPGHOME: gnupg };
    try {
      run('gpg', ['--batch', '--passphrase', '', '--pinentry-mode', 'loopback', '--quick-gen-key', 'Portcullis Test <test@example.invalid>', 'rsa2048', 'sign', 'never'], env);
      writeFileSync(join(tmp, 'key.asc'), run('gpg', ['--armor', '--export'], env));
    } finally {
      spawnSync('gpgconf', ['--kill', 'all'], { env });
    }
    run('rpm', ['--initdb', '--dbpath', db]);
    run('rpm', ['--dbpath', db, '--import', join(tmp, 'key.asc')]);
    const rpmDir = join(tmp, 'top', 'RPMS', 'noarch');
    run('rpm', ['--dbpath', db, '-i', '--justdb', '--nodeps', '--ignorearch', join(rpmDir, readdirSync(rpmDir).find((f) => f.startsWith('alpha-')) ?? '')]);
    const native = rpmQa(db, 'sqlite');
    expect(native.map((r) => r.name)).toEqual(['alpha', 'gpg-pubkey']);
    const result = rpmCataloger.catalog(viewOf({ '/var/lib/rpm/rpmdb.sqlite': readFileSync(join(db, 'rpmdb.sqlite')) }));
    expect(result.problems).toEqual([]);
    expect(fromPackages(result.packages)).toEqual(native.filter((r) => r.name !== 'gpg-pubkey'));
  });

  const bdbVariants = [
    { label: 'little-endian, 4 KiB pages', lorder: 1234, pageSize: 4096 },
    { label: 'little-endian, 512-byte pages (overflow chains)', lorder: 1234, pageSize: 512 },
    { label: 'big-endian, 512-byte pages', lorder: 4321, pageSize: 512 },
    { label: 'big-endian, 64 KiB pages', lorder: 4321, pageSize: 65536 },
  ] as const;
  for (const v of bdbVariants) {
    it(`reads a Berkeley DB hash Packages (${v.label}) as rpm's bdb_ro backend does`, () => {
      const dir = join(tmp, `bdb-${v.lorder}-${v.pageSize}`);
      const content = makeBdb(dir, headerBlobs, v);
      expect(content.readUInt32BE(12) === 0x00061561).toBe(v.lorder === 4321);
      // gamma-lib-ng's header is larger than a 4 KiB page, so those variants hold overflow pages (type 7).
      const types = new Set(Array.from({ length: content.length / v.pageSize }, (_, i) => content[i * v.pageSize + 25]));
      if (v.pageSize <= 4096) expect(types.has(7)).toBe(true);
      const native = rpmQa(dir, 'bdb_ro');
      expect(native).toEqual(rpmQa(sqliteDb, 'sqlite'));
      const result = rpmCataloger.catalog(viewOf({ '/var/lib/rpm/Packages': content }, FEDORA));
      expect(result.problems).toEqual([]);
      expect(fromPackages(result.packages)).toEqual(native);
      expect(result.packages.every((p) => p.metadata?.dbFormat === 'bdb')).toBe(true);
    });
  }

  it('prefers sqlite over bdb in one directory and merges a database seen at two paths', () => {
    const sqlite = readFileSync(join(sqliteDb, 'rpmdb.sqlite'));
    const onlyFirst = makeBdb(join(tmp, 'bdb-subset'), headerBlobs.slice(0, 1), { lorder: 1234, pageSize: 4096 });
    const result = rpmCataloger.catalog(
      viewOf({ '/var/lib/rpm/Packages': onlyFirst, '/var/lib/rpm/rpmdb.sqlite': sqlite, '/usr/lib/sysimage/rpm/rpmdb.sqlite': sqlite }, FEDORA),
    );
    expect(result.problems).toEqual([]);
    expect(fromPackages(result.packages)).toEqual(rpmQa(sqliteDb, 'sqlite'));
    for (const p of result.packages) {
      expect(p.metadata?.dbFormat).toBe('sqlite');
      expect(p.locations.map((l) => l.path)).toEqual(['/var/lib/rpm/rpmdb.sqlite', '/usr/lib/sysimage/rpm/rpmdb.sqlite']);
    }
  });
});

describe('rpm cataloger on the ndb fixture', () => {
  // testdata/ndb/Packages.db is generated by scripts/fixtures/make-rpm-ndb.py from headers rpm
  // wrote; rpm-qa.txt is what `rpm -qa` printed for the same headers (Debian's rpm has no ndb).
  const fixture = join(import.meta.dirname, 'testdata', 'ndb');

  it('lists what rpm listed for the same headers', () => {
    const content = readFileSync(join(fixture, 'Packages.db'));
    const result = rpmCataloger.catalog(viewOf({ '/usr/lib/sysimage/rpm/Packages.db': content }, { id: 'opensuse-leap', versionId: '15.5', source: '/etc/os-release' }));
    expect(result.problems).toEqual([]);
    const expected: Row[] = [];
    for (const line of readFileSync(join(fixture, 'rpm-qa.txt'), 'utf8').split('\n')) {
      if (line.startsWith('file:')) expected[expected.length - 1]?.files.push(line.slice(5));
      else if (line) {
        const [name = '', epoch = '', version = '', release = '', arch = '', sourceRpm = '', license = ''] = line.split('|');
        expected.push({ name, epoch, version, release, arch, sourceRpm, license, files: [] });
      }
    }
    expect(expected.length).toBe(2);
    expect(fromPackages(result.packages)).toEqual(sortRows(expected));
    const lib = result.packages.find((p) => p.name === 'libndb-fixture3');
    expect(lib?.purl).toBe(
      'pkg:rpm/opensuse-leap/libndb-fixture3@3.1-150500.2.1?arch=noarch&distro=opensuse-leap-15.5&epoch=1&upstream=ndb-fixture-3.1-150500.2.1.src.rpm',
    );
    expect(lib?.metadata?.dbFormat).toBe('ndb');
  });
});
