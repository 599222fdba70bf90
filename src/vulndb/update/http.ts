import { createHash } from 'node:crypto';
import { copyFile, link, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isPortcullisError, PortcullisError, toPortcullisError } from '../../core/errors.js';
import type { DownloadOptions, DownloadResult } from '../feeds/types.js';
import { contentEncoding, pumpBody } from './body.js';
import { BACKUP_SUFFIX, fsyncDir, PART_SUFFIX, resolveFeedFile, writeFileAtomic } from './files.js';
import { checkUrl, DEFAULT_HTTP_LIMITS, fetchError, get, type HttpLimits, type Reply } from './request.js';
import { parseContentRange, planResume, removePart, resumable, writePartMeta, type Resume } from './resume.js';

/** What a server said about a URL last time, sent back as If-None-Match / If-Modified-Since. */
export interface Validators {
  readonly etag?: string | undefined;
  readonly lastModified?: string | undefined;
}

export interface TransferProgress {
  readonly phase: 'start' | 'data' | 'end';
  readonly url: string;
  /** Feed-relative file for downloads, undefined for getJson. */
  readonly file: string | undefined;
  /** Bytes received so far, counting what a resumed `.part` already held. */
  readonly done: number;
  /** Expected bytes when the server says (Content-Length, Content-Range). */
  readonly total: number | undefined;
}

export interface FetchSessionOptions {
  /** The feed directory downloads land in. */
  readonly dir: string;
  /** Validators from the previous successful run, by URL. */
  readonly validators?: Readonly<Record<string, Validators>>;
  /** Where getJson keeps bodies it may need to replay after a 304; no conditional getJson without it. */
  readonly jsonCacheDir?: string;
  readonly limits?: Partial<HttpLimits>;
  readonly onProgress?: (p: TransferProgress) => void;
}

function validatorsOf(reply: Reply, fallback: Validators = {}): Validators {
  const etag = reply.res.headers.etag ?? fallback.etag;
  const lastModified = reply.res.headers['last-modified'] ?? fallback.lastModified;
  return { ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) };
}

function conditionalHeaders(v: Validators | undefined): Record<string, string> {
  if (!v) return {};
  return { ...(v.etag ? { 'if-none-match': v.etag } : {}), ...(v.lastModified ? { 'if-modified-since': v.lastModified } : {}) };
}

const exists = (path: string) => stat(path).then((s) => s.isFile(), () => false);
const jsonCacheName = (url: string) => `${createHash('sha256').update(url).digest('hex')}.json`;

/**
 * One feed's network session: the implementation behind FetchContext.download / getJson.
 * Every file it replaces is kept as `<file>.prev` until `commit()`; `rollback()` puts the
 * previous files back, so a feed whose fetch fails half-way keeps its previous data whole.
 */
export class FetchSession {
  private readonly limits: HttpLimits;
  private readonly previous: Readonly<Record<string, Validators>>;
  private readonly seen = new Map<string, Validators>();
  private readonly replaced = new Map<string, boolean>();
  private readonly inFlight = new Set<string>();
  private readonly jsonUsed = new Set<string>();
  private changedAny = false;

  constructor(private readonly opts: FetchSessionOptions) {
    this.limits = { ...DEFAULT_HTTP_LIMITS, ...opts.limits };
    this.previous = opts.validators ?? {};
  }

  /** Validators of every URL this session asked for, to remember for the next run. */
  get validators(): Record<string, Validators> {
    return Object.fromEntries(this.seen);
  }

  /** Whether any request returned a new body (as opposed to 304s only). */
  get changed(): boolean {
    return this.changedAny;
  }

  /** FetchContext.download: conditional, resumable, verified; every failure is a coded error. */
  download(url: string, dl: DownloadOptions): Promise<DownloadResult> {
    return this.downloadFile(url, dl).catch((err: unknown) => {
      throw toPortcullisError(err, 'FEED_FETCH', { url, path: dl.file });
    });
  }

