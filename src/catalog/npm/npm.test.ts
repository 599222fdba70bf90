import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { npmCataloger } from './index.js';
import { runCataloger } from './testutil.js';

/** Lockfiles written by npm 6/10, yarn 1/4 and pnpm 7/8/9 from one app (scripts/fixtures/npm/generate.sh). */
const DIR = new URL('./testdata/lock/', import.meta.url);
const LOCKS = readdirSync(DIR).sort();
const nameFor = (f: string) => (f.startsWith('package-lock') ? 'package-lock.json' : f.startsWith('yarn') ? 'yarn.lock' : 'pnpm-lock.yaml');

function lock(fixture: string) {
  const path = `/srv/app/${nameFor(fixture)}`;
  return {
    path,
    ...runCataloger(npmCataloger, {
      [path]: readFileSync(new URL(fixture, DIR)),
    }),
  };
}
const keys = (pkgs: ReturnType<typeof lock>['packages']) => pkgs.map((p) => `${p.name}@${p.version}`).sort();

/** Every name@version of a fixture's v1-style nested `dependencies` (v1, and v2 which keeps them). */
function nestedEntries(fixture: string): string[] {
  type Dep = { version: string; dependencies?: Record<string, Dep> };
  const out = new Set<string>();
  const walk = (deps: Record<string, Dep>) => {
    for (const [name, d] of Object.entries(deps)) {
      if (!d.version.startsWith('file:')) out.add(`${name}@${d.version}`);
      if (d.dependencies) walk(d.dependencies);
    }
  };
  walk(JSON.parse(readFileSync(new URL(fixture, DIR), 'utf8')).dependencies);
  return [...out].sort();
}

describe('npm lockfiles written by the native tools', () => {
  it('has a fixture for every format and version', () => {
    expect(LOCKS).toEqual([
      'package-lock-v1.json',
      'package-lock-v2.json',
      'package-lock-v3.json',
      'pnpm-lock-pnpm7.yaml',
      'pnpm-lock-pnpm8.yaml',
      'pnpm-lock-pnpm9.yaml',
      'yarn-berry.lock',
      'yarn-v1.lock',
    ]);
    expect(readFileSync(new URL('pnpm-lock-pnpm7.yaml', DIR), 'utf8')).toMatch(/^lockfileVersion: 5\.4/m);
    expect(readFileSync(new URL('pnpm-lock-pnpm8.yaml', DIR), 'utf8')).toMatch(/^lockfileVersion: '6\.0'/m);
    expect(readFileSync(new URL('pnpm-lock-pnpm9.yaml', DIR), 'utf8')).toMatch(/^lockfileVersion: '9\.0'/m);
  });

  it('every tool resolved the same registry packages, and we read them all alike', () => {
    // npm dedupes onto versions already in the tree (http-errors@1.7.2 for ~1.7.2) where pnpm
    // and yarn take the newest match, so npm lockfiles are checked against the v1-style section
    // npm also writes (v2 keeps it); npm 6 ignores workspaces; npm 7+ lists the member dir.
    const reference = keys(lock('pnpm-lock-pnpm9.yaml').packages);
    const npmReference = nestedEntries('package-lock-v2.json');
    expect(reference.length).toBeGreaterThan(50);
    for (const f of LOCKS) {
      const { packages, problems } = lock(f);
      expect(problems, f).toEqual([]);
      const got = keys(packages.filter((p) => !p.metadata?.workspace));
      const want = f === 'package-lock-v1.json' ? nestedEntries(f) : f.startsWith('package-lock') ? npmReference : reference;
      expect(got, f).toEqual(want);
      expect(new Set(packages.map((p) => p.id)).size, f).toBe(packages.length);
    }
  });

  it('marks dev dependencies where the format says (npm and pnpm; yarn.lock has no dev flag)', () => {
    for (const f of LOCKS.filter((x) => !x.startsWith('yarn'))) {
      const dev = lock(f).packages.filter((p) => p.metadata?.dev === true);
      expect(keys(dev), f).toEqual(['is-number@6.0.0', 'is-odd@3.0.1']);
    }
    for (const f of LOCKS.filter((x) => x.startsWith('yarn'))) expect(lock(f).packages.some((p) => p.metadata?.dev)).toBe(false);
  });

  it('records source, lockfile kind, purl, location and a per-lockfile id', () => {
    const kinds: Record<string, string> = {
      'package-lock-v1.json': 'package-lock-v1',
      'package-lock-v2.json': 'package-lock-v2',
      'package-lock-v3.json': 'package-lock-v3',
      'pnpm-lock-pnpm7.yaml': 'pnpm-v5',
      'pnpm-lock-pnpm8.yaml': 'pnpm-v6',
      'pnpm-lock-pnpm9.yaml': 'pnpm-v9',
      'yarn-berry.lock': 'yarn-berry',
      'yarn-v1.lock': 'yarn-v1',
    };
    for (const f of LOCKS) {
      const { packages, path } = lock(f);
      const types = packages.find((p) => p.name === '@types/node');
      expect(types, f).toMatchObject({
        id: `npm:@types/node@20.11.30#${path}`,
        type: 'npm',
        version: '20.11.30',
        purl: 'pkg:npm/%40types/node@20.11.30',
        foundBy: 'npm@1',
        locations: [{ path, layerDiffId: 'sha256:test' }],
        metadata: { source: 'lockfile', lockfile: kinds[f] },
      });
    }
  });

  it('reports workspace members from package-lock v2/v3 and skips them in yarn berry', () => {
    for (const f of ['package-lock-v2.json', 'package-lock-v3.json']) {
      const util = lock(f).packages.find((p) => p.name === 'fixture-util');
      expect(util?.metadata).toMatchObject({
        workspace: true,
        path: 'packages/util',
      });
    }
    expect(lock('yarn-berry.lock').packages.some((p) => p.name.startsWith('fixture-'))).toBe(false);
  });

  it('gives the dependency graph: express@4.17.1 → debug@2.6.9 → ms@2.0.0 in every format', () => {
    for (const f of LOCKS) {
      const { packages, relationships } = lock(f);
      const id = (k: string) => packages.find((p) => `${p.name}@${p.version}` === k)?.id;
      const has = (a: string, b: string) => relationships.some((r) => r.from === id(a) && r.to === id(b) && r.type === 'depends-on');
      expect(has('express@4.17.1', 'debug@2.6.9'), f).toBe(true);
      expect(has('debug@2.6.9', 'ms@2.0.0'), f).toBe(true);
      expect(has('express@4.17.1', 'ms@2.0.0'), f).toBe(false);
    }
  });
});

