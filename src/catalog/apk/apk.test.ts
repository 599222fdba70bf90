import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OsInfo } from '../../core/os.js';
import type { Package } from '../../core/package.js';
import type { CapturedFile, CatalogView } from '../types.js';
import { apkCataloger, splitLicense } from './index.js';

const TESTDATA = join(import.meta.dirname, 'testdata');
const DB = '/lib/apk/db/installed';
const LAYER = 'sha256:2222222222222222222222222222222222222222222222222222222222222222';
const ALPINE: OsInfo = { id: 'alpine', versionId: '3.20.3', source: '/etc/os-release' };

function viewOf(files: Record<string, Buffer | string>, os: OsInfo | undefined): CatalogView {
  const captured: CapturedFile[] = Object.entries(files)
    .filter(([path]) => apkCataloger.wants(path))
    .map(([path, c]) => ({ path, content: Buffer.isBuffer(c) ? c : Buffer.from(c), layerDiffId: LAYER, wantedBy: [apkCataloger.id] }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  return {
    files: () => captured,
    read: (p) => captured.find((f) => f.path === p),
    exists: (p) => p in files,
    os,
  };
}

function fixture(name: string): Buffer {
  return readFileSync(join(TESTDATA, name, 'lib/apk/db/installed'));
}

/** `P:`/`V:` pairs per stanza, read straight from the text: the expected package list. */
function namesWithVersions(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((s) => [/^P:(.*)$/m.exec(s)?.[1], /^V:(.*)$/m.exec(s)?.[1]])
    .filter(([p, v]) => p !== undefined && v !== undefined)
    .map(([p, v]) => `${p}@${v}`);
}

describe('apk cataloger on real installed databases', () => {
  for (const name of ['trivy-apk', 'syft-multiple-1', 'scalibr-different-arch']) {
    it(`lists every stanza of ${name} that has a version`, () => {
      const content = fixture(name);
      const { packages } = apkCataloger.catalog(viewOf({ [DB]: content }, ALPINE));
      const expected = namesWithVersions(content.toString('utf8'));
      expect(packages.map((p) => `${p.name}@${p.version}`)).toEqual(expected);
      expect(expected.length).toBe((content.toString('utf8').match(/^V:/gm) ?? []).length);
    });
  }

  it('reads trivy-apk: 16 stanzas, 15 packages, the versionless one reported', () => {
    const { packages, problems } = apkCataloger.catalog(viewOf({ [DB]: fixture('trivy-apk') }, ALPINE));
    expect(packages).toHaveLength(15);
    expect(problems).toMatchObject([
      { code: 'CATALOG_PARSE', path: DB, source: 'apk', layer: LAYER, message: expect.stringContaining('invalidPackageWithoutAVersion') },
    ]);
    const byName = new Map(packages.map((p) => [p.name, p]));

    const crypto = byName.get('libcrypto1.0') as Package;
    expect(crypto).toMatchObject({
      id: 'apk:libcrypto1.0@1.0.2h-r1:x86_64',
      type: 'apk',
      version: '1.0.2h-r1',
      arch: 'x86_64',
      source: { name: 'openssl', version: '1.0.2h-r1' },
      licenses: ['openssl'],
      foundBy: 'apk@1',
      locations: [{ path: DB, layerDiffId: LAYER }],
      purl: 'pkg:apk/alpine/libcrypto1.0@1.0.2h-r1?arch=x86_64&distro=alpine-3.20.3&upstream=openssl',
    });
    expect(crypto.files).toContain('/lib/libcrypto.so.1.0.0');
    expect(crypto.files).toContain('/usr/lib/engines/libaep.so');
    expect(crypto.files).toHaveLength(15);
    expect(crypto.metadata).toMatchObject({ origin: 'openssl', installedSize: 2527232, buildTime: 1466620012 });

    expect(byName.get('musl')?.files).toEqual(['/lib/libc.musl-x86_64.so.1', '/lib/ld-musl-x86_64.so.1']);
    expect(byName.get('musl')?.purl).toBe('pkg:apk/alpine/musl@1.1.14-r10?arch=x86_64&distro=alpine-3.20.3');
    expect(byName.get('scanelf')?.source).toEqual({ name: 'pax-utils', version: '1.1.6-r0' });
    expect(byName.get('musl-utils')?.licenses).toEqual(['MIT', 'BSD', 'GPL2+']);
    expect(byName.get('musl-utils')?.metadata?.dependencies).toEqual(['!uclibc-utils', 'scanelf', 'musl=1.1.14-r10', 'so:libc.musl-x86_64.so.1']);
    expect(byName.get('ada-libs')?.licenses).toEqual(['( Apache-2.0 OR MIT ) AND MPL-2.0']);
    expect(byName.get('libc-utils')?.files).toEqual([]);
    expect(byName.get('busybox')?.files).toEqual(['/bin/busybox', '/bin/sh', '/etc/securetty', '/etc/udhcpd.conf', '/etc/logrotate.d/acpid']);
  });

  it('reads syft-multiple-1 and scalibr-different-arch', () => {
    const syft = apkCataloger.catalog(viewOf({ [DB]: fixture('syft-multiple-1') }, ALPINE));
    expect(syft.problems).toEqual([]);
    const binsh = syft.packages.find((p) => p.name === 'busybox-binsh');
    expect(binsh).toMatchObject({ source: { name: 'busybox' }, files: ['/bin/sh'], licenses: ['GPL-2.0-only'] });
    expect(syft.packages.find((p) => p.name === 'readline')?.files).toEqual(['/etc/inputrc', '/usr/lib/libreadline.so.8']);

    const wolfi: OsInfo = { id: 'wolfi', versionId: '20230201', source: '/etc/os-release' };
    const scalibr = apkCataloger.catalog(viewOf({ '/usr/lib/apk/db/installed': fixture('scalibr-different-arch') }, wolfi));
    expect(scalibr.packages.map((p) => p.purl)).toEqual([
      'pkg:apk/wolfi/alpine-baselayout-data@3.4.3-r1?arch=noarch&distro=wolfi-20230201&upstream=alpine-baselayout',
    ]);
    expect(scalibr.packages[0]?.files).toHaveLength(15);
  });

  it('merges the same package seen at both database paths, and works without an OS', () => {
    const content = fixture('syft-multiple-1');
    const { packages } = apkCataloger.catalog(viewOf({ [DB]: content, '/usr/lib/apk/db/installed': content }, undefined));
    expect(packages).toHaveLength(4);
    expect(packages[0]?.locations.map((l) => l.path)).toEqual([DB, '/usr/lib/apk/db/installed']);
    expect(packages[0]?.purl).toBe('pkg:apk/alpine/bash@5.2.21-r0?arch=x86_64');
  });
});

describe('apk cataloger on hostile input', { timeout: 30_000 }, () => {
  it('survives binary garbage, NULs and broken lines with bounded problems', () => {
    let seed = 7;
    const garbage = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < garbage.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      garbage[i] = seed >>> 24;
    }
    const { packages, problems } = apkCataloger.catalog(viewOf({ [DB]: garbage }, ALPINE));
    expect(packages).toEqual([]);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.length).toBeLessThanOrEqual(21);

    const text = 'P:a\0b\nV:1\n\nP:ok\nV:1\0\n\nnot a line\nP:x\nV:1\n\nV:1\n\nP:dup\nV:1\nV:2\nF:usr\nR:x/../y\nR:good\n';
    const result = apkCataloger.catalog(viewOf({ [DB]: text }, ALPINE));
    expect(result.packages.map((p) => [p.name, p.version, p.files])).toEqual([['dup', '1', ['/usr/good']]]);
    expect(result.problems).toHaveLength(6);
  });

  it('handles a 50 MB endless line in bounded time', () => {
    const started = Date.now();
    const text = `P:a\nV:1\nT:${'x'.repeat(50 * 1024 * 1024)}\n\nP:b\nV:2\n`;
    const { packages, problems } = apkCataloger.catalog(viewOf({ [DB]: text }, ALPINE));
    expect(packages.map((p) => p.name)).toEqual(['b']);
    expect(problems).toMatchObject([{ code: 'CATALOG_PARSE', message: expect.stringContaining('longer than') }]);
    expect(Date.now() - started).toBeLessThan(15000);
  });

  it('stays bounded on millions of tiny stanzas and duplicated fields', () => {
    const started = Date.now();
    const tiny = apkCataloger.catalog(viewOf({ [DB]: `P:a\nV:1\n\n${'x:y\n\n'.repeat(1_000_000)}` }, ALPINE));
    expect(tiny.packages.map((p) => p.name)).toEqual(['a']);
    expect(tiny.problems.length).toBe(21);
    expect(tiny.problems.at(-1)?.message).toContain('more problems not shown');
    const dup = apkCataloger.catalog(viewOf({ [DB]: `P:b\nV:1\n${'V:2\n'.repeat(1_000_000)}` }, ALPINE));
    expect(dup.packages.map((p) => [p.name, p.version])).toEqual([['b', '1']]);
    expect(dup.problems).toHaveLength(5);
    expect(Date.now() - started).toBeLessThan(15000);
  });

  it('wants only the two database paths', () => {
    expect(['/lib/apk/db/installed', '/usr/lib/apk/db/installed'].every((p) => apkCataloger.wants(p))).toBe(true);
    expect(['/lib/apk/db/installed.old', '/lib/apk/db/scripts.tar', 'lib/apk/db/installed'].some((p) => apkCataloger.wants(p))).toBe(false);
  });

  it('keeps SPDX expressions whole and splits old lists', () => {
    expect(splitLicense('MIT OR Apache-2.0')).toEqual(['MIT OR Apache-2.0']);
    expect(splitLicense('GPL-2.0-only')).toEqual(['GPL-2.0-only']);
    expect(splitLicense('  ')).toEqual([]);
  });
});

describe('apkCataloger metadata', () => {
  it('has an id equal to its folder and a version', () => {
    expect(apkCataloger.id).toBe(basename(import.meta.dirname));
    expect(apkCataloger.version).toMatch(/^\d+$/);
  });
});
