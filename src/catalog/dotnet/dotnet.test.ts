import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCataloger } from '../npm/testutil.js';
import { dotnetCataloger } from './index.js';

const FIXTURE = readFileSync(new URL('./testdata/MyApp.deps.json', import.meta.url));
const run = (files: Record<string, Buffer | string>) => runCataloger(dotnetCataloger, files);
const APP = '/app/MyApp.deps.json';

describe('dotnet cataloger', () => {
  it('wants *.deps.json only', () => {
    expect(dotnetCataloger.wants(APP)).toBe(true);
    expect(dotnetCataloger.wants('/app/MyApp.runtimeconfig.json')).toBe(false);
    expect(dotnetCataloger.wants('/app/MyApp.dll')).toBe(false);
  });

  it('reports package libraries as NuGet packages and project libraries marked, skipping references', () => {
    const { packages, problems } = run({ [APP]: FIXTURE });
    expect(problems).toEqual([]);
    const doc = JSON.parse(FIXTURE.toString()) as {
      libraries: Record<string, { type: string }>;
    };
    const expected = Object.entries(doc.libraries)
      .filter(([, l]) => l.type !== 'reference')
      .map(([k]) => k.replace('/', '@'));
    expect(packages.map((p) => `${p.name}@${p.version}`).sort()).toEqual(expected.sort());
    expect(
      packages
        .filter((p) => p.metadata?.project)
        .map((p) => p.name)
        .sort(),
    ).toEqual(['MyApp', 'MyApp.Core']);
    expect(packages.find((p) => p.name === 'Newtonsoft.Json')).toMatchObject({
      id: 'nuget:Newtonsoft.Json@13.0.3',
      type: 'nuget',
      purl: 'pkg:nuget/Newtonsoft.Json@13.0.3',
      foundBy: 'dotnet@1',
      licenses: [],
      locations: [{ path: APP, layerDiffId: 'sha256:test' }],
      metadata: {
        libraryType: 'package',
        path: 'newtonsoft.json/13.0.3',
        runtimeTarget: '.NETCoreApp,Version=v8.0',
      },
    });
  });

  it('builds depends-on from targets, resolving names case-insensitively', () => {
    const { relationships } = run({ [APP]: FIXTURE });
    expect(relationships).toContainEqual({
      from: 'nuget:Serilog.Sinks.Console@5.0.1',
      to: 'nuget:Serilog@3.1.1',
      type: 'depends-on',
    });
    expect(relationships).toContainEqual({
      from: 'nuget:MyApp@1.0.0',
      to: 'nuget:MyApp.Core@1.0.0',
      type: 'depends-on',
    });
    expect(relationships).toHaveLength(5);
  });

  it('merges packages across apps and across case spellings', () => {
    const other = JSON.stringify({
      libraries: {
        'newtonsoft.json/13.0.3': { type: 'package' },
        'Other/2.0.0': { type: 'project' },
      },
    });
    const { packages } = run({
      [APP]: FIXTURE,
      '/other/Other.deps.json': `\uFEFF${other}`,
    });
    const nj = packages.filter((p) => p.name.toLowerCase() === 'newtonsoft.json');
    expect(nj).toHaveLength(1);
    expect(nj[0]?.name).toBe('Newtonsoft.Json');
    expect(nj[0]?.locations.map((l) => l.path)).toEqual([APP, '/other/Other.deps.json']);
  });

  it.each([
    ['truncated', FIXTURE.subarray(0, 500)],
    ['not a deps.json', '{"name": "x"}'],
    ['deeply nested', `${'['.repeat(200_000)}${']'.repeat(200_000)}`],
    ['garbage keys', JSON.stringify({ libraries: { 'a/b/c': {}, nover: {}, 'x/1.0': 'str' } })],
  ])('records CATALOG_PARSE for %s input and keeps other files', (_name, content) => {
    const { packages, problems } = run({
      '/bad/Bad.deps.json': content,
      [APP]: FIXTURE,
    });
    expect(packages.length).toBe(6);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.length).toBeLessThanOrEqual(20);
    expect(problems.every((p) => p.code === 'CATALOG_PARSE' && p.path === '/bad/Bad.deps.json' && p.source === 'dotnet')).toBe(true);
  });

  it('refuses huge files and bounds huge library lists', () => {
    const libs: Record<string, object> = {};
    for (let i = 0; i < 120_000; i++) libs[`P${i}/1.0.${i}`] = { type: 'package' };
    const big = run({
      '/a/Big.deps.json': JSON.stringify({ libraries: libs }),
      '/b/Huge.deps.json': Buffer.alloc(17 * 1024 * 1024, 0x20),
    });
    expect(big.packages).toHaveLength(100_000);
    expect(big.problems.map((p) => p.code).sort()).toEqual(['CATALOG_PARSE', 'FILE_TOO_LARGE']);
    expect(big.ms).toBeLessThan(15_000);
  });
});
