import { constants, createReadStream } from 'node:fs';
import { type FileHandle, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { decompressor, sniffCompression } from '../../image/layers/decompress.js';
import { BACKUP_SUFFIX, PART_META_SUFFIX, PART_SUFFIX, STATE_FILE } from '../update/files.js';
import type { FeedReporter } from './reporter.js';

/**
 * How feeds read what `fetch` left in their directory: a depth-bounded sorted walk, whole-file
 * reads with a cap, line streams with a cap per line, and tar archives (plain, gzip or zstd;
 * GitHub's codeload tarballs among them) read member by member, never extracted. Memory stays
 * at one file, one line or one member. Nothing here throws for bad input: each trouble is one
 * problem on the feed's reporter, and what was read before it stays read.
 */

/** Files the update orchestrator keeps beside a feed's data (src/vulndb/update/files.ts). */
export function isBookkeeping(rel: string): boolean {
  if (rel === STATE_FILE) return true;
  return [PART_SUFFIX, PART_META_SUFFIX, BACKUP_SUFFIX].some((s) => rel.endsWith(s)) || rel.includes('.tmp-');
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Relative paths (`/`-separated) of the regular files under `dir`, in sorted order, at most
 * `maxDepth` directories deep. Symbolic links are skipped (a feed directory holds data, and a
 * link could lead outside it or loop), and so are dot-entries (`.git`, `.github`: repository
 * plumbing, never advisories) and the orchestrator's bookkeeping (`isBookkeeping`). An
 * unreadable directory, the feed directory itself included, is a problem, not an exception.
 */
export async function* walkFiles(dir: string, maxDepth: number, rep: FeedReporter): AsyncGenerator<string> {
  async function* walk(rel: string, depth: number): AsyncGenerator<string> {
    let entries;
    try {
      entries = await readdir(join(dir, rel), { withFileTypes: true });
    } catch (err) {
      rep.problem('FEED_PARSE', `cannot read directory: ${(err as Error).message}`, rel || '.');
      return;
    }
    for (const e of entries.sort(byName)) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.name.startsWith('.') || isBookkeeping(child)) continue;
      if (e.isDirectory()) {
        if (depth >= maxDepth) rep.problem('FEED_PARSE', `directory nested deeper than ${maxDepth} levels skipped`, child);
        else yield* walk(child, depth + 1);
      } else if (e.isFile()) yield child;
    }
  }
  yield* walk('', 0);
}

/**
 * The whole of `dir/rel`, or undefined (and a problem at `rel`) when it is larger than `max`
 * bytes or unreadable. `noun` names the file in the problem ("zip is … bytes").
 */
export async function readCapped(dir: string, rel: string, max: number, rep: FeedReporter, noun = 'file'): Promise<Buffer | undefined> {
  try {
    // O_NOFOLLOW: a file the walk saw as regular that became a link since is not followed.
    const fh = await open(join(dir, rel), constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const st = await fh.stat();
      if (!st.isFile()) {
        rep.problem('FEED_PARSE', `cannot read ${noun}: not a regular file`, rel);
        return undefined;
      }
      if (st.size > max) {
        rep.problem('FEED_PARSE', `${noun} is ${st.size} bytes, over the limit of ${max}`, rel);
        return undefined;
      }
      return await fh.readFile();
    } finally {
      await fh.close();
    }
  } catch (err) {
    rep.problem('FEED_PARSE', `cannot read ${noun}: ${(err as Error).message}`, rel);
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

export interface ArchiveLimits {
  /** Members looked at (of any type) before the rest of the archive is skipped. */
  readonly maxEntries: number;
  /** Largest member (and, in `feedFiles`, largest plain file) read into memory. */
  readonly maxEntryBytes: number;
  /** Decompressed bytes of the whole tar stream, headers included: bounds a compression bomb. */
  readonly maxTotalBytes: number;
}

export interface ArchiveOptions extends ArchiveLimits {
  /** Which member names (normalized, after `stripRoot`) to read; the others are skipped unread. */
  readonly want: (name: string) => boolean;
  /** Drop the first path segment, the `<repo>-<ref>/` folder of a GitHub codeload tarball. */
  readonly stripRoot?: boolean;
}

export interface FeedFile {
  /** The file's path relative to the feed directory, or the member name inside the archive. */
  readonly name: string;
  /** Where problems about it go: `rel`, or `<archive rel>!<member name>`. */
  readonly path: string;
  readonly data: Buffer;
}

/** `a/./b//c` → `a/b/c`; undefined when the name is empty, absolute, climbs with `..`, or holds NUL or `\`. */
export function safeMemberName(name: string): string | undefined {
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name) || name.includes('\0') || name.includes('\\')) return undefined;
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  return parts.length === 0 || parts.includes('..') ? undefined : parts.join('/');
}

/** Passes bytes through until `max` have gone by, then fails the stream. */
class ByteCap extends Transform {
  private seen = 0;
  constructor(private readonly max: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.max) done(new Error(`inflates to more than ${this.max} bytes`));
    else done(null, chunk);
  }
}

async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of stream) {
    // discarded unread
  }
}