  private async downloadFile(url: string, dl: DownloadOptions): Promise<DownloadResult> {
    const target = resolveFeedFile(this.opts.dir, dl.file, url);
    const parsed = checkUrl(url);
    if (this.inFlight.has(target)) throw fetchError(`"${dl.file}" is already being downloaded`, url);
    this.inFlight.add(target);
    try {
      await mkdir(dirname(target), { recursive: true });
      const old = (await exists(target)) ? this.previous[url] : undefined;
      const resume = await planResume(target, url);
      try {
        return await this.transfer(parsed, url, dl, target, old, resume);
      } catch (err) {
        // A range the server will not honour: start once more from byte 0.
        if (!(resume && isPortcullisError(err) && err.context.restart === true)) throw err;
        await removePart(target);
        return await this.transfer(parsed, url, dl, target, old, undefined);
      }
    } finally {
      this.inFlight.delete(target);
    }
  }

  private async transfer(parsed: URL, url: string, dl: DownloadOptions, target: string, old: Validators | undefined, resume: Resume | undefined): Promise<DownloadResult> {
    const extra = { 'accept-encoding': 'identity', ...conditionalHeaders(old), ...resume?.headers };
    const reply = await get(parsed, { ...dl.headers }, extra, this.limits);
    const status = reply.res.statusCode ?? 0;
    if (status === 304) {
      reply.destroy();
      if (!old) throw fetchError('server answered 304 to an unconditional request', reply.url, status);
      await removePart(target);
      this.seen.set(url, validatorsOf(reply, old));
      return { status: 'not-modified', bytes: 0 };
    }
    if (status === 416 && resume) {
      reply.destroy();
      throw new PortcullisError('FEED_FETCH', 'server refused the range', { url, status, restart: true });
    }
    if (status === 206 && resume) return this.receive(reply, url, dl.file, target, resume.offset);
    if (status === 200) {
      const fresh = validatorsOf(reply);
      // Same strong ETag as the file we have: the server ignored If-None-Match, nothing changed.
      if (old?.etag && !old.etag.startsWith('W/') && fresh.etag === old.etag) {
        reply.destroy();
        await removePart(target);
        this.seen.set(url, fresh);
        return { status: 'not-modified', bytes: 0 };
      }
      await removePart(target);
      const meta = { url, ...fresh };
      // A decoded gzip body cannot be resumed by byte offset: no meta, the next try starts over.
      if (contentEncoding(reply) === 'identity' && resumable(meta)) await writePartMeta(target, meta);
      return this.receive(reply, url, dl.file, target, 0);
    }
    reply.destroy();
    throw fetchError(`server answered HTTP ${status}`, reply.url, status);
  }

  /** Writes the body to `<target>.part` (appending after `offset`), then renames it into place. */
  private async receive(reply: Reply, url: string, file: string, target: string, offset: number): Promise<DownloadResult> {
    const status = reply.res.statusCode ?? 0;
    let total = Number(reply.res.headers['content-length'] ?? Number.NaN);
    if (offset > 0) {
      const range = parseContentRange(reply.res.headers['content-range']);
      if (!range || range.first !== offset || contentEncoding(reply) !== 'identity') {
        reply.destroy();
        throw new PortcullisError('FEED_FETCH', 'server sent a range other than the one asked for', { url, status, restart: true });
      }
      total = range.total ?? Number.NaN;
    } else if (contentEncoding(reply) !== 'identity') {
      total = Number.NaN;
    }
    const known = Number.isFinite(total) ? total : undefined;
    if (known !== undefined && known > this.limits.maxDownloadBytes) {
      reply.destroy();
      await removePart(target);
      throw new PortcullisError('FEED_FETCH', `file is larger than the limit of ${this.limits.maxDownloadBytes} bytes`, { url, status, limit: this.limits.maxDownloadBytes });
    }
    const part = `${target}${PART_SUFFIX}`;
    let done = offset;
    const report = (phase: TransferProgress['phase']) => this.opts.onProgress?.({ phase, url, file, done, total: known });
    report('start');
    const fh = await open(part, offset > 0 ? 'a' : 'w');
    try {
      await pumpBody(reply, async (chunk) => void (await fh.write(chunk)), {
        maxBytes: this.limits.maxDownloadBytes - offset,
        onBytes: (n) => {
          done += n;
          report('data');
        },
      });
    } catch (err) {
      await fh.close().catch(() => undefined);
      if (isPortcullisError(err) && err.context.limit !== undefined) await removePart(target);
      throw err;
    }
    await fh.sync();
    await fh.close();
    const size = (await stat(part)).size;
    if (known !== undefined && offset > 0 && size !== known) {
      await removePart(target);
      throw fetchError(`resumed file has ${size} bytes, the server announced ${known}`, url, status);
    }
    await this.install(part, target);
    await removePart(target);
    report('end');
    this.seen.set(url, validatorsOf(reply));
    this.changedAny = true;
    return { status: 'downloaded', bytes: size };
  }