describe('installed node_modules', () => {
  const pj = (o: object) => JSON.stringify(o);

  it('wants package roots under node_modules only (and project manifests), not files deeper inside', () => {
    const w = (p: string) => npmCataloger.wants(p);
    expect(w('/app/node_modules/a/package.json')).toBe(true);
    expect(w('/app/node_modules/@s/a/package.json')).toBe(true);
    expect(w('/app/node_modules/a/node_modules/@s/b/package.json')).toBe(true);
    expect(w('/app/node_modules/.pnpm/a@1.0.0/node_modules/a/package.json')).toBe(true);
    expect(w('/app/node_modules/a/lib/package.json')).toBe(false);
    expect(w('/app/node_modules/@s/a/x/package.json')).toBe(false);
    expect(w('/app/node_modules/a/yarn.lock')).toBe(false);
    expect(w('/app/node_modules/.package-lock.json')).toBe(false);
    expect(w('/app/package-lock.json')).toBe(true);
    expect(w('/app/pnpm-lock.yaml')).toBe(true);
    expect(w('/usr/lib/libc.so')).toBe(false);
  });

  it('merges copies, reads licences in every form, keeps aliases, skips the root project', () => {
    const { packages, relationships, problems } = runCataloger(npmCataloger, {
      '/app/package.json': pj({
        name: 'root',
        version: '1.0.0',
        dependencies: { a: '1' },
      }),
      '/app/node_modules/a/package.json': pj({
        name: 'a',
        version: '1.0.0',
        license: 'MIT',
        dependencies: { b: '*' },
      }),
      '/app/node_modules/a/node_modules/b/package.json': pj({
        name: 'b',
        version: '2.0.0',
        license: { type: 'ISC' },
      }),
      '/app/node_modules/c/node_modules/b/package.json': pj({
        name: 'b',
        version: '2.0.0',
        license: { type: 'ISC' },
      }),
      '/app/node_modules/c/package.json': pj({
        name: 'c',
        version: '3.0.0',
        licenses: [{ type: 'MIT' }, { type: 'Apache-2.0' }],
        dependencies: { b: '*' },
      }),
      '/app/node_modules/b/package.json': pj({ name: 'b', version: '1.0.0' }),
      '/app/node_modules/alias/package.json': pj({
        name: '@real/thing',
        version: '4.0.0',
      }),
      '/app/node_modules/a/lib/package.json': pj({
        name: 'not-a-package',
        version: '9.9.9',
      }),
    });
    expect(problems).toEqual([]);
    expect(keys(packages)).toEqual(['@real/thing@4.0.0', 'a@1.0.0', 'b@1.0.0', 'b@2.0.0', 'c@3.0.0']);
    const b2 = packages.find((p) => p.id === 'npm:b@2.0.0');
    expect(b2?.locations.map((l) => l.path)).toEqual([
      '/app/node_modules/a/node_modules/b/package.json',
      '/app/node_modules/c/node_modules/b/package.json',
    ]);
    expect(b2?.licenses).toEqual(['ISC']);
    expect(packages.find((p) => p.name === 'c')?.licenses).toEqual(['MIT', 'Apache-2.0']);
    expect(packages.find((p) => p.name === '@real/thing')?.metadata).toMatchObject({ source: 'installed', alias: 'alias' });
    // a and c resolve b to their own nested copy, not the top-level b@1.0.0.
    expect(relationships).toEqual([
      { from: 'npm:a@1.0.0', to: 'npm:b@2.0.0', type: 'depends-on' },
      { from: 'npm:c@3.0.0', to: 'npm:b@2.0.0', type: 'depends-on' },
    ]);
  });

  it('reports workspace members matched by the root globs', () => {
    const { packages } = runCataloger(npmCataloger, {
      '/app/package.json': pj({
        name: 'root',
        version: '1.0.0',
        workspaces: { packages: ['packages/*', 'tools/**'] },
      }),
      '/app/packages/x/package.json': pj({ name: 'x', version: '0.1.0' }),
      '/app/tools/deep/y/package.json': pj({ name: 'y', version: '0.2.0' }),
      '/app/other/z/package.json': pj({ name: 'z', version: '0.3.0' }),
    });
    expect(keys(packages)).toEqual(['x@0.1.0', 'y@0.2.0']);
    expect(packages.every((p) => p.metadata?.workspace === true)).toBe(true);
  });
});
