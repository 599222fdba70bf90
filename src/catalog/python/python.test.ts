import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Package } from '../../core/package.js';
import type { CapturedFile, CatalogView } from '../types.js';
import { normalizeName } from './common.js';
import { pythonCataloger } from './index.js';

const TESTDATA = join(import.meta.dirname, 'testdata');
const LAYER = 'sha256:2222222222222222222222222222222222222222222222222222222222222222';
const PY = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const tmp = mkdtempSync(join(tmpdir(), 'portcullis-python-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A view over image path → content, restricted to what the cataloger wants. */
function viewOf(files: Record<string, Buffer>): CatalogView {
  const captured: CapturedFile[] = Object.entries(files)
    .filter(([path]) => pythonCataloger.wants(path))
    .map(([path, content]) => ({ path, content, layerDiffId: LAYER, wantedBy: ['python'] }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  const byPath = new Map(captured.map((f) => [f.path, f]));
  return { files: () => captured, read: (p) => byPath.get(p), exists: (p) => p in files, os: undefined };
}

/** The wanted files of a real directory tree, mounted at `mount` in the image. */
function wantedTree(dir: string, mount: string): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else if (e.isFile() && pythonCataloger.wants(`${mount}${r}`)) out[`${mount}${r}`] = readFileSync(join(dir, r));
    }
  };
  walk('');
  return out;
}

/** What importlib.metadata (the reference implementation) lists in a site dir. */
function importlibSet(site: string): string[] {
  const code = `import importlib.metadata as m, json; print(json.dumps(sorted({(d.metadata['Name'], d.version) for d in m.distributions(path=[${JSON.stringify(site)}])})))`;
  const pairs = JSON.parse(execFileSync(PY, ['-c', code], { encoding: 'utf8' })) as [string, string][];
  return [...new Set(pairs.map(([n, v]) => `${normalizeName(n)}@${v}`))].sort();
}

const installedSet = (pkgs: readonly Package[]) => [...new Set(pkgs.map((p) => `${p.name}@${p.version}`))].sort();

describe('python cataloger on Debian dist-packages (python3-requests, python3-jinja2, python3-cryptography)', () => {
  const site = '/usr/lib/python3/dist-packages';
  const result = pythonCataloger.catalog(viewOf(wantedTree(site, site)));

  it('finds exactly what importlib.metadata finds', () => {
    const expected = importlibSet(site);
    expect(expected).toEqual(expect.arrayContaining([expect.stringMatching(/^requests@/), expect.stringMatching(/^jinja2@/)]));
    expect(installedSet(result.packages)).toEqual(expected);
    expect(result.problems).toEqual([]);
  });

  it('keeps the original name, reports licences and purls', () => {
    const jinja = result.packages.find((p) => p.name === 'jinja2');
    expect(jinja?.metadata?.originalName).toBe('Jinja2');
    expect(jinja?.purl).toBe(`pkg:pypi/jinja2@${jinja?.version}`);
    expect(jinja?.licenses.length).toBeGreaterThan(0);
    expect(jinja?.locations[0]?.layerDiffId).toBe(LAYER);
  });
});

describe('python cataloger on a real venv made by python3 -m venv', () => {
  const venv = join(tmp, 'venv');
  execFileSync(PY, ['-m', 'venv', venv]);
  const site = readdirSync(join(venv, 'lib')).map((d) => join(venv, 'lib', d, 'site-packages'))[0] ?? '';
  const mount = '/opt/venv';
  const result = pythonCataloger.catalog(viewOf(wantedTree(venv, mount)));

  it('finds what importlib.metadata finds', () => {
    expect(installedSet(result.packages)).toEqual(importlibSet(site));
  });

  it('maps RECORD entries, ../../../bin ones included, to files that exist', () => {
    const pip = result.packages.find((p) => p.name === 'pip');
    const files = pip?.files ?? [];
    expect(files.length).toBeGreaterThan(100);
    expect(files.some((f) => f.startsWith(`${mount}/bin/pip`))).toBe(true);
    for (const f of files) {
      expect(f.startsWith(`${mount}/`)).toBe(true);
      const onDisk = join(venv, f.slice(mount.length));
      // RECORD lists .pyc files that are written lazily; everything else is on disk.
      if (!f.endsWith('.pyc')) expect(existsSync(onDisk) && statSync(onDisk).isFile(), f).toBe(true);
    }
  });
});

/** (name, version) rows of a TOML lockfile read by Python's own tomllib. */
function tomlRows(file: string): string[] {
  const code = `import tomllib,json,sys; d=tomllib.load(open(sys.argv[1],'rb')); print(json.dumps([[p['name'],p.get('version'),p.get('source',{})] for p in d['package']]))`;
  const rows = JSON.parse(execFileSync(PY, ['-c', code, file], { encoding: 'utf8' })) as [string, string | undefined, Record<string, unknown>][];
  return rows
    .filter(([, v, src]) => v !== undefined && !('virtual' in src) && !('editable' in src))
    .map(([n, v]) => `${normalizeName(n)}@${v}`)
    .sort();
}

function lockView(name: string, at: string): CatalogView {
  return viewOf({ [at]: readFileSync(join(TESTDATA, 'lock', name)) });
}

describe('python lockfiles generated by poetry, uv and pipenv', () => {
  it.each([
    ['poetry.lock', '/app/poetry.lock', 'poetry'],
    ['uv.lock', '/app/uv.lock', 'uv'],
  ])('%s: every package tomllib reads, the dev group marked, the graph kept', (name, at, lockfile) => {
    const result = pythonCataloger.catalog(lockView(name, at));
    expect(result.problems).toEqual([]);
    expect(installedSet(result.packages)).toEqual(tomlRows(join(TESTDATA, 'lock', name)));
    const byName = new Map(result.packages.map((p) => [p.name, p]));
    expect(byName.get('iniconfig')?.metadata).toMatchObject({ dev: true, lockfile, source: 'lockfile' });
    expect(byName.get('requests')?.metadata).toMatchObject({ dev: false });
    expect(byName.get('requests')?.id).toBe(`pypi:requests@2.31.0#${at}`);
    const requests = byName.get('requests')?.id;
    const deps = result.relationships.filter((r) => r.from === requests).map((r) => r.to);
    expect(deps).toEqual(expect.arrayContaining([byName.get('idna')?.id, byName.get('urllib3')?.id, byName.get('certifi')?.id]));
  });

  it('Pipfile.lock: default and develop with == versions', () => {
    const lockPath = join(TESTDATA, 'lock', 'Pipfile.lock');
    const json = JSON.parse(readFileSync(lockPath, 'utf8')) as Record<string, Record<string, { version?: string }>>;
    const expected = [...Object.entries(json.default ?? {}), ...Object.entries(json.develop ?? {})]
      .filter(([, e]) => e.version)
      .map(([n, e]) => `${normalizeName(n)}@${e.version?.replace(/^==/, '')}`);
    const result = pythonCataloger.catalog(lockView('Pipfile.lock', '/app/Pipfile.lock'));
    expect(result.problems).toEqual([]);
    expect(installedSet(result.packages)).toEqual([...new Set(expected)].sort());
    expect(result.packages.find((p) => p.name === 'iniconfig')?.metadata?.dev).toBe(true);
    expect(result.packages.find((p) => p.name === 'requests')?.metadata?.dev).toBe(false);
  });

  it('requirements.txt from `uv export`: hashes and continuations, every pin found', () => {
    const text = readFileSync(join(TESTDATA, 'lock', 'requirements-hashes.txt'), 'utf8');
    const expected = [...text.matchAll(/^([A-Za-z0-9._-]+)==(\S+)/gm)].map((m) => `${normalizeName(m[1] ?? '')}@${m[2]}`);
    const result = pythonCataloger.catalog(lockView('requirements-hashes.txt', '/app/requirements.txt'));
    expect(expected.length).toBeGreaterThan(3);
    expect(installedSet(result.packages)).toEqual(expected.sort());
    expect(result.problems).toEqual([]);
  });
});

describe('requirements.txt edge cases', () => {
  const files = {
    '/src/requirements-edge.txt': readFileSync(join(TESTDATA, 'requirements-edge.txt')),
    '/src/requirements-base.txt': readFileSync(join(TESTDATA, 'requirements-base.txt')),
  };
  const result = pythonCataloger.catalog(viewOf(files));
  const edge = result.packages.filter((p) => p.locations[0]?.path === '/src/requirements-edge.txt');

  it('keeps exact pins only', () => {
    expect(installedSet(edge)).toEqual(['flask@2.3.2', 'pyyaml@6.0.1', 'requests@2.31.0', 'typing-extensions@4.8.0', 'zope-interface@6.1']);
  });

  it('records extras and markers, and the original name', () => {
    const requests = edge.find((p) => p.name === 'requests');
    expect(requests?.metadata).toMatchObject({ extras: ['socks', 'security'], markers: 'python_version >= "3.8"' });
    expect(edge.find((p) => p.name === 'typing-extensions')?.metadata?.originalName).toBe('Typing_Extensions');
  });

  it('catalogs a captured include itself and names the unresolved ones', () => {
    expect(installedSet(result.packages)).toContain('six@1.16.0');
    const unresolved = result.problems.filter((p) => p.code === 'CATALOG_UNSUPPORTED');
    expect(unresolved).toHaveLength(1);
    expect(unresolved[0]?.message).toContain('other/missing.txt');
    expect(unresolved[0]?.message).toContain('constraints.txt');
    expect(unresolved[0]?.message).not.toContain('requirements-base.txt');
  });
});

describe('python wants', () => {
  it.each([
    ['/usr/lib/python3/dist-packages/foo-1.0.dist-info/METADATA', true],
    ['/usr/lib/python3/dist-packages/foo-1.0.dist-info/RECORD', true],
    ['/usr/lib/python3/dist-packages/foo-1.0.egg-info/PKG-INFO', true],
    ['/usr/lib/python3/dist-packages/foo-1.0.egg-info/installed-files.txt', true],
    ['/usr/lib/python3/dist-packages/foo-1.0.egg-info', true],
    ['/usr/lib/python3.11/site-packages/foo.egg/EGG-INFO/PKG-INFO', true],
    ['/app/requirements-dev.txt', true],
    ['/app/poetry.lock', true],
    ['/app/METADATA', false],
    ['/usr/lib/python3/dist-packages/foo/RECORD', false],
    ['/app/notes.txt', false],
  ])('%s → %s', (path, expected) => {
    expect(pythonCataloger.wants(path)).toBe(expected);
  });
});

describe('python cataloger metadata', () => {
  it('has the id of its folder, a version, a size limit and a README', () => {
    expect(pythonCataloger.id).toBe('python');
    expect(pythonCataloger.version).toBe('1');
    expect(pythonCataloger.maxFileSize).toBeGreaterThan(0);
    expect(existsSync(join(import.meta.dirname, 'README.md'))).toBe(true);
  });
});

describe('installed layouts', () => {
  const meta = (name: string, version: string, extra = '') => Buffer.from(`Metadata-Version: 2.4\nName: ${name}\nVersion: ${version}\n${extra}\nlong description\n`);

  it('one package for the same name@version in two site dirs, files of both', () => {
    const r = pythonCataloger.catalog(
      viewOf({
        '/usr/lib/python3/dist-packages/Foo_Bar-1.0.dist-info/METADATA': meta('Foo_Bar', '1.0', 'License-Expression: MIT OR Apache-2.0\nLicense: ignored\n'),
        '/usr/lib/python3/dist-packages/Foo_Bar-1.0.dist-info/RECORD': Buffer.from('foo_bar/__init__.py,,\n'),
        '/opt/venv/lib/python3.11/site-packages/foo_bar-1.0.dist-info/METADATA': meta('foo.bar', '1.0'),
        '/opt/venv/lib/python3.11/site-packages/foo_bar-1.0.dist-info/RECORD': Buffer.from('../../../bin/foo,,\n'),
      }),
    );
    expect(r.packages).toHaveLength(1);
    const [p] = r.packages;
    expect(p?.id).toBe('pypi:foo-bar@1.0');
    expect(p?.locations.map((l) => l.path)).toHaveLength(2);
    expect(p?.files).toEqual(['/opt/venv/bin/foo', '/usr/lib/python3/dist-packages/foo_bar/__init__.py']);
    expect(p?.licenses).toEqual(['MIT OR Apache-2.0']);
  });

  it('egg-info with installed-files.txt, a bare egg-info file, EGG-INFO, classifiers', () => {
    const site = '/usr/local/lib/python3.9/site-packages';
    const r = pythonCataloger.catalog(
      viewOf({
        [`${site}/a-1.0-py3.9.egg-info/PKG-INFO`]: meta('a', '1.0', 'Classifier: License :: OSI Approved :: BSD License\n'),
        [`${site}/a-1.0-py3.9.egg-info/installed-files.txt`]: Buffer.from('../a/__init__.py\nPKG-INFO\n../../../../bin/a\n'),
        [`${site}/b-2.0.egg-info`]: meta('b', '2.0', 'License: UNKNOWN\n'),
        [`${site}/c-3.0-py3.9.egg/EGG-INFO/PKG-INFO`]: meta('c', '3.0'),
      }),
    );
    expect(r.problems).toEqual([]);
    const byName = new Map(r.packages.map((p) => [p.name, p]));
    expect(byName.get('a')?.files).toEqual(['/usr/local/bin/a', `${site}/a-1.0-py3.9.egg-info/PKG-INFO`, `${site}/a/__init__.py`]);
    expect(byName.get('a')?.licenses).toEqual(['BSD License']);
    expect(byName.get('b')?.licenses).toEqual([]);
    expect(byName.get('c')?.metadata?.layout).toBe('egg-dir');
  });
});

describe('poetry lock format 1.x', () => {
  it('reads `category = "dev"` as dev', () => {
    const lock = '[[package]]\nname = "pytest"\nversion = "7.4.0"\ncategory = "dev"\n\n[package.dependencies]\npluggy = ">=0.12"\n\n[[package]]\nname = "pluggy"\nversion = "1.2.0"\ncategory = "dev"\n\n[[package]]\nname = "six"\nversion = "1.16.0"\ncategory = "main"\n\n[metadata]\nlock-version = "1.1"\n';
    const r = pythonCataloger.catalog(viewOf({ '/app/poetry.lock': Buffer.from(lock) }));
    expect(r.packages.map((p) => [p.name, p.metadata?.dev])).toEqual([['pytest', true], ['pluggy', true], ['six', false]]);
    expect(r.relationships).toEqual([{ from: 'pypi:pytest@7.4.0#/app/poetry.lock', to: 'pypi:pluggy@1.2.0#/app/poetry.lock', type: 'depends-on' }]);
  });
});
