import { open, readFile, realpath, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { PortcullisError } from '../../core/errors.js';
import { LOCK_FILE } from './files.js';

// Two writers on one directory would interleave two chains; one per process is tracked here,
// one per host by the LOCK file holding the writer's pid.
const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the directory's writer lock. A LOCK left by a dead process (SIGKILL leaves one) is
 * stale and taken over; so is one naming our own pid (a restarted container's pid 1).
 */
export async function acquireLock(dir: string): Promise<() => Promise<void>> {
  const real = await realpath(dir);
  if (held.has(real)) throw new PortcullisError('USAGE', `the audit log in ${dir} is already open in this process`, { path: dir });
  const path = join(real, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(path, 'wx', 0o600);
      try {
        await fh.writeFile(`${process.pid}\n`);
      } finally {
        await fh.close();
      }
      held.add(real);
      return async () => {
        held.delete(real);
        await unlink(path).catch(() => undefined);
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
      throw new PortcullisError('USAGE', `the audit log in ${dir} is in use by process ${pid}`, { path: dir });
    }
    await unlink(path).catch(() => undefined);
  }
  throw new PortcullisError('USAGE', `cannot take the lock ${path}`, { path });
}
