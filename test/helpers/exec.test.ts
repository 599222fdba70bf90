import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommandError, exec, pipe } from './exec.js';
import { liveTmpDirs, tmpDir, withTmpDir } from './tmp.js';

describe('exec', () => {
  it('returns stdout and stderr, and feeds stdin', async () => {
    const r = await exec('sh', ['-c', 'cat; echo oops >&2'], { input: 'hello' });
    expect(r).toEqual({ stdout: 'hello', stderr: 'oops\n' });
  });

  it('throws a CommandError that carries stderr and the exit code', async () => {
    const err = await exec('sh', ['-c', 'echo broken pipe dream >&2; exit 3']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    expect((err as CommandError).exitCode).toBe(3);
    expect((err as CommandError).message).toContain('broken pipe dream');
  });

  it('kills a command that outlives its timeout', async () => {
    const started = Date.now();
    await expect(exec('sleep', ['30'], { timeoutMs: 300 })).rejects.toThrow(/killed/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('rejects a command that does not exist', async () => {
    await expect(exec('portcullis-no-such-command', [])).rejects.toThrow(/ENOENT|failed/);
  });
});

describe('pipe', () => {
  it('streams one command into another', async () => {
    await withTmpDir(async (dir) => {
      await writeFile(join(dir, 'a.txt'), 'payload');
      const out = join(dir, 'out');
      await exec('mkdir', [out]);
      await pipe(['tar', '-C', dir, '-c', 'a.txt'], ['tar', '-x', '-C', out]);
      expect(await readFile(join(out, 'a.txt'), 'utf8')).toBe('payload');
    });
  });

  it('fails when the producer fails, naming it and its stderr', async () => {
    await expect(pipe(['sh', '-c', 'echo producer-died >&2; exit 2'], ['cat'])).rejects.toThrow(/producer-died/);
  });

  it('fails when the consumer fails, even if the producer succeeded', async () => {
    await expect(pipe(['echo', 'not a tar'], ['tar', '-x', '-C', '/nonexistent-dir'])).rejects.toBeInstanceOf(CommandError);
  });

  it('fails (instead of hanging) when a side cannot be spawned', async () => {
    await expect(pipe(['portcullis-no-such-command'], ['cat'])).rejects.toThrow();
    await expect(pipe(['echo', 'x'], ['portcullis-no-such-command'])).rejects.toThrow();
  });
});

describe('tmpDir', () => {
  it('creates private directories and removes them, whatever the callback does', async () => {
    let seen = '';
    await expect(
      withTmpDir(async (dir) => {
        seen = dir;
        await writeFile(join(dir, 'f'), 'x');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(seen).toMatch(/portcullis-test-/);
    expect(existsSync(seen)).toBe(false);
    expect(liveTmpDirs()).not.toContain(seen);
  });

  it('tracks live directories until removed; remove is idempotent', async () => {
    const d = await tmpDir('track');
    expect(liveTmpDirs()).toContain(d.path);
    await d.remove();
    await d.remove();
    expect(existsSync(d.path)).toBe(false);
    expect(liveTmpDirs()).not.toContain(d.path);
  });
});
