import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { npmCataloger } from './index.js';
import { runCataloger, wantedFilesOf } from './testutil.js';

/**
 * Real data: `npm install` of a small app (debug@4 at the top pushes express's debug@2.6.9 into several nested copies, a scoped
 * package, a dev dependency, a workspace member), then our results against `npm ls`.
 * Needs the npm registry; skipped (not failed) when the install cannot reach it.
 */
let dir = '';
let installed = false;

function npm(args: string[]): string {
  return execFileSync('npm', args, {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 180_000,
  });
}

/** Every name@version in an `npm ls --json` tree (aliases report the real name). */
function lsSet(tree: unknown): Set<string> {
  const out = new Set<string>();
  const walk = (
    deps: Record<
      string,
      {
        version?: string;
        name?: string;
        missing?: boolean;
        dependencies?: object;
      }
    >,
    depth: number,
  ) => {
    for (const [key, node] of Object.entries(deps)) {
      if (node.missing || !node.version) continue;
      out.add(`${node.name ?? key}@${node.version}`);
      if (node.dependencies && depth < 100) walk(node.dependencies as never, depth + 1);
    }
  };
  walk((tree as { dependencies?: never }).dependencies ?? {}, 0);
  return out;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'npm-real-'));
  mkdirSync(join(dir, 'packages/util'), { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'real-app',
      version: '1.0.0',
      private: true,
      workspaces: ['packages/*'],
      dependencies: {
        debug: '4.3.4',
        express: '4.17.1',
        lodash: '4.17.20',
        minimist: '1.2.5',
        '@types/node': '20.11.30',
      },
      devDependencies: { 'is-odd': '3.0.1' },
    }),
  );
  writeFileSync(
    join(dir, 'packages/util/package.json'),
    JSON.stringify({
      name: 'real-util',
      version: '0.1.0',
      dependencies: { ms: '2.1.3' },
    }),
  );
  try {
    npm(['install', '--no-audit', '--no-fund', '--ignore-scripts']);
    installed = true;
  } catch (err) {
    console.warn(`npm install failed, real-data tests skipped: ${(err as Error).message.slice(0, 300)}`);
  }
}, 200_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm cataloger against a real npm install', {
  timeout: 60_000,
}, () => {
  it('finds exactly the installed packages npm ls reports', (ctx) => {
    if (!installed) return ctx.skip();
    const expected = lsSet(JSON.parse(npm(['ls', '--all', '--json'])));
    const files = wantedFilesOf(npmCataloger, dir, '/srv/app');
    delete files['/srv/app/package-lock.json'];
    const { packages, problems } = runCataloger(npmCataloger, files);
    expect(problems).toEqual([]);
    const got = new Set(packages.map((p) => `${p.name}@${p.version}`));
    expect([...expected].filter((k) => !got.has(k))).toEqual([]); // missing
    expect([...got].filter((k) => !expected.has(k))).toEqual([]); // extra
    expect(expected.size).toBeGreaterThan(50);
    // A name@version npm placed at several node_modules paths is one package with those locations.
    const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string; link?: boolean }>;
    };
    const paths = new Map<string, number>();
    for (const [key, e] of Object.entries(lock.packages)) {
      if (!key.includes('node_modules/') || e.link || !e.version) continue;
      const k = `${key.slice(key.lastIndexOf('node_modules/') + 13)}@${e.version}`;
      paths.set(k, (paths.get(k) ?? 0) + 1);
    }
    for (const p of packages.filter((x) => !x.metadata?.workspace)) {
      expect([p.name, p.locations.length]).toEqual([p.name, paths.get(`${p.name}@${p.version}`)]);
    }
    expect([...paths.values()].some((n) => n > 1)).toBe(true);
    expect(packages.find((p) => p.name === 'real-util')?.metadata?.workspace).toBe(true);
    expect(packages.find((p) => p.name === '@types/node')?.purl).toBe('pkg:npm/%40types/node@20.11.30');
  });

  it('reads the package-lock npm wrote: same set, dev = what --omit=dev drops', (ctx) => {
    if (!installed) return ctx.skip();
    const all = lsSet(JSON.parse(npm(['ls', '--all', '--json'])));
    const prod = lsSet(JSON.parse(npm(['ls', '--all', '--json', '--omit=dev'])));
    const { packages, problems } = runCataloger(npmCataloger, {
      '/srv/app/package-lock.json': readFileSync(join(dir, 'package-lock.json')),
    });
    expect(problems).toEqual([]);
    const got = new Set(packages.map((p) => `${p.name}@${p.version}`));
    expect([...all].filter((k) => !got.has(k))).toEqual([]);
    expect([...got].filter((k) => !all.has(k))).toEqual([]);
    const dev = new Set(packages.filter((p) => p.metadata?.dev === true).map((p) => `${p.name}@${p.version}`));
    expect([...dev].sort()).toEqual([...all].filter((k) => !prod.has(k)).sort());
    expect(dev.size).toBeGreaterThan(0);
  });
});