/**
 * The wanted regular-file members of the tar archive `dir/rel`, compressed or not (sniffed by
 * magic bytes: SCANNER-NOTES §1.4), one at a time. Links, devices and directories are passed
 * over; an unsafe name is a TAR_ENTRY_UNSAFE problem; an oversized member, too many members,
 * too many decompressed bytes and a corrupt or truncated archive are FEED_PARSE problems.
 */
export async function* archiveEntries(dir: string, rel: string, opts: ArchiveOptions, rep: FeedReporter): AsyncGenerator<FeedFile> {
  let fh: FileHandle | undefined;
  const magic = Buffer.alloc(4);
  try {
    // One open, without following a link, for the sniff and the stream alike.
    fh = await open(join(dir, rel), constants.O_RDONLY | constants.O_NOFOLLOW);
    await fh.read(magic, 0, 4, 0); // a shorter file leaves zeros, which sniff as no compression
  } catch (err) {
    await fh?.close();
    rep.problem('FEED_PARSE', `cannot read archive: ${(err as Error).message}`, rel);
    return;
  }
  const extract = tar.extract();
  const inflate = decompressor(sniffCompression(magic));
  const file = fh.createReadStream({ start: 0 });
  const cap = new ByteCap(opts.maxTotalBytes);
  // Settles with the first stream error, or undefined; an early stop (a cap, a caller's break) destroys it quietly.
  const done = (inflate ? pipeline(file, inflate, cap, extract) : pipeline(file, cap, extract)).then(
    () => undefined,
    (err: Error) => err,
  );
  let count = 0;
  try {
    for await (const entry of extract) {
      const h = entry.header;
      if (++count > opts.maxEntries) {
        rep.problem('FEED_PARSE', `more than ${opts.maxEntries} members; the rest of the archive was skipped`, rel);
        return;
      }
      const isFile = h.type === 'file' || h.type === 'contiguous-file';
      let name = isFile ? safeMemberName(h.name) : undefined;
      if (isFile && name === undefined) rep.problem('TAR_ENTRY_UNSAFE', `unsafe member name ${JSON.stringify(h.name.slice(0, 200))} skipped`, rel);
      // With stripRoot, a file beside the root folder is outside the tree the caller reads.
      if (name !== undefined && opts.stripRoot) name = name.includes('/') ? name.slice(name.indexOf('/') + 1) : undefined;
      if (name === undefined || !opts.want(name)) {
        await drain(entry);
        continue;
      }
      if ((h.size ?? 0) > opts.maxEntryBytes) {
        rep.problem('FEED_PARSE', `member is ${h.size} bytes, over the limit of ${opts.maxEntryBytes}`, `${rel}!${name}`);
        await drain(entry);
        continue;
      }
      const chunks: Buffer[] = [];
      for await (const c of entry as AsyncIterable<Buffer>) chunks.push(c);
      yield { name, path: `${rel}!${name}`, data: Buffer.concat(chunks) };
    }
    const err = await done;
    if (err) rep.problem('FEED_PARSE', `corrupt or truncated archive: ${err.message}`, rel);
  } catch (e) {
    // The pipeline's own error says more than the "premature close" the extractor saw.
    const err = (await Promise.race([done, Promise.resolve(undefined)])) ?? (e as Error);
    rep.problem('FEED_PARSE', `corrupt or truncated archive: ${err.message}`, rel);
  } finally {
    extract.destroy();
    rep.finishFile(rel);
  }
}

export interface TreeLimits extends ArchiveLimits {
  /** Directory levels walked below the feed directory. */
  readonly maxDepth: number;
}

export interface FeedFileOptions extends ArchiveOptions, TreeLimits {
  /** Which walked files are tar archives, read member by member with `want` (not `want`ed themselves). */
  readonly isArchive: (rel: string) => boolean;
}

/**
 * The wanted files of a feed directory that holds plain files, tar archives of them, or both
 * (a checkout, an unpacked snapshot, the tarball `fetch` downloaded). `want` sees tree paths
 * and member names alike, so one pattern serves both. Each file is capped at `maxEntryBytes`.
 */
export async function* feedFiles(dir: string, opts: FeedFileOptions, rep: FeedReporter): AsyncGenerator<FeedFile> {
  for await (const rel of walkFiles(dir, opts.maxDepth, rep)) {
    if (opts.isArchive(rel)) {
      yield* archiveEntries(dir, rel, opts, rep);
    } else if (opts.want(rel)) {
      const data = await readCapped(dir, rel, opts.maxEntryBytes, rep);
      if (data) yield { name: rel, path: rel, data };
    }
  }
}

/**
 * A GitHub repository's files, from a checkout or from the codeload tarballs (`<repo>-<ref>/…`)
 * `fetch` put at the top of the directory; tarballs deeper down are the repository's own data.
 */
export function repoFiles(dir: string, want: (name: string) => boolean, limits: TreeLimits, rep: FeedReporter): AsyncGenerator<FeedFile> {
  return feedFiles(dir, { ...limits, want, isArchive: (rel) => !rel.includes('/') && /\.(tar\.gz|tgz)$/.test(rel), stripRoot: true }, rep);
}
