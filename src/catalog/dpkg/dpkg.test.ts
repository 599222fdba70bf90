import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { PackageURL } from 'packageurl-js';
import { afterAll, describe, expect, it } from 'vitest';
import type { OsInfo } from '../../core/os.js';
import type { Package } from '../../core/package.js';
import type { CapturedFile, CatalogView } from '../types.js';
import { dpkgCataloger } from './index.js';

const TESTDATA = join(import.meta.dirname, 'testdata');
const LAYER = 'sha256:1111111111111111111111111111111111111111111111111111111111111111';
const DEBIAN_12: OsInfo = { id: 'debian', versionId: '12', versionCodename: 'bookworm', source: '/etc/os-release' };
const tmp = mkdtempSync(join(tmpdir(), 'portcullis-dpkg-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A view over image paths → contents, restricted to what the cataloger wants. */
function viewOf(files: Record<string, Buffer>, os: OsInfo | undefined): CatalogView {
  const captured: CapturedFile[] = Object.entries(files)
    .filter(([path]) => dpkgCataloger.wants(path))
    .map(([path, content]) => ({ path, content, layerDiffId: LAYER, wantedBy: [dpkgCataloger.id] }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  const byPath = new Map(captured.map((f) => [f.path, f]));
  return { files: () => captured, read: (p) => byPath.get(p), exists: (p) => p in files, os };
}

/** An image tree `<dir>/<image path>` read into a path → content record. */
function readTree(dir: string, prefix = ''): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = `${prefix}/${entry.name}`;
    if (entry.isDirectory()) Object.assign(out, readTree(dir, rel));
    else out[rel] = readFileSync(join(dir, rel));
  }
  return out;
}

/** The Debian 12 fixture (a dpkg admindir) mounted at /var/lib/dpkg. */
function debian12Files(): Record<string, Buffer> {
  const admin = join(TESTDATA, 'debian12');
  const files: Record<string, Buffer> = { '/var/lib/dpkg/status': readFileSync(join(admin, 'status')) };
  for (const name of readdirSync(join(admin, 'info'))) files[`/var/lib/dpkg/info/${name}`] = readFileSync(join(admin, 'info', name));
  return files;
}

function dpkgQuery(admindir: string, ...args: string[]): string {
  return execFileSync('dpkg-query', [`--admindir=${admindir}`, ...args], { encoding: 'utf8' });
}

/** dpkg's `${binary:Package}`: the name, arch-qualified for Multi-Arch: same packages. */
function binaryPackage(p: Package): string {
  return p.metadata?.multiArch === 'same' ? `${p.name}:${p.arch}` : p.name;
}

describe('dpkg cataloger against dpkg-query on a real Debian 12 database', () => {
  const admindir = join(tmp, 'admin');
  cpSync(join(TESTDATA, 'debian12'), admindir, { recursive: true });
  const result = dpkgCataloger.catalog(viewOf(debian12Files(), DEBIAN_12));
  const byBinary = new Map(result.packages.map((p) => [binaryPackage(p), p]));

  it('lists exactly the packages dpkg-query reports as installed', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
    const format = '${db:Status-Abbrev}\\t${binary:Package}\\t${Version}\\t${Architecture}\\t${source:Package}\\t${source:Version}\\n';
    const rows = dpkgQuery(admindir, '-W', `-f=${format}`)
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t'));
    // Status-Abbrev is want/status/error; the second letter `i` is "installed".
    const installed = rows.filter((r) => r[0]?.[1] === 'i').map((r) => r.slice(1).join('\t'));
    const notInstalled = rows.filter((r) => r[0]?.[1] !== 'i').map((r) => r[1]);
    const ours = result.packages.map((p) =>
      [binaryPackage(p), p.version, p.arch, p.source?.name, p.source?.version].join('\t'),
    );
    expect(installed.length).toBeGreaterThan(150);
    expect(notInstalled.sort()).toEqual(['bc', 'bzip2', 'dmsetup']);
    expect([...ours].sort()).toEqual([...installed].sort());
    expect(result.problems).toEqual([]);
  });

  it('records ownership equal to dpkg-query -L for every package with a .list', () => {
    const listed = readdirSync(join(admindir, 'info'))
      .filter((n) => n.endsWith('.list'))
      .map((n) => n.slice(0, -'.list'.length));
    expect(listed.length).toBe(8);
    for (const name of listed) {
      const native = dpkgQuery(admindir, '-L', name)
        .split('\n')
        .filter((l) => l !== '' && l !== '/.');
      expect(byBinary.get(name)?.files, name).toEqual(native);
    }
  });

  it('falls back to md5sums when a package has no .list', () => {
    const passwd = byBinary.get('passwd');
    const sums = readFileSync(join(admindir, 'info', 'passwd.md5sums'), 'utf8').trim().split('\n');
    expect(passwd?.files).toHaveLength(sums.length);
    expect(passwd?.files).toContain('/usr/sbin/useradd');
    expect(passwd?.files?.every((f) => f.startsWith('/'))).toBe(true);
  });

  it('builds purls, sources, metadata and locations', () => {
    const ssl = byBinary.get('libssl3:amd64') as Package;
    expect(ssl.purl).toBe(`pkg:deb/debian/libssl3@${ssl.version}?arch=amd64&distro=debian-12&upstream=openssl`);
    expect(ssl.version).toMatch(/~deb12u/); // `~` stays unescaped in the purl above
    expect(ssl.id).toBe(`deb:libssl3@${ssl.version}:amd64`);
    expect(ssl.foundBy).toBe('dpkg@1');
    expect(ssl.locations).toEqual([{ path: '/var/lib/dpkg/status', layerDiffId: LAYER }]);
    expect(ssl.metadata).toMatchObject({ multiArch: 'same', section: 'libs', priority: 'optional' });
    expect(ssl.metadata?.installedSize).toBeGreaterThan(1000);
    expect(String(ssl.metadata?.maintainer)).toContain('@');

    // `Source: util-linux (2.38.1-5+deb12u3)` with an epoch on the binary version.
    const bsd = byBinary.get('bsdutils') as Package;
    expect(bsd.version.startsWith('1:')).toBe(true);
    const purl = PackageURL.fromString(bsd.purl);
    expect(purl.qualifiers?.upstream).toBe(`util-linux@${bsd.source?.version}`);
    expect(purl.version).toBe(bsd.version);

    const base = byBinary.get('base-files') as Package;
    expect(base.source).toEqual({ name: 'base-files', version: base.version });
    expect(base.purl).toBe(`pkg:deb/debian/base-files@${base.version}?arch=amd64&distro=debian-12`);
  });

  it('uses the OS id as namespace and omits distro when no OS is known', () => {
    const ubuntu = dpkgCataloger.catalog(viewOf(debian12Files(), { id: 'ubuntu', versionId: '22.04', source: '/etc/os-release' }));
    expect(ubuntu.packages[0]?.purl).toMatch(/^pkg:deb\/ubuntu\/.*distro=ubuntu-22.04/);
    const none = dpkgCataloger.catalog(viewOf(debian12Files(), undefined));
    expect(none.packages[0]?.purl).toMatch(/^pkg:deb\/debian\/[^?]+\?arch=[a-z0-9]+(&upstream=[^&]+)?$/);
  });
});

describe('dpkg cataloger against dpkg-query on this machine\'s whole database', () => {
  it('lists the same installed packages as dpkg-query for /var/lib/dpkg/status', () => {
    const admin = join(tmp, 'live');
    cpSync(join(TESTDATA, 'debian12'), admin, { recursive: true });
    cpSync('/var/lib/dpkg/status', join(admin, 'status'));
    const { packages, problems } = dpkgCataloger.catalog(viewOf({ '/var/lib/dpkg/status': readFileSync(join(admin, 'status')) }, DEBIAN_12));
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
    const format = '${db:Status-Abbrev}\\t${binary:Package}\\t${Version}\\t${source:Package}\\t${source:Version}\\n';
    const native = dpkgQuery(admin, '-W', `-f=${format}`)
      .split('\n')
      .filter((l) => l[1] === 'i')
      .map((l) => l.split('\t').slice(1).join('\t'));
    const ours = packages.map((p) => [binaryPackage(p), p.version, p.source?.name, p.source?.version].join('\t'));
    expect(native.length).toBeGreaterThan(100);
    expect(ours.sort()).toEqual(native.sort());
    expect(problems).toEqual([]);
  });
});

describe('dpkg cataloger on a distroless status.d', () => {
  const files = readTree(join(TESTDATA, 'distroless'));
  const result = dpkgCataloger.catalog(viewOf(files, { ...DEBIAN_12, distroless: true }));

  it('agrees with dpkg-query on the same stanzas gathered into one status', () => {
    // dpkg itself cannot read status.d; a stanza without Status means installed there.
    const dir = join(TESTDATA, 'distroless/var/lib/dpkg/status.d');
    const stanzas = readdirSync(dir)
      .filter((n) => !n.endsWith('.md5sums'))
      .map((n) => readFileSync(join(dir, n), 'utf8').trimEnd())
      .map((s) => (/^Status:/m.test(s) ? s : `${s}\nStatus: install ok installed`));
    const admin = join(tmp, 'distroless');
    cpSync(join(TESTDATA, 'debian12'), admin, { recursive: true });
    writeFileSync(join(admin, 'status'), `${stanzas.join('\n\n')}\n`);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
    const native = dpkgQuery(admin, '-W', '-f=${db:Status-Abbrev}\\t${Package}\\t${Version}\\n')
      .split('\n')
      .filter((l) => l[1] === 'i')
      .map((l) => l.split('\t').slice(1).join('\t'));
    expect(result.packages.map((p) => `${p.name}\t${p.version}`).sort()).toEqual(native.sort());
    expect(result.packages.map((p) => p.name).sort()).toEqual(['base-files', 'libssl3', 'netbase']);
    expect(result.problems).toEqual([]);
  });

  it('takes files from status.d md5sums and locations from the stanza file', () => {
    const ssl = result.packages.find((p) => p.name === 'libssl3') as Package;
    const sums = readFileSync(join(TESTDATA, 'distroless/var/lib/dpkg/status.d/libssl3.md5sums'), 'utf8');
    const expected = sums.trim().split('\n').map((l) => `/${l.slice(34)}`);
    expect(ssl.files).toEqual(expected);
    expect(ssl.locations).toEqual([{ path: '/var/lib/dpkg/status.d/libssl3', layerDiffId: LAYER }]);
    expect(result.packages.find((p) => p.name === 'netbase')?.files).toEqual([
      '/usr/share/doc/netbase/changelog.gz',
      '/usr/share/doc/netbase/copyright',
    ]);
  });
});

describe('dpkg cataloger wants', () => {
  it('selects the database and file lists only', () => {
    const yes = ['/var/lib/dpkg/status', '/var/lib/dpkg/status.d/libc6', '/var/lib/dpkg/status.d/libc6.md5sums', '/var/lib/dpkg/info/libc6:amd64.list', '/var/lib/dpkg/info/bash.md5sums'];
    const no = ['/var/lib/dpkg/status-old', '/var/lib/dpkg/info/bash.postinst', '/var/lib/dpkg/status.d/', '/var/lib/dpkg/status.d/a/b', '/var/lib/dpkg/info/x/y.list', '/usr/var/lib/dpkg/status'];
    expect(yes.filter((p) => !dpkgCataloger.wants(p))).toEqual([]);
    expect(no.filter((p) => dpkgCataloger.wants(p))).toEqual([]);
    expect(existsSync(join(TESTDATA, 'debian12', 'status'))).toBe(true);
  });
});

describe('dpkgCataloger metadata', () => {
  it('has an id equal to its folder and a version', () => {
    expect(dpkgCataloger.id).toBe(basename(import.meta.dirname));
    expect(dpkgCataloger.version).toMatch(/^\d+$/);
  });
});
