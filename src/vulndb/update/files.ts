import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join, posix } from 'node:path';
import { PortcullisError } from '../../core/errors.js';

/**
 * File plumbing of the feed cache. Every file a parser may read appears by rename only, after
 * an fsync, so a crash or a cut connection never leaves half a file under a real name.
 */

/** A download in progress (kept across runs so the next attempt can resume with Range). */
export const PART_SUFFIX = '.part';
/** Validators of the `.part` (If-Range needs the ETag of the partial body, not of the old file). */
export const PART_META_SUFFIX = '.part-meta';
/** The previous version of a file replaced during a run, restored if the feed's fetch fails. */
export const BACKUP_SUFFIX = '.prev';
/** Written by the orchestrator in each feed directory. */
export const STATE_FILE = 'state.json';

const RESERVED_SUFFIXES = [PART_SUFFIX, PART_META_SUFFIX, BACKUP_SUFFIX] as const;

/**
 * Resolves a feed-relative file name. Feeds may build names from data the server sent (page
 * numbers, ecosystem names), so anything that could leave the directory or collide with our
 * own bookkeeping files is refused.
 */
export function resolveFeedFile(dir: string, file: string, url: string): string {
  const bad = (why: string) => new PortcullisError('FEED_FETCH', `refusing to write "${file.slice(0, 200)}": ${why}`, { url, path: file.slice(0, 200) });
  if (file.length === 0 || file.length > 512) throw bad('empty or too long a name');
  if (file.includes('\0') || file.includes('\\')) throw bad('NUL or backslash in the name');
  if (isAbsolute(file) || posix.isAbsolute(file)) throw bad('absolute path');
  const segments = file.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) throw bad('empty, "." or ".." path segment');
  if (file === STATE_FILE) throw bad('reserved for the update state');
  if (RESERVED_SUFFIXES.some((s) => file.endsWith(s)) || file.includes('.tmp-')) throw bad('reserved suffix');
  return join(dir, ...segments);
}

/** Makes a rename durable. Some filesystems refuse to fsync a directory; that is not fatal. */
export async function fsyncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // best effort: the rename itself is already atomic
  }
}

/** Writes `data` to a temp file beside `path`, fsyncs it and renames it over `path`. */
export async function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await fsyncDir(dirname(path));
}
