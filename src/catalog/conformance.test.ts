import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOGERS } from './registry.js';
import type { CapturedFile, CatalogView } from './types.js';

const HERE = import.meta.dirname;

/** Paths some cataloger is known to want; every cataloger is fed garbage at the ones it wants. */
const CANDIDATES = [
  '/var/lib/dpkg/status',
  '/var/lib/dpkg/status.d/pkg',
  '/var/lib/dpkg/info/pkg.list',
  '/lib/apk/db/installed',
  '/var/lib/rpm/Packages',
  '/var/lib/rpm/rpmdb.sqlite',
  '/usr/lib/sysimage/rpm/Packages.db',
  '/app/node_modules/x/package.json',
  '/app/package-lock.json',
  '/app/yarn.lock',
  '/app/pnpm-lock.yaml',
  '/usr/lib/python3/dist-packages/x-1.0.dist-info/METADATA',
  '/app/poetry.lock',
  '/app/requirements.txt',
  '/usr/lib/ruby/gems/3.1.0/specifications/x-1.0.gemspec',
  '/app/Gemfile.lock',
  '/usr/bin/app',
  '/app/go.mod',
  '/app/Cargo.lock',
  '/app/lib/x-1.0.jar',
  '/app/vendor/composer/installed.json',
  '/app/app.deps.json',
  '/usr/lib/x86_64-linux-gnu/libcrypto.so.3',
  '/usr/lib/jvm/java-17-openjdk-amd64/release',
];

function garbageView(files: CapturedFile[]): CatalogView {
  const byPath = new Map(files.map((f) => [f.path, f]));
  return { files: () => files, read: (p) => byPath.get(p), exists: (p) => byPath.has(p), os: undefined };
}

function seeded(seed: number, n: number): Buffer {
  const out = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe('cataloger registry and metadata', () => {
  it('is sorted by id, ids are unique and match their folders, each is documented', () => {
    const ids = CATALOGERS.map((c) => c.id);
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of CATALOGERS) {
      expect(existsSync(join(HERE, c.id, 'index.ts')), `${c.id} has a folder`).toBe(true);
      expect(existsSync(join(HERE, c.id, 'README.md')), `${c.id} is documented`).toBe(true);
      expect(c.version).toMatch(/^\d+(\.\d+)*$/);
    }
  });

  it('lists every cataloger folder in the registry', () => {
    const folders = readdirSync(HERE, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(HERE, d.name, 'index.ts')) && d.name !== 'os')
      .map((d) => d.name)
      .sort();
    expect(CATALOGERS.map((c) => c.id)).toEqual(folders);
  });
});

describe.each(CATALOGERS.map((c) => [c.id, c] as const))('cataloger %s conformance', (_id, c) => {
  const wanted = CANDIDATES.filter((p) => c.wants(p, { mode: 0o755, size: 4096 }));

  it('wants at least one known path', () => {
    expect(wanted.length).toBeGreaterThan(0);
  });

  it('survives garbage at every path it wants: problems, never a throw', () => {
    for (const [i, content] of [Buffer.alloc(0), Buffer.from('\0\0\0\0'), seeded(1, 4096), seeded(2, 70_000), Buffer.from('{"a":'.repeat(10_000))].entries()) {
      const files: CapturedFile[] = wanted.map((path) => {
        const summary = c.summarize ? c.summarize({ path, content }) : undefined;
        return {
          path,
          content: c.summarize ? Buffer.alloc(0) : content,
          layerDiffId: `sha256:${'0'.repeat(64)}`,
          wantedBy: [c.id],
          ...(summary !== undefined ? { summaries: { [c.id]: summary } } : {}),
        };
      });
      const result = c.catalog(garbageView(files));
      expect(Array.isArray(result.packages), `case ${i}`).toBe(true);
      for (const p of result.problems) {
        expect(p.code).toMatch(/^[A-Z_]+$/);
        expect(typeof p.message).toBe('string');
      }
    }
  });

  it('reports nothing for an empty view', () => {
    const result = c.catalog(garbageView([]));
    expect(result.packages).toEqual([]);
    expect(result.problems).toEqual([]);
  });
});
