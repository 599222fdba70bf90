import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A cross-process lock made of a directory: mkdir is atomic, so exactly one of the vitest
 * workers (separate processes under `pool: 'forks'`) builds a shared fixture while the others
 * wait. A lock whose owner pid is gone is stale and taken over, so a killed run never blocks
 * the next one.
 */
export async function withFileLock<T>(lockDir: string, fn: () => Promise<T>, opts: { timeoutMs?: number; pollMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15 * 60_000);
  const pollMs = opts.pollMs ?? 250;
  for (;;) {
    if (await tryAcquire(lockDir)) break;
    if (await isStale(lockDir)) {
      await rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for lock ${lockDir} (owner ${await owner(lockDir)})`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
  try {
    return await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

async function tryAcquire(lockDir: string): Promise<boolean> {
  try {
    await mkdir(lockDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  await writeFile(join(lockDir, 'pid'), String(process.pid));
  return true;
}

async function owner(lockDir: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt(await readFile(join(lockDir, 'pid'), 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function isStale(lockDir: string): Promise<boolean> {
  const pid = await owner(lockDir);
  // No pid file: the owner is between mkdir and writeFile, or died right there. Only the
  // second case lasts, so an old pid-less lock is stale.
  if (pid === undefined) {
    const info = await stat(lockDir).catch(() => undefined);
    return info !== undefined && Date.now() - info.mtimeMs > 30_000;
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
