import { describe, expect, it } from 'vitest';
import type { CapturedFile, CatalogResult } from '../types.js';
import { rubyCataloger } from './index.js';

const SPECS = '/usr/local/lib/ruby/gems/3.2.0/specifications';
const LAYER = `sha256:${'5'.repeat(64)}`;

function run(files: Record<string, Buffer>): CatalogResult {
  const captured: CapturedFile[] = Object.entries(files)
    .filter(([path]) => rubyCataloger.wants(path))
    .map(([path, content]) => ({ path, content, layerDiffId: LAYER, wantedBy: ['ruby'] }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  const byPath = new Map(captured.map((f) => [f.path, f]));
  return rubyCataloger.catalog({ files: () => captured, read: (p) => byPath.get(p), exists: (p) => p in files, os: undefined });
}

const good = Buffer.from('Gem::Specification.new do |s|\n  s.name = "good".freeze\n  s.version = "1.0"\nend\n');

function garbage(size: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 2654435761) >>> 24;
  return b;
}

describe('ruby cataloger on hostile input', () => {
  it('a gemspec without version is a problem, the rest is reported', () => {
    const r = run({
      [`${SPECS}/bad-1.0.gemspec`]: Buffer.from('Gem::Specification.new do |s|\n  s.name = "bad"\nend\n'),
      [`${SPECS}/good-1.0.gemspec`]: good,
    });
    expect(r.packages.map((p) => p.name)).toEqual(['good']);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ code: 'CATALOG_PARSE', path: `${SPECS}/bad-1.0.gemspec`, layer: LAYER, source: 'ruby' });
  });

  it('binary garbage in a gemspec is a problem', () => {
    const r = run({ [`${SPECS}/default/x-1.gemspec`]: garbage(100_000) });
    expect(r.packages).toEqual([]);
    expect(r.problems.map((p) => p.code)).toEqual(['CATALOG_PARSE']);
  });

  it('a gemspec whose name is a path or shell text is refused', () => {
    const r = run({ [`${SPECS}/x.gemspec`]: Buffer.from('Gem::Specification.new do |s|\n  s.name = "../../etc"\n  s.version = "1; rm -rf /"\nend\n') });
    expect(r.packages).toEqual([]);
    expect(r.problems).toHaveLength(1);
  });

  it('a pathological string literal finishes quickly', () => {
    const text = `Gem::Specification.new do |s|\n  s.name = "${'\\"'.repeat(1_000_000)}\n  s.version = "${'a'.repeat(3_000_000)}\nend\n`;
    const start = Date.now();
    const r = run({ [`${SPECS}/x.gemspec`]: Buffer.from(text) });
    expect(Date.now() - start).toBeLessThan(5000);
    expect(r.packages).toEqual([]);
    expect(r.problems).toHaveLength(1);
  });

  it.each([
    ['binary garbage', garbage(200_000)],
    ['plain text', Buffer.from('hello\nworld\n    not (a lockfile)\n')],
    ['a truncated spec list', Buffer.from('GEM\n  remote: https://rubygems.org/\n  specs:\n    rack (2.2.8\n    rake (13.0.6)\n')],
  ])('Gemfile.lock with %s: a problem, never a throw', (_, content) => {
    const r = run({ '/app/Gemfile.lock': content });
    expect(r.problems.length).toBeGreaterThanOrEqual(1);
    expect(r.problems.every((p) => p.code === 'CATALOG_PARSE' && p.path === '/app/Gemfile.lock')).toBe(true);
    expect(r.packages.map((p) => p.name).filter((n) => n !== 'rake')).toEqual([]);
  });

  it('an oversized Gemfile.lock is FILE_TOO_LARGE', () => {
    const r = run({ '/app/Gemfile.lock': Buffer.alloc(11 * 1024 * 1024, 'GEM\n') });
    expect(r.problems.map((p) => p.code)).toEqual(['FILE_TOO_LARGE']);
  });

  it('hundreds of thousands of spec lines finish and report every gem', () => {
    const lines = ['GEM', '  remote: https://rubygems.org/', '  specs:'];
    for (let i = 0; i < 100_000; i++) lines.push(`    g${i} (1.0.${i})`, `      g${i + 1} (>= 0)`);
    const start = Date.now();
    const r = run({ '/app/Gemfile.lock': Buffer.from(lines.join('\n')) });
    expect(Date.now() - start).toBeLessThan(10_000);
    expect(r.packages).toHaveLength(100_000);
    expect(r.relationships).toHaveLength(99_999);
  });
});
