import { describe, expect, it } from 'vitest';
import type { CapturedFile, CatalogView } from '../types.js';
import { parseDeb822 } from './deb822.js';
import { dpkgCataloger } from './index.js';

const STATUS = '/var/lib/dpkg/status';

function run(files: Record<string, Buffer | string>) {
  const captured: CapturedFile[] = Object.entries(files)
    .map(([path, c]) => ({ path, content: Buffer.isBuffer(c) ? c : Buffer.from(c), wantedBy: [dpkgCataloger.id] }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  const view: CatalogView = {
    files: () => captured,
    read: (p) => captured.find((f) => f.path === p),
    exists: (p) => captured.some((f) => f.path === p),
    os: undefined,
  };
  const started = Date.now();
  const result = dpkgCataloger.catalog(view);
  return { ...result, ms: Date.now() - started };
}

const good = (name: string) => `Package: ${name}\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: amd64\n`;

// Large inputs: the real bound is each test's own `ms` assertion, not vitest's default timeout.
describe('dpkg cataloger on hostile input', { timeout: 30_000 }, () => {
  it('survives binary garbage with a bounded number of problems', () => {
    let seed = 42;
    const bytes = Buffer.alloc(2 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      bytes[i] = seed >>> 24;
    }
    const { packages, problems, ms } = run({ [STATUS]: bytes });
    expect(packages).toEqual([]);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.length).toBeLessThanOrEqual(21);
    expect(problems.every((p) => p.code === 'CATALOG_PARSE' && p.path === STATUS && p.source === 'dpkg')).toBe(true);
    expect(ms).toBeLessThan(5000);
  });

  it('parses around a 50 MB endless continuation line in bounded time', () => {
    const endless = `${good('a')}Description: x\n ${'y'.repeat(50 * 1024 * 1024)}\n\n${good('b')}`;
    const { packages, problems, ms } = run({ [STATUS]: endless });
    expect(packages.map((p) => p.name)).toEqual(['a', 'b']);
    expect(problems).toEqual([]);
    expect(ms).toBeLessThan(15000);
  });

  it('drops a stanza whose kept field never ends, and keeps the rest', () => {
    const lines = ' more maintainer text\n'.repeat(200_000);
    const { packages, problems } = run({ [STATUS]: `${good('a')}Maintainer: m\n${lines}\n${good('b')}` });
    expect(packages.map((p) => p.name)).toEqual(['b']);
    expect(problems).toMatchObject([{ code: 'CATALOG_PARSE', message: expect.stringContaining('longer than') }]);
  });

  it('stays bounded on millions of tiny stanzas and duplicated fields', () => {
    const tiny = run({ [STATUS]: `${good('a')}\n${'X: y\n\n'.repeat(1_000_000)}` });
    expect(tiny.packages.map((p) => p.name)).toEqual(['a']);
    expect(tiny.problems.length).toBeLessThanOrEqual(21);
    expect(tiny.problems.at(-1)?.message).toContain('more problems not shown');
    expect(tiny.ms).toBeLessThan(15000);
    const dup = run({ [STATUS]: `${good('b')}${'Package: b\n'.repeat(1_000_000)}` });
    expect(dup.packages.map((p) => p.name)).toEqual(['b']);
    expect(dup.problems).toHaveLength(5);
    expect(dup.ms).toBeLessThan(15000);
  });

  it('copes with 20 MB of blank lines', () => {
    const { packages, problems, ms } = run({ [STATUS]: `${good('a')}${'\n'.repeat(20 * 1024 * 1024)}${good('b')}` });
    expect(packages.map((p) => p.name)).toEqual(['a', 'b']);
    expect(problems).toEqual([]);
    expect(ms).toBeLessThan(15000);
  });

  it('reports stanzas without Package, with bad names, NULs, and broken lines', () => {
    const text = [
      'Status: install ok installed\nVersion: 1\n',
      'Package: fo\0o\nStatus: install ok installed\nVersion: 1\n',
      'Package: v\nStatus: install ok installed\nVersion: 1\0\n',
      '\0\0\0\nPackage: z\n',
      ' leading continuation\nPackage: c\n',
      'Package: nover\nStatus: install ok installed\n',
      'Package: st\nStatus: installed\nVersion: 1\n',
      'Package: src\nStatus: install ok installed\nVersion: 1\nSource: a b c\n',
      'Package: nostatus\nVersion: 1\n',
      good('ok'),
    ].join('\n');
    const { packages, problems } = run({ [STATUS]: text });
    expect(packages.map((p) => p.name)).toEqual(['ok']);
    expect(problems).toHaveLength(9);
    expect(problems.every((p) => p.code === 'CATALOG_PARSE' && p.message.startsWith(STATUS))).toBe(true);
  });

  it('keeps the first of duplicated fields and says so', () => {
    const { packages, problems } = run({ [STATUS]: `${good('dup')}Version: 9.9\n` });
    expect(packages.map((p) => [p.name, p.version])).toEqual([['dup', '1.0-1']]);
    expect(problems).toMatchObject([{ code: 'CATALOG_PARSE', message: expect.stringContaining('duplicate field Version') }]);
  });

  it('skips a file larger than the limit it declared', () => {
    const big = Buffer.alloc((dpkgCataloger.maxFileSize ?? 0) + 1, 0x41);
    const { packages, problems } = run({ [STATUS]: big });
    expect(packages).toEqual([]);
    expect(problems).toMatchObject([{ code: 'FILE_TOO_LARGE', path: STATUS }]);
  });

  it('reports garbage lines in file lists but keeps the good ones', () => {
    const { packages, problems } = run({
      '/var/lib/dpkg/status.d/p': 'Package: p\nVersion: 1\nArchitecture: all\n',
      '/var/lib/dpkg/status.d/p.md5sums': `${'0'.repeat(32)}  usr/bin/p\nnot a sum line\n\0\0\n`,
    });
    expect(packages[0]?.files).toEqual(['/usr/bin/p']);
    expect(problems).toMatchObject([{ code: 'CATALOG_PARSE', path: '/var/lib/dpkg/status.d/p.md5sums' }]);
  });

  it('handles CRLF, whitespace-only separators and ` .` continuations', () => {
    const stanzas = [...parseDeb822('Package: a\r\nDescription: d\r\n line\r\n .\r\n \t \r\nPackage: b\n', new Set(['package', 'description']))];
    expect(stanzas.map((s) => Object.fromEntries(s.fields))).toEqual([{ package: 'a', description: 'd\nline\n' }, { package: 'b' }]);
  });
});
