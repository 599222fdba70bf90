import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Package } from '../core/package.js';
import type { Problem } from '../core/problem.js';
import { ScanCache, type ScanState } from './scan-cache.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'pc-scan-cache-'));
  dirs.push(d);
  return d;
};

const pkg: Package = {
  id: 'deb:curl@8.0.1-1:amd64',
  type: 'deb',
  name: 'curl',
  version: '8.0.1-1',
  arch: 'amd64',
  licenses: [],
  purl: 'pkg:deb/debian/curl@8.0.1-1?arch=amd64&distro=debian-12',
  foundBy: 'dpkg@1',
  locations: [{ path: '/var/lib/dpkg/status', layerDiffId: 'sha256:b' }],
  files: ['/usr/bin/curl'],
  metadata: { '10': 'numeric-like key', source: 'status' },
};
const state: ScanState = {
  snapshot: {
    layers: 2,
    os: { id: 'debian', versionId: '12', source: '/etc/os-release' },
    osProblems: [],
    layerProblems: [[{ code: 'TAR_ENTRY_DEVICE', message: 'm', path: '/dev/null' }], []],
    catalogers: new Map([['dpkg', { result: { packages: [pkg], relationships: [], problems: [{ code: 'CATALOG_PARSE', message: 'x', source: 'dpkg' }] }, first: new Map([[pkg.id, 1]]) }]]),
  },
  final: {
    ownership: { relationships: [{ from: 'a', to: pkg.id, type: 'owned-by' }], upstreamLockfilePackages: new Set(['npm:x@1']), ownedBinaries: new Map([['binary:y', [{ path: '/opt/y' }]]]) },
    seen: new Map([['/etc', 'P'], ['/etc/os-release', 'L../usr/lib/os-release'], ['/etc/lsb-release', 'A']]),
    captured: ['/var/lib/dpkg/status', '/etc/os-release'],
  },
};
const keys = ScanCache.prefixKeys(['sha256:a', 'sha256:b'], [{ id: 'dpkg', version: '1' }]);
const KEY = keys[1] as string;

