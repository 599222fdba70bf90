import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Package } from '../../core/package.js';
import type { CapturedFile, CatalogView } from '../types.js';
import { parseGemspec } from './gemspec.js';
import { rubyCataloger } from './index.js';

const TESTDATA = join(import.meta.dirname, 'testdata');
const LAYER = 'sha256:4444444444444444444444444444444444444444444444444444444444444444';
const tmp = mkdtempSync(join(tmpdir(), 'portcullis-ruby-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function viewOf(files: Record<string, Buffer>): CatalogView {
  const captured: CapturedFile[] = Object.entries(files)
    .filter(([path]) => rubyCataloger.wants(path))
    .map(([path, content]) => ({ path, content, layerDiffId: LAYER, wantedBy: ['ruby'] }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  const byPath = new Map(captured.map((f) => [f.path, f]));
  return { files: () => captured, read: (p) => byPath.get(p), exists: (p) => p in files, os: undefined };
}

const nameVersions = (pkgs: readonly Package[]) => [...new Set(pkgs.map((p) => `${p.name}@${p.version}`))].sort();

describe('ruby cataloger on Debian gem dirs (ruby, ruby-rack), against `gem list --local`', () => {
  const candidates = [
    '/usr/share/rubygems-integration/all',
    '/usr/lib/ruby/gems/3.1.0',
    ...(existsSync('/var/lib/gems') ? readdirSync('/var/lib/gems').map((v) => `/var/lib/gems/${v}`) : []),
  ].filter((d) => existsSync(join(d, 'specifications')));
  const env = { ...process.env, GEM_PATH: candidates.join(':'), GEM_HOME: join(tmp, 'home') };
  // RubyGems adds its own dirs (Debian's operating_system.rb): read every dir it searches.
  const dirs = execFileSync('ruby', ['-e', 'puts Gem.path'], { encoding: 'utf8', env }).split('\n').filter((d) => d && existsSync(join(d, 'specifications')));
  const files: Record<string, Buffer> = {};
  for (const dir of dirs) {
    for (const sub of ['specifications', 'specifications/default']) {
      if (!existsSync(join(dir, sub))) continue;
      for (const name of readdirSync(join(dir, sub))) {
        if (name.endsWith('.gemspec')) files[join(dir, sub, name)] = readFileSync(join(dir, sub, name));
      }
    }
  }
  const result = rubyCataloger.catalog(viewOf(files));

  it('gives the same (name, version) set', () => {
    const listed = execFileSync('gem', ['list', '--local'], { encoding: 'utf8', env });
    const expected: string[] = [];
    for (const m of listed.matchAll(/^(\S+) \((.*)\)$/gm)) {
      for (const v of (m[2] ?? '').split(', ')) expected.push(`${m[1]}@${v.replace(/^default: /, '').split(' ')[0]}`);
    }
    expect(expected).toEqual(expect.arrayContaining([expect.stringMatching(/^rack@2\./), expect.stringMatching(/^json@/)]));
    expect(nameVersions(result.packages)).toEqual([...new Set(expected)].sort());
    expect(result.problems).toEqual([]);
  });

  it('reports licences, purls, default gems, and one package for a gem in two dirs', () => {
    const rack = result.packages.find((p) => p.name === 'rack');
    expect(rack?.licenses).toEqual(['MIT']);
    expect(rack?.purl).toBe(`pkg:gem/rack@${rack?.version}`);
    expect(result.packages.find((p) => p.name === 'json')?.metadata?.defaultGem).toBe(true);
    const rakes = result.packages.filter((p) => p.name === 'rake');
    expect(rakes).toHaveLength(1);
  });
});

/** Specs of a Gemfile.lock as Bundler's own LockfileParser reads them. */
function bundlerSpecs(lockfile: string): { name: string; version: string; platform: string; deps: string[] }[] {
  const code =
    'require "bundler"; require "json"; l = Bundler::LockfileParser.new(File.read(ARGV[0])); ' +
    'puts JSON.dump(l.specs.map { |s| { name: s.name, version: s.version.to_s, platform: s.platform.to_s, deps: s.dependencies.map(&:name) } })';
  return JSON.parse(execFileSync('ruby', ['-e', code, lockfile], { encoding: 'utf8', env: { ...process.env, BUNDLE_GEMFILE: '/dev/null' } }));
}

describe.each([['bundler/Gemfile.lock'], ['written/Gemfile.lock']])('Gemfile.lock %s against Bundler::LockfileParser', (fixture) => {
  const path = join(TESTDATA, fixture);
  const at = '/srv/app/Gemfile.lock';
  const result = rubyCataloger.catalog(viewOf({ [at]: readFileSync(path) }));
  const specs = bundlerSpecs(path);

  it('the same gems, the platforms in metadata', () => {
    expect(result.problems).toEqual([]);
    expect(nameVersions(result.packages)).toEqual([...new Set(specs.map((s) => `${s.name}@${s.version}`))].sort());
    for (const p of result.packages) {
      const platforms = specs.filter((s) => s.name === p.name && s.version === p.version && s.platform !== 'ruby').map((s) => s.platform);
      expect((p.metadata?.platforms as string[] | undefined) ?? [], p.name).toEqual(platforms);
      expect(p.id).toBe(`gem:${p.name}@${p.version}#${at}`);
      expect(p.metadata?.source).toBe('lockfile');
    }
  });

  it('the dependency graph', () => {
    const idOf = new Map(result.packages.map((p) => [p.name, p.id]));
    const expected = new Set<string>();
    for (const s of specs) for (const d of s.deps) if (idOf.has(d) && d !== s.name) expected.add(`${idOf.get(s.name)} -> ${idOf.get(d)}`);
    expect(new Set(result.relationships.map((r) => `${r.from} -> ${r.to}`))).toEqual(expected);
    expect(expected.size).toBeGreaterThan(2);
    expect(result.relationships.every((r) => r.type === 'depends-on')).toBe(true);
  });
});

describe('gemspec parsing', () => {
  const spec = (body: string, v = 's') => `# -*- encoding: utf-8 -*-\nGem::Specification.new do |${v}|\n${body}\nend\n`;

  it.each([
    ['the to_ruby form', spec('  s.name = "rake".freeze\n  s.version = "13.0.6"\n  s.licenses = ["MIT".freeze, "Ruby".freeze]'), 'rake', '13.0.6', ['MIT', 'Ruby']],
    ['another block variable, single quotes, singular license', spec("  spec.name = 'foo'\n  spec.version = '1.0.0.pre.1'\n  spec.license = 'Apache-2.0'", 'spec'), 'foo', '1.0.0.pre.1', ['Apache-2.0']],
    ['%q strings', spec('  s.name = %q{bar}\n  s.version = "2.0"'), 'bar', '2.0', []],
    ['interpolation of the own version', spec('  s.version = "3.1.4"\n  s.name = "x-#{s.version}"'), 'x-3.1.4', '3.1.4', []],
  ])('%s', (_, text, name, version, licenses) => {
    expect(parseGemspec(text)).toMatchObject({ kind: 'spec', name, version, licenses });
  });

  it.each([
    ['no version', spec('  s.name = "x".freeze')],
    ['no block', 's.name = "x"\ns.version = "1"\n'],
    ['the wrong variable', spec('  t.name = "x"\n  t.version = "1"', 's')],
    ['unresolvable interpolation', spec('  s.name = "x"\n  s.version = "#{Foo::VERSION}"')],
  ])('%s is invalid', (_, text) => {
    expect(parseGemspec(text).kind).toBe('invalid');
  });

  it('records the platform', () => {
    expect(parseGemspec(spec('  s.name = "nokogiri"\n  s.version = "1.15.4"\n  s.platform = "x86_64-linux".freeze'))).toMatchObject({ platform: 'x86_64-linux' });
  });
});

describe('ruby wants', () => {
  it.each([
    ['/usr/lib/ruby/gems/3.1.0/specifications/rake-13.0.6.gemspec', true],
    ['/usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec', true],
    ['/app/Gemfile.lock', true],
    ['/app/gems.locked', true],
    ['/app/myapp.gemspec', false],
    ['/usr/lib/ruby/gems/3.1.0/gems/rake-13.0.6/rake.gemspec', false],
  ])('%s → %s', (path, expected) => {
    expect(rubyCataloger.wants(path)).toBe(expected);
  });
});

describe('Gemfile.lock sections', () => {
  const result = rubyCataloger.catalog(viewOf({ '/srv/Gemfile.lock': readFileSync(join(TESTDATA, 'written/Gemfile.lock')) }));
  const meta = (name: string) => result.packages.find((p) => p.name === name)?.metadata;

  it('names the section and remote of each gem', () => {
    expect(meta('actionpack')).toMatchObject({ section: 'GIT', remote: 'https://example.invalid/rails/rails.git' });
    expect(meta('myapp')).toMatchObject({ section: 'PATH', remote: '.' });
    expect(meta('rack')).toMatchObject({ section: 'GEM', remote: 'https://rubygems.org/', lockfile: 'Gemfile.lock' });
    expect(meta('sorbet-static')).toMatchObject({ platform: 'universal-darwin' });
  });
});

describe('ruby cataloger metadata', () => {
  it('has the id of its folder, a version, a size limit and a README', () => {
    expect(rubyCataloger.id).toBe('ruby');
    expect(rubyCataloger.version).toBe('1');
    expect(rubyCataloger.maxFileSize).toBeGreaterThan(0);
    expect(existsSync(join(import.meta.dirname, 'README.md'))).toBe(true);
  });
});
