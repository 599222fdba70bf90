import { createReadStream } from 'node:fs';
import { lstat, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { isBookkeeping } from './feed-io.js';

/**
 * How feeds read what `fetch` left in their directory: a depth-bounded walk over a file tree
 * (a git checkout, an unpacked archive), and a streaming read of a repository tarball as
 * GitHub's codeload serves it (`<repo>-<ref>/…`), entry by entry, never extracted to disk.
 * Nothing here throws for bad input: it calls `report` and goes on.
 */

export type Report = (message: string, path: string) => void;

export interface FoundFile {
  /** Path relative to the walked directory, `/`-separated. */
  readonly rel: string;
  readonly abs: string;
  readonly size: number;
}

/**
 * Regular files under `dir` in sorted order, at most `maxDepth` directories deep. Symbolic
 * links are skipped (a feed directory holds data, and a link could lead outside it), and so
 * are dot-entries (`.git`, `.github`: repository plumbing, never advisories) and the update
 * orchestrator's own files (`state.json`, `*.part`, `*.prev`: feed-io.ts `isBookkeeping`).
 */
export async function* walkTree(dir: string, maxDepth: number, report: Report, rel = '', depth = 0): AsyncGenerator<FoundFile> {
  let entries;
  try {
    entries = await readdir(join(dir, rel), { withFileTypes: true });
  } catch (e) {
    report(`cannot read directory: ${(e as Error).message}`, rel || '.');
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.') || e.isSymbolicLink()) continue;
    const childRel = rel ? `${rel}/${e.name}` : e.name;
    if (isBookkeeping(childRel)) continue;
    if (e.isDirectory()) {
      if (depth >= maxDepth) report(`directory nested deeper than ${maxDepth} levels skipped`, childRel);
      else yield* walkTree(dir, maxDepth, report, childRel, depth + 1);
    } else if (e.isFile()) {
      const abs = join(dir, childRel);
      const st = await lstat(abs).catch(() => undefined);
      if (st?.isFile()) yield { rel: childRel, abs, size: st.size };
    }
  }
}

export interface ArchiveLimits {
  /** Members looked at (of any type) before the archive is abandoned. */
  readonly maxEntries: number;
  /** Largest member read into memory. */
  readonly maxEntryBytes: number;
  /** Inflated bytes of the whole tar stream (headers included): bounds a gzip bomb. */
  readonly maxTotalBytes: number;
}

export interface FileData {
  readonly rel: string;
  readonly data: Buffer;
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

/** `a/./b//c` → `a/b/c`; undefined when the name is absolute or climbs with `..`. */
export function safeMemberName(name: string): string | undefined {
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return undefined;
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  return parts.includes('..') ? undefined : parts.join('/');
}

async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of stream) {
    // discard
  }
}

/**
 * Regular-file members of a `.tar.gz` that `want` selects, one at a time. A corrupt,
 * truncated or oversized archive ends with one report; what was read before stays read.
 */
export async function* tarGzFiles(abs: string, label: string, want: (rel: string) => boolean, limits: ArchiveLimits, report: Report): AsyncGenerator<FileData> {
  const extract = tar.extract();
  const done = pipeline(createReadStream(abs), createGunzip(), new ByteCap(limits.maxTotalBytes), extract).catch((e: Error) => e);
  let count = 0;
  try {
    for await (const entry of extract) {
      const h = entry.header;
      if (++count > limits.maxEntries) {
        report(`more than ${limits.maxEntries} members; the rest of the archive was skipped`, label);
        return;
      }
      const name = safeMemberName(h.name);
      const isFile = h.type === 'file' || h.type === 'contiguous-file';
      if (isFile && name === undefined) report(`unsafe member name ${JSON.stringify(h.name.slice(0, 200))} skipped`, label);
      if (!isFile || name === undefined || !want(name)) {
        await drain(entry);
        continue;
      }
      if ((h.size ?? 0) > limits.maxEntryBytes) {
        report(`member is ${h.size} bytes, over the limit of ${limits.maxEntryBytes}`, `${label}!${name}`);
        await drain(entry);
        continue;
      }
      const chunks: Buffer[] = [];
      for await (const c of entry as AsyncIterable<Buffer>) chunks.push(c);
      yield { rel: name, data: Buffer.concat(chunks) };
    }
    const err = await done;
    if (err) report(`corrupt or truncated archive: ${err.message}`, label);
  } catch (e) {
    const err = (await Promise.race([done, Promise.resolve(undefined)])) ?? e;
    report(`corrupt or truncated archive: ${(err as Error).message}`, label);
  } finally {
    extract.destroy();
  }
}

export interface RepoLimits extends ArchiveLimits {
  readonly maxDepth: number;
}

/**
 * Files of a repository given either as a checkout under `dir` or as `*.tar.gz` files at the
 * top of `dir` (what `fetch` downloads). `want` sees paths relative to the tree or the
 * archive root (`ruby-advisory-db-master/gems/rack/CVE-….yml`), so patterns should match a
 * suffix. Tree files yield `rel`; archive members yield `<archive>!<member>`.
 */
export async function* repoFiles(dir: string, want: (rel: string) => boolean, limits: RepoLimits, report: Report): AsyncGenerator<FileData> {
  for await (const f of walkTree(dir, limits.maxDepth, report)) {
    if (!f.rel.includes('/') && /\.(tar\.gz|tgz)$/.test(f.rel)) {
      for await (const m of tarGzFiles(f.abs, f.rel, want, limits, report)) yield { rel: `${f.rel}!${m.rel}`, data: m.data };
      continue;
    }
    if (!want(f.rel)) continue;
    if (f.size > limits.maxEntryBytes) {
      report(`file is ${f.size} bytes, over the limit of ${limits.maxEntryBytes}`, f.rel);
      continue;
    }
    try {
      yield { rel: f.rel, data: await readFile(f.abs) };
    } catch (e) {
      report(`cannot read file: ${(e as Error).message}`, f.rel);
    }
  }
}
