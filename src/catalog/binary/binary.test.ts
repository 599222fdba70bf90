import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FileSummary } from '../types.js';
import { binaryCataloger } from './index.js';
import { viewOf } from './testdata/view.js';

const SNIPPETS = join(import.meta.dirname, 'testdata', 'snippets');
const ELF = Buffer.from('7f454c4602010100000000000000000003003e00', 'hex');

function summarize(path: string, content: Buffer): FileSummary {
  return binaryCataloger.summarize?.({ path, content }) ?? null;
}

/** An ELF header followed by `text` (latin1, so `\0` is a NUL byte), padded with noise. */
function elf(text: string): Buffer {
  return Buffer.concat([ELF, Buffer.alloc(100, 0x90), Buffer.from(text, 'latin1'), Buffer.alloc(100, 0x90)]);
}

describe('binary cataloger: which files it wants', () => {
  const exe = { mode: 0o755, size: 10_000_000 };
  const data = { mode: 0o644, size: 10_000_000 };
  it.each([
    ['/usr/local/bin/node', exe, true],
    ['/usr/local/bin/node', data, false],
    ['/usr/bin/python3.11', exe, true],
    ['/usr/bin/python3', exe, false],
    ['/usr/bin/python3.11-config', exe, false],
    ['/opt/py/lib/libpython3.6m.so.1.0', data, true],
    ['/usr/lib/x86_64-linux-gnu/libssl.so.3', data, true],
    ['/usr/lib/x86_64-linux-gnu/libcrypto.so.1.1', data, true],
    ['/usr/lib/x86_64-linux-gnu/libssl3.so', data, false],
    ['/bin/busybox', exe, true],
    ['/opt/jdk/bin/java', exe, true],
    ['/opt/jdk/lib/server/libjvm.so', data, true],
    ['/opt/jdk/release', { mode: 0o644, size: 1200 }, true],
    ['/opt/jdk/release', { mode: 0o644, size: 10_000_000 }, false],
    ['/usr/lib/x86_64-linux-gnu/libnode.so.108', data, true],
    ['/usr/bin/app', exe, false],
  ])('%s %o → %s', (path, info, want) => {
    expect(binaryCataloger.wants(path, info)).toBe(want);
  });

  it('wants no program when the entry mode is unknown', () => {
    expect(binaryCataloger.wants('/usr/local/bin/node')).toBe(false);
  });
});

describe('binary cataloger: snippets of real Debian / NodeSource binaries', () => {
  const cases = readdirSync(SNIPPETS).flatMap((dir) => readdirSync(join(SNIPPETS, dir)).map((file) => [dir, file] as const));

  it.each(cases)('%s/%s', (dir, file) => {
    const [, name, version] = /^(.+)-(\d.*)$/.exec(dir) ?? [];
    const summary = summarize(`/opt/x/${file}`, readFileSync(join(SNIPPETS, dir, file)));
    expect(summary?.name).toBe(name);
    // The JDK's binaries and release file carry the full runtime version, 17.0.15+6-Debian-1deb12u1.
    expect(String(summary?.version)).toMatch(new RegExp(`^${(version as string).replaceAll('.', '\\.')}(\\+|$)`));
    expect(typeof summary?.match).toBe('string');
  });

  it('merges one runtime found in several files into one package with every location', () => {
    const java = ['java', 'libjvm.so', 'release'].map((f) => ({
      path: `/opt/jdk/${f === 'java' ? 'bin/' : f === 'libjvm.so' ? 'lib/server/' : ''}${f}`,
      content: readFileSync(join(SNIPPETS, 'java-17.0.15', f)),
    }));
    const { packages, problems } = binaryCataloger.catalog(viewOf(java));
    expect(problems).toEqual([]);
    expect(packages).toHaveLength(1);
    const p = packages[0];
    expect(p).toMatchObject({ type: 'binary', name: 'java', version: '17.0.15+6-Debian-1deb12u1', purl: 'pkg:generic/java@17.0.15+6-Debian-1deb12u1', foundBy: 'binary@1' });
    expect(p?.locations.map((l) => l.path)).toEqual(java.map((f) => f.path));
    expect(p?.metadata).toMatchObject({ confidence: 'low', implementor: 'Debian' });
    expect((p?.metadata?.evidence as { classifier: string }[]).map((e) => e.classifier)).toEqual(['java-launcher', 'libjvm', 'java-release']);
  });

  it('gives Syft-style generic purls and readable evidence', () => {
    const { packages } = binaryCataloger.catalog(viewOf([{ path: '/opt/ssl/bin/openssl', content: readFileSync(join(SNIPPETS, 'openssl-3.0.19', 'openssl')) }]));
    expect(packages.map((p) => p.purl)).toEqual(['pkg:generic/openssl@3.0.19']);
    expect(packages[0]?.metadata?.evidence).toEqual([{ classifier: 'openssl', file: '/opt/ssl/bin/openssl', match: '\\x00OpenSSL 3.0.19 27 Jan 2026' }]);
  });
});

