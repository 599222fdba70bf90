import { createReadStream } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, pipeline, type Readable } from 'node:stream';
import tar from 'tar-stream';
import { decompressor, sniffCompression } from '../../image/layers/decompress.js';
import { BACKUP_SUFFIX, PART_META_SUFFIX, PART_SUFFIX, STATE_FILE } from '../update/files.js';
import type { FeedReporter } from './reporter.js';

/**
 * File reading shared by the distro feeds' `parse`: a sorted walk of a feed directory that
 * skips the update orchestrator's bookkeeping, whole-file reads with a cap, line streams with
 * a cap per line, and tar archives (plain, gzip, zstd) read entry by entry. Memory stays at
 * one file, one line or one archive member.
 */

/** Files the update orchestrator keeps beside a feed's data (src/vulndb/update/files.ts). */
export function isBookkeeping(rel: string): boolean {
  if (rel === STATE_FILE) return true;
  return [PART_SUFFIX, PART_META_SUFFIX, BACKUP_SUFFIX].some((s) => rel.endsWith(s)) || rel.includes('.tmp-');
}

/**
 * Relative paths (with `/`) of the regular files under `dir` that `accept` takes, in sorted
 * order. Symlinks are not followed: a feed directory holds what its source published.
 */
export async function* walkFiles(dir: string, accept: (rel: string) => boolean, prefix = ''): AsyncGenerator<string> {
  let entries;
  try {
    entries = await readdir(join(dir, prefix), { withFileTypes: true });
  } catch (err) {
    // A missing or unreadable feed directory ends the parse; an unreadable subfolder is skipped.
    if (prefix === '') throw err;
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const rel = prefix === '' ? e.name : `${prefix}/${e.name}`;
    if (e.isDirectory()) yield* walkFiles(dir, accept, rel);
    else if (e.isFile() && !isBookkeeping(rel) && accept(rel)) yield rel;
  }
}

/** The whole file, or undefined (and a problem) when it is larger than `max` bytes or unreadable. */
export async function readCapped(dir: string, rel: string, max: number, rep: FeedReporter): Promise<Buffer | undefined> {
  try {
    const fh = await open(join(dir, rel), 'r');
    try {
      const { size } = await fh.stat();
      if (size > max) {
        rep.problem('FEED_PARSE', `file is ${size} bytes, more than the ${max} this feed reads`, rel);
        return undefined;
      }
      return await fh.readFile();
    } finally {
      await fh.close();
    }
  } catch (err) {
    rep.problem('FEED_PARSE', `cannot read: ${(err as Error).message}`, rel);
    return undefined;
  }
}

/** A line, or a marker that a line longer than the cap was skipped. */
export type Line = { readonly text: string; readonly tooLong?: false } | { readonly text: ''; readonly tooLong: true };

/** The lines of a UTF-8 stream (without `\n` / `\r\n`); lines over `maxBytes` are skipped, not held. */
export async function* lines(source: AsyncIterable<Buffer>, maxBytes: number): AsyncGenerator<Line> {
  let parts: Buffer[] = [];
  let held = 0;
  let skipping = false;
  const take = (): string => {
    const s = Buffer.concat(parts).toString('utf8');
    parts = [];
    held = 0;
    return s.endsWith('\r') ? s.slice(0, -1) : s;
  };
  for await (const chunk of source) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl === -1 ? chunk.length : nl;
      if (!skipping) {
        if (held + (end - start) > maxBytes) {
          skipping = true;
          parts = [];
          held = 0;
        } else {
          parts.push(chunk.subarray(start, end));
          held += end - start;
        }
      }
      if (nl === -1) break;
      if (skipping) yield { text: '', tooLong: true };
      else yield { text: take() };
      skipping = false;
      start = nl + 1;
    }
  }
  if (skipping) yield { text: '', tooLong: true };
  else if (held > 0) yield { text: take() };
}

/** The lines of a file (see `lines`). */
export function fileLines(path: string, maxBytes: number): AsyncGenerator<Line> {
  return lines(createReadStream(path, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>, maxBytes);
}

export interface ArchiveOptions {
  /** Which member names to read (after a leading `./` is dropped); the others are skipped unread. */
  readonly accept: (name: string) => boolean;
  /** Largest member read into memory; larger ones are skipped with a problem. */
  readonly maxEntryBytes: number;
}

export interface ArchiveEntry {
  readonly name: string;
  readonly data: Buffer;
}

/** Splits a member name into safe segments, or undefined when it is absolute or climbs out. */
function safeName(raw: string): string | undefined {
  const name = raw.replace(/^(\.\/)+/, '');
  if (name === '' || name.startsWith('/') || name.includes('\0') || name.includes('\\')) return undefined;
  if (name.split('/').some((s) => s === '..')) return undefined;
  return name;
}

/**
 * The accepted members of a tar archive (plain, gzip or zstd, sniffed by magic bytes), one at a
 * time. Unsafe names, oversized members, and a corrupt or truncated archive are problems; the
 * members before the damage are still yielded.
 */
export async function* archiveEntries(dir: string, rel: string, opts: ArchiveOptions, rep: FeedReporter): AsyncGenerator<ArchiveEntry> {
  const path = join(dir, rel);
  let head: Buffer;
  try {
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(4);
      const { bytesRead } = await fh.read(buf, 0, 4, 0);
      head = buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (err) {
    rep.problem('FEED_PARSE', `cannot read archive: ${(err as Error).message}`, rel);
    return;
  }
  const extract = tar.extract();
  const inflate = decompressor(sniffCompression(head)) ?? new PassThrough();
  let streamError: Error | undefined;
  pipeline(createReadStream(path) as Readable, inflate, extract, (err) => {
    if (err) streamError ??= err;
  });
  try {
    for await (const entry of extract) {
      const name = safeName(entry.header.name);
      const size = entry.header.size ?? 0;
      if (entry.header.type !== 'file') {
        entry.resume();
        continue;
      }
      if (name === undefined) {
        rep.problem('TAR_ENTRY_UNSAFE', `archive member ${JSON.stringify(entry.header.name.slice(0, 200))} has an unsafe name; skipped`, rel);
        entry.resume();
        continue;
      }
      if (!opts.accept(name)) {
        entry.resume();
        continue;
      }
      if (size > opts.maxEntryBytes) {
        rep.problem('FEED_PARSE', `archive member ${name} is ${size} bytes, more than the ${opts.maxEntryBytes} this feed reads`, rel);
        entry.resume();
        continue;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of entry as AsyncIterable<Buffer>) chunks.push(chunk);
      yield { name, data: Buffer.concat(chunks) };
    }
  } catch (err) {
    streamError ??= err as Error;
  } finally {
    extract.destroy();
  }
  if (streamError) rep.problem('FEED_PARSE', `archive is corrupt or truncated: ${streamError.message}`, rel);
}
