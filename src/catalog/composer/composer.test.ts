import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCataloger } from '../npm/testutil.js';
import { composerCataloger } from './index.js';

const fixture = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url));
const run = (files: Record<string, Buffer | string>) => runCataloger(composerCataloger, files);
const keys = (r: ReturnType<typeof run>) => r.packages.map((p) => `${p.name}@${p.version}${p.metadata?.dev ? ' dev' : ''}`).sort();

describe('composer cataloger', () => {
  it('wants installed.json and project lockfiles only', () => {
    expect(composerCataloger.wants('/app/vendor/composer/installed.json')).toBe(true);
    expect(composerCataloger.wants('/app/composer.lock')).toBe(true);
    expect(composerCataloger.wants('/app/vendor/x/y/composer.lock')).toBe(false);
    expect(composerCataloger.wants('/app/composer.json')).toBe(false);
  });

  it('reads a Composer 2 installed.json: v prefix kept, normalized in metadata, dev names marked', () => {
    const r = run({
      '/app/vendor/composer/installed.json': fixture('installed.json'),
    });
    expect(r.problems).toEqual([]);
    expect(keys(r)).toEqual(['example/log@1.1.4', 'example/polyfill@v1.28.0', 'example/testkit@0.3.0 dev']);
    expect(r.packages.find((p) => p.name === 'example/polyfill')).toMatchObject({
      id: 'composer:example/polyfill@v1.28.0',
      purl: 'pkg:composer/example/polyfill@v1.28.0',
      licenses: ['MIT'],
      foundBy: 'composer@1',
      locations: [
        {
          path: '/app/vendor/composer/installed.json',
          layerDiffId: 'sha256:test',
        },
      ],
      metadata: {
        source: 'installed',
        format: 'installed-v2',
        versionNormalized: '1.28.0.0',
        installPath: '/app/vendor/example/polyfill',
      },
    });
    expect(r.relationships).toContainEqual({
      from: 'composer:example/polyfill@v1.28.0',
      to: 'composer:example/log@1.1.4',
      type: 'depends-on',
    });
  });

  it('reads composer.lock packages and packages-dev with the same result as installed.json', () => {
    const lock = run({ '/app/composer.lock': fixture('composer.lock') });
    const installed = run({
      '/app/vendor/composer/installed.json': fixture('installed.json'),
    });
    expect(lock.problems).toEqual([]);
    expect(keys(lock)).toEqual(keys(installed));
    expect(lock.packages.every((p) => p.metadata?.source === 'lockfile' && p.id.endsWith('#/app/composer.lock'))).toBe(true);
    expect(lock.relationships).toHaveLength(installed.relationships.length);
  });

  it('reads a Composer 1 installed.json array (license as string or array, platform requires dropped)', () => {
    const r = run({
      '/old/vendor/composer/installed.json': fixture('installed-composer1.json'),
    });
    expect(r.problems).toEqual([]);
    expect(keys(r)).toEqual(['monolog/monolog@1.25.1', 'psr/log@1.1.0', 'symfony/polyfill-ctype@v1.12.0']);
    expect(r.packages.every((p) => p.metadata?.format === 'installed-v1' && p.licenses.join() === 'MIT')).toBe(true);
    expect(r.packages.find((p) => p.name === 'symfony/polyfill-ctype')?.metadata?.versionNormalized).toBe('1.12.0.0');
    expect(r.relationships).toEqual([
      {
        from: 'composer:monolog/monolog@1.25.1',
        to: 'composer:psr/log@1.1.0',
        type: 'depends-on',
      },
    ]);
  });

  it('merges the same package from two vendor dirs into one with two locations', () => {
    const r = run({
      '/a/vendor/composer/installed.json': fixture('installed.json'),
      '/b/vendor/composer/installed.json': fixture('installed.json'),
    });
    expect(r.packages).toHaveLength(3);
    expect(r.packages.every((p) => p.locations.length === 2)).toBe(true);
  });

  it.each([
    ['/app/composer.lock', '{"packages": ['],
    ['/app/composer.lock', '"just a string"'],
    ['/app/vendor/composer/installed.json', '{"packages": {"not": "an array"}}'],
    ['/app/vendor/composer/installed.json', `${'['.repeat(100_000)}${']'.repeat(100_000)}`],
  ])('records CATALOG_PARSE for malformed %s', (path, text) => {
    const r = run({
      [path]: text,
      '/ok/vendor/composer/installed.json': fixture('installed.json'),
    });
    expect(r.packages).toHaveLength(3);
    expect(r.problems.length).toBeGreaterThan(0);
    expect(
      r.problems.every((p) => p.code === 'CATALOG_PARSE' && p.path === path && p.source === 'composer' && p.layer === 'sha256:test'),
    ).toBe(true);
  });

  it('bounds bad entries and refuses huge files', () => {
    const junk = JSON.stringify({
      packages: Array.from({ length: 100_000 }, (_, i) => ({ name: i })),
    });
    const r = run({
      '/app/composer.lock': junk,
      '/big/composer.lock': Buffer.alloc(33 * 1024 * 1024, 0x20),
    });
    expect(r.packages).toEqual([]);
    expect(r.problems.filter((p) => p.path === '/app/composer.lock').length).toBeLessThanOrEqual(21);
    expect(r.problems.find((p) => p.path === '/big/composer.lock')?.code).toBe('FILE_TOO_LARGE');
  });
});

/** Real data: composer itself installs the fixture project; we compare with `composer show`. */
describe('composer cataloger against composer show', {
  timeout: 120_000,
}, () => {
  it('finds exactly what composer show lists, and what --no-dev drops is dev', () => {
    const work = mkdtempSync(join(tmpdir(), 'composer-real-'));
    try {
      const script = new URL('../../../scripts/fixtures/composer/generate.sh', import.meta.url).pathname;
      execFileSync('bash', [script], {
        env: { ...process.env, COMPOSER_KEEP: work },
        stdio: 'ignore',
        timeout: 100_000,
      });
      const app = join(work, 'app');
      const show = (extra: string[]) =>
        (
          JSON.parse(
            execFileSync('composer', ['show', '--format=json', ...extra], {
              cwd: app,
              encoding: 'utf8',
              env: { ...process.env, COMPOSER_HOME: join(work, 'home') },
            }),
          ) as {
            installed: Array<{ name: string; version: string }>;
          }
        ).installed
          .map((p) => `${p.name}@${p.version}`)
          .sort();
      const all = show([]);
      const prod = show(['--no-dev']);
      const r = run({
        '/srv/app/vendor/composer/installed.json': readFileSync(join(app, 'vendor/composer/installed.json')),
      });
      expect(r.packages.map((p) => `${p.name}@${p.version}`).sort()).toEqual(all);
      expect(
        r.packages
          .filter((p) => p.metadata?.dev)
          .map((p) => `${p.name}@${p.version}`)
          .sort(),
      ).toEqual(all.filter((k) => !prod.includes(k)));
      expect(all.length).toBeGreaterThan(2);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