describe('binary cataloger: version string variants, built byte by byte', () => {
  it.each([
    ['/usr/bin/openssl', '\0OpenSSL 1.1.1w  11 Sep 2023\0', '1.1.1w'],
    ['/usr/lib64/libssl.so.10', '\0OpenSSL 1.0.2k-fips  26 Jan 2017\0', '1.0.2k'],
    ['/usr/lib/libcrypto.so.3', '\0OpenSSL 3.2.0-alpha2 7 Jun 2023\0', '3.2.0-alpha2'],
    ['/usr/lib/libcrypto.so.3', '\0OpenSSL 1.1.1 (compatible; BoringSSL)\0', undefined],
    ['/usr/lib/libcrypto.so.50', '\0LibreSSL 3.8.2\0', undefined],
    ['/usr/local/bin/python3.13', '\x003.13.0rc1\0', '3.13.0rc1'],
    ['/opt/py/lib/libpython3.6m.so.1.0', 'x\x003.6.15\0', '3.6.15'],
    ['/usr/local/bin/python3.11', '\x003.12.1\0\x003.11\0', undefined],
    ['/usr/local/bin/python3.11', '\x003.11.4\0', '3.11.4'],
    ['/opt/jdk8/bin/java', '\0openjdk\0java\x001.8\x001.8.0_352-b08\0', '1.8.0_352-b08'],
    ['/opt/jdk8/jre/lib/amd64/server/libjvm.so', 'OpenJDK 64-Bit Server VM (25.362-b09) for linux-amd64 JRE (1.8.0_362-b09), built on', '1.8.0_362-b09'],
    ['/bin/busybox', 'BusyBox v1.36.1 (2023-07-27 10:12:01 UTC)', '1.36.1'],
    ['/usr/local/bin/node', 'https://nodejs.org/download/release/node.js/v18.19.0\0', '18.19.0'],
    ['/usr/local/bin/node', 'node.js/v18.19\0', undefined],
  ])('%s with %j → %s', (path, text, version) => {
    const s = summarize(path, elf(text));
    expect(s?.version).toBe(version);
  });

  it('reads JDK release files with and without JAVA_RUNTIME_VERSION', () => {
    const jdk8 = Buffer.from('JAVA_VERSION="1.8.0_362"\nOS_NAME="Linux"\nIMPLEMENTOR="Temurin"\n');
    expect(summarize('/opt/jdk8/release', jdk8)).toMatchObject({ name: 'java', version: '1.8.0_362', extra: { implementor: 'Temurin' } });
    const odd = Buffer.from('JAVA_VERSION="21.0.1"\nJAVA_RUNTIME_VERSION="something-else"\n');
    expect(summarize('/opt/jdk/release', odd)).toMatchObject({ version: '21.0.1' });
    expect(summarize('/etc/release', Buffer.from('NAME="not a jdk"\n'))).toBeNull();
    expect(summarize('/etc/release', Buffer.from('JAVA_VERSION="dev"\n'))).toBeNull();
  });

  it('ignores files that are not programs: a shell wrapper named node, a text file named busybox', () => {
    expect(summarize('/usr/local/bin/node', Buffer.from('#!/bin/sh\n# node.js/v20.1.0\nexec /opt/node/bin/node "$@"\n'))).toBeNull();
    expect(summarize('/bin/busybox', Buffer.from('BusyBox v1.36.1 usage text'))).toBeNull();
  });
});
