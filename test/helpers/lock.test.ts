import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withFileLock } from './lock.js';
import { tmpDirPool } from './tmp.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('withFileLock', () => {
  const tmp = tmpDirPool('lock');
  afterAll(() => tmp.removeAll());

  it('runs critical sections one at a time and releases the lock', async () => {
    const lock = join(await tmp.make(), 'x.lock');
    let inside = 0;
    let maxInside = 0;
    const section = async (i: number) =>
      withFileLock(
        lock,
        async () => {
          inside += 1;
          maxInside = Math.max(maxInside, inside);
          await sleep(30);
          inside -= 1;
          return i;
        },
        { pollMs: 5 },
      );
    expect(await Promise.all([0, 1, 2, 3].map(section))).toEqual([0, 1, 2, 3]);
    expect(maxInside).toBe(1);
    expect(existsSync(lock)).toBe(false);
  });

  it('releases the lock when the section throws', async () => {
    const lock = join(await tmp.make(), 'y.lock');
    await expect(withFileLock(lock, async () => Promise.reject(new Error('inner')))).rejects.toThrow('inner');
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over a lock whose owner process is gone', async () => {
    const lock = join(await tmp.make(), 'stale.lock');
    const dead = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
    await mkdir(lock);
    await writeFile(join(lock, 'pid'), dead);
    expect(await withFileLock(lock, async () => 'taken', { timeoutMs: 5_000 })).toBe('taken');
  });

  it('takes over an old lock without a pid file, but waits for a live owner', async () => {
    const dir = await tmp.make();
    const old = join(dir, 'old.lock');
    await mkdir(old);
    const past = new Date(Date.now() - 120_000);
    await utimes(old, past, past);
    expect(await withFileLock(old, async () => 'ok', { timeoutMs: 5_000 })).toBe('ok');

    const held = join(dir, 'held.lock');
    await mkdir(held);
    await writeFile(join(held, 'pid'), String(process.pid));
    await expect(withFileLock(held, async () => 'never', { timeoutMs: 300, pollMs: 20 })).rejects.toThrow(/timed out/);
  });
});
