import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Problem } from '../../core/problem.js';
import type { LayerAnalysis } from './analysis.js';
import { defaultCacheDir, LayerCache } from './cache.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'pc-cache-'));
  dirs.push(d);
  return d;
};

const sample: LayerAnalysis = {
  diffId: `sha256:${'a'.repeat(64)}`,
  size: 1234,
  entries: [
    { path: '/etc', type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0 },
    { path: '/etc/os-release', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 10 },
    { path: '/bin', type: 'symlink', mode: 0o777, uid: 0, gid: 0, size: 0, link: 'usr/bin' },
  ],
  whiteouts: ['/tmp/x'],
  opaqueDirs: ['/opt'],
  captured: new Map([
    ['/etc/os-release', Buffer.from('ID=debian\n')],
    ['/usr/bin/app', Buffer.alloc(0)],
  ]),
  capturedBy: new Map([
    ['/etc/os-release', { wantedBy: [] }],
    ['/usr/bin/app', { wantedBy: ['go-binary'], summaries: { 'go-binary': { goVersion: 'go1.22.1', deps: [['a', 'v1']] } } }],
  ]),
  problems: [{ code: 'TAR_ENTRY_DEVICE', message: 'm', path: '/dev/null' }],
};

describe('LayerCache', () => {
  it('round-trips an analysis, keyed by digest and plugin versions', () => {
    const cache = new LayerCache(tmp());
    const key = LayerCache.key('sha256:x', [{ id: 'dpkg', version: '1' }]);
    expect(LayerCache.key('sha256:x', [{ id: 'dpkg', version: '2' }])).not.toBe(key);
    expect(LayerCache.key('sha256:y', [{ id: 'dpkg', version: '1' }])).not.toBe(key);
    cache.put(key, sample);
    const back = cache.get(key, []);
    expect(back?.entries).toEqual(sample.entries);
    expect(back?.captured.get('/etc/os-release')?.toString()).toBe('ID=debian\n');
    expect(back?.whiteouts).toEqual(['/tmp/x']);
    expect(back?.problems).toEqual(sample.problems);
    expect(back?.capturedBy.get('/usr/bin/app')).toEqual(sample.capturedBy.get('/usr/bin/app'));
  });

  it('treats a corrupt entry as a miss plus a CACHE_CORRUPT problem, and removes it', () => {
    const root = tmp();
    const cache = new LayerCache(root);
    const key = LayerCache.key('sha256:x', []);
    cache.put(key, sample);
    const file = join(root, 'layers', `${key}.bin`);
    for (const bad of [Buffer.from('garbage'), Buffer.from('PCLC1\n\xff\xff\xff\xff{', 'latin1'), Buffer.alloc(0)]) {
      writeFileSync(file, bad);
      const problems: Problem[] = [];
      expect(cache.get(key, problems)).toBeUndefined();
      expect(problems.map((p) => p.code)).toEqual(bad.length ? ['CACHE_CORRUPT'] : ['CACHE_CORRUPT']);
      expect(readdirSync(join(root, 'layers'))).toEqual([]);
      cache.put(key, sample);
    }
  });

  it('chooses the cache dir from the environment', () => {
    expect(defaultCacheDir({ PORTCULLIS_CACHE_DIR: '/x' })).toBe('/x');
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/c' })).toBe('/c/portcullis');
    expect(defaultCacheDir({ HOME: '/h' })).toBe('/h/.cache/portcullis');
  });
});