  /** Keep the old file as `.prev` (first replacement in this session only), then rename. */
  private async install(part: string, target: string): Promise<void> {
    if (!this.replaced.has(target)) {
      const hadOld = await exists(target);
      if (hadOld) {
        const backup = `${target}${BACKUP_SUFFIX}`;
        await rm(backup, { force: true });
        // A hard link costs no copy; filesystems without links get a copy.
        await link(target, backup).catch(() => copyFile(target, backup));
      }
      this.replaced.set(target, hadOld);
    }
    await rename(part, target);
    await fsyncDir(dirname(target));
  }

  /** FetchContext.getJson: the parsed body, replayed from the cache after a 304. */
  getJson(url: string, headers?: Readonly<Record<string, string>>): Promise<unknown> {
    return this.fetchJson(url, headers).catch((err: unknown) => {
      throw toPortcullisError(err, 'FEED_FETCH', { url });
    });
  }

  private async fetchJson(url: string, headers?: Readonly<Record<string, string>>): Promise<unknown> {
    const parsed = checkUrl(url);
    const cache = this.opts.jsonCacheDir ? join(this.opts.jsonCacheDir, jsonCacheName(url)) : undefined;
    const old = cache && (await exists(cache)) ? this.previous[url] : undefined;
    const extra = { accept: 'application/json', 'accept-encoding': 'gzip', ...conditionalHeaders(old) };
    const reply = await get(parsed, { ...headers }, extra, this.limits);
    const status = reply.res.statusCode ?? 0;
    if (status === 304 && old && cache) {
      reply.destroy();
      this.seen.set(url, validatorsOf(reply, old));
      this.jsonUsed.add(jsonCacheName(url));
      return parseJson(await this.readCached(cache, url), url);
    }
    if (status !== 200) {
      reply.destroy();
      throw fetchError(`server answered HTTP ${status}`, reply.url, status);
    }
    const chunks: Buffer[] = [];
    let done = 0;
    const total = contentEncoding(reply) !== 'identity' ? undefined : Number(reply.res.headers['content-length'] ?? Number.NaN);
    const report = (phase: TransferProgress['phase']) => this.opts.onProgress?.({ phase, url, file: undefined, done, total: Number.isFinite(total) ? total : undefined });
    report('start');
    await pumpBody(reply, async (chunk) => void chunks.push(chunk), { maxBytes: this.limits.maxJsonBytes, onBytes: (n) => { done += n; report('data'); } });
    report('end');
    const body = Buffer.concat(chunks);
    const value = parseJson(body, url);
    const fresh = validatorsOf(reply);
    if (cache && (fresh.etag || fresh.lastModified)) {
      await mkdir(dirname(cache), { recursive: true });
      await writeFileAtomic(cache, body);
      this.jsonUsed.add(jsonCacheName(url));
    }
    this.seen.set(url, fresh);
    this.changedAny = true;
    return value;
  }

  private async readCached(cache: string, url: string): Promise<Buffer> {
    const size = (await stat(cache)).size;
    if (size > this.limits.maxJsonBytes) throw fetchError(`cached body of ${size} bytes is over the limit`, url);
    return readFile(cache);
  }

  /** The run succeeded: drop the backups and the getJson bodies no request used. */
  async commit(): Promise<void> {
    for (const target of this.replaced.keys()) await rm(`${target}${BACKUP_SUFFIX}`, { force: true });
    this.replaced.clear();
    const dir = this.opts.jsonCacheDir;
    if (!dir) return;
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) if (!this.jsonUsed.has(name)) await rm(join(dir, name), { force: true });
  }

  /** The run failed: put back every file this session replaced (newest first), keep `.part` files. */
  async rollback(): Promise<void> {
    for (const [target, hadOld] of [...this.replaced].reverse()) {
      if (hadOld) await rename(`${target}${BACKUP_SUFFIX}`, target);
      else await rm(target, { force: true });
    }
    this.replaced.clear();
  }
}

function parseJson(body: Buffer, url: string): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new PortcullisError('FEED_PARSE', `response is not valid JSON: ${(err as Error).message.slice(0, 200)}`, { url }, { cause: err });
  }
}
