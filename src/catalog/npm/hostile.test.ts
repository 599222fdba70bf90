import { describe, expect, it } from 'vitest';
import { npmCataloger } from './index.js';
import { runCataloger } from './testutil.js';

const run = (files: Record<string, Buffer | string>) => runCataloger(npmCataloger, files);
const GOOD = {
  '/app/node_modules/ok/package.json': JSON.stringify({
    name: 'ok',
    version: '1.0.0',
  }),
};

function garbage(size: number): Buffer {
  let seed = 7;
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < bytes.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    bytes[i] = seed >>> 24;
  }
  return bytes;
}

/** "Billion laughs": each level aliases the previous one ten times. */
const BOMB = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
  .concat(
    Array.from({ length: 9 }, (_, i) => {
      const prev = i === 0 ? 'a' : String.fromCharCode(97 + i);
      const name = String.fromCharCode(98 + i);
      return `${name}: &${name} [${Array(10).fill(`*${prev}`).join(',')}]`;
    }),
  )
  .join('\n');

describe('npm cataloger on hostile input', { timeout: 60_000 }, () => {
  it.each([
    ['/app/package-lock.json', '{"lockfileVersion": 3, "packages": {'],
    ['/app/npm-shrinkwrap.json', '[1,2,3]'],
    ['/app/node_modules/bad/package.json', '{"name": "bad", "version": '],
    ['/app/pnpm-lock.yaml', 'lockfileVersion: "6.0"\npackages: [unclosed'],
    ['/app/pnpm-lock.yaml', 'lockfileVersion: "42.0"\npackages: {}\n'],
    ['/app/yarn.lock', '__metadata:\n  version: 6\n"a@npm:1": {unclosed'],
  ])('records a problem for malformed %s and keeps the other files', (path, text) => {
    const { packages, problems } = run({ ...GOOD, [path]: text });
    expect(packages.map((p) => p.name)).toEqual(['ok']);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      code: 'CATALOG_PARSE',
      path,
      layer: 'sha256:test',
      source: 'npm',
    });
  });

  it('reads a 50 MB package-lock in bounded time', () => {
    const packages: Record<string, object> = { '': { name: 'big' } };
    const pad = 'x'.repeat(300);
    for (let i = 0; i < 149_999; i++) {
      packages[`node_modules/p${i}`] = {
        version: `1.0.${i}`,
        resolved: `https://r/${pad}`,
        dependencies: { [`p${i + 1}`]: '*' },
      };
    }
    const text = JSON.stringify({ lockfileVersion: 3, packages });
    expect(text.length).toBeGreaterThan(50_000_000);
    const result = run({ '/app/package-lock.json': text });
    expect(result.problems).toEqual([]);
    expect(result.packages).toHaveLength(149_999);
    expect(result.relationships).toHaveLength(149_998);
    expect(result.ms).toBeLessThan(20_000);
  });

  it('refuses files beyond the size limits with FILE_TOO_LARGE', () => {
    const huge = Buffer.alloc(64 * 1024 * 1024 + 1, 0x20);
    const fat = `{"name":"fat","version":"1.0.0","readme":"${'r'.repeat(5 * 1024 * 1024)}"}`;
    const { packages, problems } = run({
      ...GOOD,
      '/app/package-lock.json': huge,
      '/app/node_modules/fat/package.json': fat,
    });
    expect(packages.map((p) => p.name)).toEqual(['ok']);
    expect(problems.map((p) => [p.code, p.path])).toEqual([
      ['FILE_TOO_LARGE', '/app/node_modules/fat/package.json'],
      ['FILE_TOO_LARGE', '/app/package-lock.json'],
    ]);
  });

  it('bounds deeply nested v1 dependencies and deeply nested JSON', () => {
    let nested = '{"version":"1.0.0"}';
    for (let i = 0; i < 5_000; i++) nested = `{"version":"1.0.0","dependencies":{"d":${nested}}}`;
    const v1 = run({
      '/app/package-lock.json': `{"lockfileVersion":1,"dependencies":{"d":${nested}}}`,
    });
    expect(v1.packages).toHaveLength(1); // one name@version, however many copies
    expect(v1.problems).toMatchObject([
      {
        code: 'CATALOG_PARSE',
        message: expect.stringContaining('nested deeper'),
      },
    ]);
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const arrays = run({
      '/app/package-lock.json': deep,
      '/app/node_modules/x/package.json': deep,
    });
    expect(arrays.packages).toEqual([]);
    expect(arrays.problems.every((p) => p.code === 'CATALOG_PARSE')).toBe(true);
    expect(arrays.problems).toHaveLength(2);
  });

  it('survives yarn.lock garbage with a bounded number of problems', () => {
    for (const content of [garbage(4 * 1024 * 1024), `a@1:\n${'  version\n'.repeat(500_000)}`, 'x'.repeat(10_000_000)]) {
      const { problems, ms } = run({ '/app/yarn.lock': content });
      expect(problems.length).toBeGreaterThan(0);
      expect(problems.length).toBeLessThanOrEqual(21);
      expect(problems.every((p) => p.code === 'CATALOG_PARSE' && p.source === 'npm')).toBe(true);
      expect(ms).toBeLessThan(10_000);
    }
  });

  it('stops YAML alias bombs in pnpm-lock.yaml and berry yarn.lock', () => {
    const pnpm = run({
      '/app/pnpm-lock.yaml': `lockfileVersion: '9.0'\n${BOMB}\npackages:\n  x@1.0.0: {z: *j}\n`,
    });
    const berry = run({
      '/app/yarn.lock': `__metadata:\n  version: 8\n${BOMB}\n`,
    });
    for (const r of [pnpm, berry]) {
      expect(r.packages).toEqual([]);
      expect(r.problems).toMatchObject([{ code: 'CATALOG_PARSE', message: expect.stringMatching(/alias/i) }]);
      expect(r.ms).toBeLessThan(5_000);
    }
  });

  it('ignores garbage keys and values without crashing', () => {
    const lock = {
      lockfileVersion: 3,
      packages: {
        'node_modules/a': { version: 12 },
        'node_modules/ b': { version: '1.0.0' },
        'node_modules/c': null,
        'node_modules/d': { version: '1.0.0', dependencies: 'x' },
      },
    };
    const { packages, problems } = run({
      '/app/package-lock.json': JSON.stringify(lock),
    });
    expect(packages.map((p) => p.name)).toEqual(['d']);
    expect(problems).toEqual([]);
  });
});
