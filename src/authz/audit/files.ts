import { writeSync } from 'node:fs';
import { open, readdir } from 'node:fs/promises';

/** Log files are audit-000001.jsonl, audit-000002.jsonl…: the number orders them. */
export const LOG_FILE_RE = /^audit-(\d{6,15})\.jsonl$/;
export const HEAD_FILE = 'HEAD';
export const LOCK_FILE = 'LOCK';

export interface LogFile {
  readonly name: string;
  readonly number: number;
}

export function logFileName(n: number): string {
  return `audit-${String(n).padStart(6, '0')}.jsonl`;
}

export function logFileNumber(name: string): number | undefined {
  const m = LOG_FILE_RE.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** The log files in `dir`, oldest first. Other names (HEAD, LOCK, torn-tail copies) are not log files. */
export async function listLogFiles(dir: string): Promise<LogFile[]> {
  const files: LogFile[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const n = logFileNumber(e.name);
    if (n !== undefined && e.isFile()) files.push({ name: e.name, number: n });
  }
  return files.sort((a, b) => a.number - b.number);
}

/** Makes a created, renamed or removed entry of `dir` durable (Linux allows fsync on a directory). */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes all of `buf` at the end of an O_APPEND file (write may be partial for large buffers). */
/**
 * Writes `buf` at the file's position, synchronously: a write into the page cache takes
 * microseconds, while handing it to libuv's thread pool costs a round trip per batch on the
 * decision path (bench/authz profile). The fdatasync that makes it durable stays asynchronous.
 */
export function writeAll(fh: import('node:fs/promises').FileHandle, buf: Buffer): void {
  let done = 0;
  while (done < buf.length) done += writeSync(fh.fd, buf, done, buf.length - done);
}
