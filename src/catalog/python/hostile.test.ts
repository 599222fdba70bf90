import { describe, expect, it } from 'vitest';
import type { CapturedFile, CatalogResult } from '../types.js';
import { pythonCataloger } from './index.js';

const SITE = '/usr/lib/python3.11/site-packages';
const installed = (r: CatalogResult) => r.packages.map((p) => `${p.name}@${p.version}`);
const META = (name: string, version: string) => Buffer.from(`Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n\nbody\n`);

function run(files: Record<string, Buffer>): CatalogResult {
  const captured: CapturedFile[] = Object.entries(files)
    .filter(([path]) => pythonCataloger.wants(path))
    .map(([path, content]) => ({ path, content, layerDiffId: `sha256:${'3'.repeat(64)}`, wantedBy: ['python'] }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  const byPath = new Map(captured.map((f) => [f.path, f]));
  return pythonCataloger.catalog({ files: () => captured, read: (p) => byPath.get(p), exists: (p) => p in files, os: undefined });
}

describe('python cataloger on hostile input', () => {
  it('binary garbage METADATA is a problem, and the scan goes on', () => {
    const garbage = Buffer.alloc(4096);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919) % 256;
    const r = run({
      [`${SITE}/bad-1.0.dist-info/METADATA`]: garbage,
      [`${SITE}/good-1.0.dist-info/METADATA`]: META('good', '1.0'),
    });
    expect(r.packages.map((p) => p.name)).toEqual(['good']);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ code: 'CATALOG_PARSE', path: `${SITE}/bad-1.0.dist-info/METADATA`, source: 'python' });
    expect(r.problems[0]?.layer).toMatch(/^sha256:/);
  });

  it('METADATA without Version, or with a name that is not one, is a problem', () => {
    const r = run({
      [`${SITE}/a-1.0.dist-info/METADATA`]: Buffer.from('Metadata-Version: 2.1\nName: a\n'),
      [`${SITE}/b-1.0.dist-info/METADATA`]: META('../../etc', '1.0'),
    });
    expect(r.packages).toEqual([]);
    expect(r.problems.map((p) => p.code)).toEqual(['CATALOG_PARSE', 'CATALOG_PARSE']);
  });

  it('a 50 MB RECORD is FILE_TOO_LARGE; the package is still reported', () => {
    const big = Buffer.alloc(50 * 1024 * 1024, 'a/b.py,sha256=x,1\n');
    const r = run({ [`${SITE}/x-1.0.dist-info/METADATA`]: META('x', '1.0'), [`${SITE}/x-1.0.dist-info/RECORD`]: big });
    expect(r.packages.map((p) => p.name)).toEqual(['x']);
    expect(r.packages[0]?.files).toBeUndefined();
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ code: 'FILE_TOO_LARGE', path: `${SITE}/x-1.0.dist-info/RECORD` });
  });

  it('a RECORD with 400,000 distinct rows is capped at 200,000 files', () => {
    const rows = Array.from({ length: 400_000 }, (_, i) => `p/${i}.py,,`).join('\n');
    const r = run({ [`${SITE}/x-1.0.dist-info/METADATA`]: META('x', '1.0'), [`${SITE}/x-1.0.dist-info/RECORD`]: Buffer.from(rows) });
    expect(r.packages[0]?.files?.length).toBe(200_000);
    expect(r.problems.some((p) => p.message.includes('more than 200000 files'))).toBe(true);
  });

  it('RECORD paths escaping the root with ../../.. are dropped, never clamped', () => {
    const record = [
      'x/__init__.py,sha256=abc,10',
      '../../../bin/x-tool,,',
      '../../../../../../../../etc/passwd,,',
      '"x/with,comma.py",,',
      '/abs/elsewhere.py,,',
    ].join('\r\n');
    const r = run({ [`${SITE}/x-1.0.dist-info/METADATA`]: META('x', '1.0'), [`${SITE}/x-1.0.dist-info/RECORD`]: Buffer.from(record) });
    expect(r.packages[0]?.files).toEqual(['/abs/elsewhere.py', '/usr/bin/x-tool', `${SITE}/x/__init__.py`, `${SITE}/x/with,comma.py`].sort());
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]?.message).toContain('1 paths climb above the image root');
  });

  it.each([
    ['/app/poetry.lock', '[[package]\nname = "x"'],
    ['/app/uv.lock', 'version = 1\n[[package]]\nname = "x"\nname = "y"\n'],
    ['/app/poetry.lock', 'package = "not a table array"\n'],
    ['/app/Pipfile.lock', '{"default": {"x": '],
    ['/app/Pipfile.lock', '{"default": []}'],
    ['/app/uv.lock', '\u0000\u0001\u0002garbage'],
  ])('malformed %s is one CATALOG_PARSE problem', (path, text) => {
    const r = run({ [path]: Buffer.from(text) });
    expect(r.packages).toEqual([]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ code: 'CATALOG_PARSE', path, source: 'python' });
  });

  it('a lockfile row with a hostile name is skipped with a problem', () => {
    const r = run({ '/app/poetry.lock': Buffer.from('[[package]]\nname = "a b/c"\nversion = "1"\n[[package]]\nname = "ok"\nversion = "1"\n') });
    expect(r.packages.map((p) => p.name)).toEqual(['ok']);
    expect(r.problems).toHaveLength(1);
  });

  it('deeply nested TOML does not crash', () => {
    const deep = `x = ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`;
    const r = run({ '/app/uv.lock': Buffer.from(deep) });
    expect(r.packages).toEqual([]);
    expect(r.problems.length).toBeLessThanOrEqual(1);
  });

  it('a huge single-line requirements file finishes quickly', () => {
    const line = `${'a'.repeat(5_000_000)}==1.0 ${'\\\n'.repeat(10)}`;
    const start = Date.now();
    const r = run({ '/app/requirements.txt': Buffer.from(line) });
    expect(Date.now() - start).toBeLessThan(5000);
    expect(r.packages.length).toBeLessThanOrEqual(1);
  });

  it('long whitespace runs and deep JSON nesting finish quickly', () => {
    const start = Date.now();
    const r = run({
      '/app/requirements.txt': Buffer.from(`a${' '.repeat(2_000_000)}b==1.0\nc ${'\t '.repeat(500_000)}==2.0\n`),
      '/app/Pipfile.lock': Buffer.from(`{"default": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`),
    });
    expect(Date.now() - start).toBeLessThan(5000);
    expect(r.problems.map((p) => p.path)).toEqual(['/app/Pipfile.lock']);
    expect(installed(r)).toEqual(['c@2.0']);
  });

  it('an oversized METADATA is FILE_TOO_LARGE', () => {
    const r = run({ [`${SITE}/x-1.0.dist-info/METADATA`]: Buffer.alloc(17 * 1024 * 1024, 'Name: x\n') });
    expect(r.problems.map((p) => p.code)).toEqual(['FILE_TOO_LARGE']);
  });
});