describe('ScanCache', () => {
  it('keys every layer prefix by the layers below it and the plugin versions', () => {
    expect(keys).toHaveLength(2);
    expect(ScanCache.prefixKeys(['sha256:a'], [{ id: 'dpkg', version: '1' }])).toEqual([keys[0]]);
    expect(ScanCache.prefixKeys(['sha256:x', 'sha256:b'], [{ id: 'dpkg', version: '1' }])[1]).not.toBe(KEY);
    expect(ScanCache.prefixKeys(['sha256:b', 'sha256:a'], [{ id: 'dpkg', version: '1' }])[1]).not.toBe(KEY);
    expect(ScanCache.prefixKeys(['sha256:a', 'sha256:b'], [{ id: 'dpkg', version: '2' }])[1]).not.toBe(KEY);
  });

  it('round-trips a state, keeping the exact JSON of packages', () => {
    const cache = new ScanCache(tmp());
    cache.put(KEY, state);
    expect(cache.has(KEY)).toBe(true);
    const problems: Problem[] = [];
    const back = cache.get(KEY, problems);
    expect(problems).toEqual([]);
    expect(back?.payloadId).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(back?.snapshot.catalogers.get('dpkg')?.result.packages)).toBe(JSON.stringify([pkg]));
    expect(back?.snapshot.catalogers.get('dpkg')?.first.get(pkg.id)).toBe(1);
    expect(back?.snapshot.os).toEqual(state.snapshot.os);
    expect(back?.snapshot.layerProblems).toEqual(state.snapshot.layerProblems);
    expect(back?.final.seen).toEqual(state.final.seen);
    expect(back?.final.captured).toEqual(state.final.captured);
    expect(back?.final.ownership).toEqual(state.final.ownership);
  });

  it('stores a state whose payload it already has as one small entry', () => {
    const root = tmp();
    const cache = new ScanCache(root);
    cache.put(KEY, state);
    const loaded = cache.get(KEY, []) as ScanState;
    const other = ScanCache.prefixKeys(['sha256:a', 'sha256:b', 'sha256:c'], [])[2] as string;
    cache.put(other, { ...loaded, snapshot: { ...loaded.snapshot, layers: 3, layerProblems: [...loaded.snapshot.layerProblems, []] } });
    expect(readdirSync(join(root, 'scans')).filter((f) => f.startsWith('payload-'))).toHaveLength(1);
    expect(cache.get(other, [])?.snapshot.layers).toBe(3);
  });

  describe('hostile cache files: a CACHE_CORRUPT problem and a miss, never a throw', () => {
    const corrupt = (mutate: (root: string, payload: string) => void): { problems: Problem[]; got: unknown; entryLeft: boolean } => {
      const root = tmp();
      const cache = new ScanCache(root);
      cache.put(KEY, state);
      const payload = readdirSync(join(root, 'scans')).find((f) => f.startsWith('payload-')) as string;
      mutate(root, join(root, 'scans', payload));
      const problems: Problem[] = [];
      const got = cache.get(KEY, problems);
      return { problems, got, entryLeft: cache.has(KEY) };
    };
    const entryFile = (root: string): string => join(root, 'scans', `${KEY}.json`);
    const rehash = (root: string, payloadFile: string, text: string): void => {
      // A payload with a valid digest but a bad shape: only the schema can catch it.
      const id = createHash('sha256').update(text).digest('hex');
      writeFileSync(join(root, 'scans', `payload-${id}.json`), text);
      const entry = JSON.parse(readFileSync(entryFile(root), 'utf8'));
      writeFileSync(entryFile(root), JSON.stringify({ ...entry, payload: id }));
      rmSync(payloadFile);
    };

    it.each([
      ['a truncated entry', (root: string) => writeFileSync(entryFile(root), '{"version":"1","lay')],
      ['an entry of the wrong type', (root: string) => writeFileSync(entryFile(root), '[1,2,3]')],
      ['an entry from another version', (root: string) => writeFileSync(entryFile(root), readFileSync(entryFile(root), 'utf8').replace('"version":"1"', '"version":"0"'))],
      ['a missing payload', (_root: string, payload: string) => rmSync(payload)],
      ['a payload that does not match its digest', (_root: string, payload: string) => writeFileSync(payload, readFileSync(payload, 'utf8').replace('curl', 'wget'))],
      ['a truncated payload', (_root: string, payload: string) => writeFileSync(payload, readFileSync(payload).subarray(0, 100))],
      ['a payload with a bad shape', (root: string, payload: string) => rehash(root, payload, JSON.stringify({ os: 'debian' }))],
      ['a payload with an unknown problem code', (root: string, payload: string) => rehash(root, payload, readFileSync(payload, 'utf8').replace('CATALOG_PARSE', 'NOT_A_CODE'))],
      ['first layers above the prefix', (root: string, payload: string) => rehash(root, payload, readFileSync(payload, 'utf8').replace('"first":[1]', '"first":[7]'))],
      ['layer problems not matching the layer count', (root: string) => writeFileSync(entryFile(root), readFileSync(entryFile(root), 'utf8').replace('"layers":2', '"layers":3'))],
    ])('%s', (_name, mutate) => {
      const { problems, got, entryLeft } = corrupt(mutate);
      expect(got).toBeUndefined();
      expect(problems.map((p) => p.code)).toEqual(['CACHE_CORRUPT']);
      expect(entryLeft).toBe(false); // removed, so the next scan rewrites it
    });

    it('a directory where the entry should be is a plain miss', () => {
      const { problems, got } = corrupt((root) => {
        rmSync(entryFile(root));
        mkdirSync(entryFile(root));
      });
      expect(got).toBeUndefined();
      expect(problems).toEqual([]);
    });

    it('refuses a huge entry file without reading it', () => {
      const root = tmp();
      const cache = new ScanCache(root);
      cache.put(KEY, state);
      writeFileSync(join(root, 'scans', `${KEY}.json`), Buffer.alloc(17 * 2 ** 20, 0x20));
      const problems: Problem[] = [];
      expect(cache.get(KEY, problems)).toBeUndefined();
      expect(problems.map((p) => p.code)).toEqual(['CACHE_CORRUPT']);
    });
  });

  it('a cache directory it cannot write only costs speed', () => {
    const root = tmp();
    writeFileSync(join(root, 'scans'), 'not a directory');
    const cache = new ScanCache(root);
    expect(() => cache.put(KEY, state)).not.toThrow();
    expect(cache.get(KEY, [])).toBeUndefined();
  });
});

describe('ScanCache payload', () => {
  it('is written in pieces that join to exactly the JSON of the whole payload', () => {
    const root = tmp();
    new ScanCache(root).put(KEY, state);
    const file = readdirSync(join(root, 'scans')).find((f) => f.startsWith('payload-')) as string;
    const text = readFileSync(join(root, 'scans', file), 'utf8');
    expect(JSON.stringify(JSON.parse(text))).toBe(text);
    expect(file).toBe(`payload-${createHash('sha256').update(text).digest('hex')}.json`);
    expect(JSON.parse(text).catalogers[0].packages[0]).toEqual(JSON.parse(JSON.stringify(pkg)));
  });
});
