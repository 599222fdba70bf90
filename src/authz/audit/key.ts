import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PortcullisError } from '../../core/errors.js';
import { type AuditFinding, finding } from './findings.js';

export const KEY_BYTES = 32;

export interface LoadedKey {
  readonly key: Uint8Array;
  readonly created: boolean;
  readonly findings: readonly AuditFinding[];
}

/**
 * The HMAC key of a log: 32 random bytes in a file only the plugin can read. Someone who can
 * write the log but not read this file cannot recompute the chain after an edit. With
 * `create`, a missing file is made with mode 0600 ('wx': never over an existing one, so two
 * starters cannot race each other into different keys).
 */
export async function loadAuditKey(path: string, opts: { create?: boolean } = {}): Promise<LoadedKey> {
  let created = false;
  if (opts.create) {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    try {
      const fh = await open(path, 'wx', 0o600);
      try {
        await fh.writeFile(randomBytes(KEY_BYTES));
        await fh.sync();
      } finally {
        await fh.close();
      }
      created = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw keyError(path, err);
    }
  }
  let key: Buffer;
  let mode: number;
  try {
    key = await readFile(path);
    mode = (await stat(path)).mode;
  } catch (err) {
    throw keyError(path, err);
  }
  if (key.length !== KEY_BYTES) throw new PortcullisError('USAGE', `audit key ${path} must hold exactly ${KEY_BYTES} bytes, it holds ${key.length}`, { path });
  const findings = (mode & 0o077) !== 0 ? [finding('key-permissions', `audit key ${path} is readable by others (mode ${(mode & 0o777).toString(8)}); make it 0600`, { file: path })] : [];
  return { key, created, findings };
}

function keyError(path: string, err: unknown): PortcullisError {
  return new PortcullisError('USAGE', `cannot read audit key ${path}: ${(err as Error).message}`, { path }, { cause: err });
}
