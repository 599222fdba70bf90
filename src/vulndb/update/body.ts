import { createGunzip } from 'node:zlib';
import { PortcullisError } from '../../core/errors.js';
import { fetchError, type Reply } from './request.js';

export interface BodyOptions {
  /** Bytes the destination may still receive after decoding (a cap, not an expectation). */
  readonly maxBytes: number;
  /** Called with the count of raw bytes of each chunk as it arrives (progress). */
  readonly onBytes?: (n: number) => void;
}

export interface BodyResult {
  /** Bytes received on the wire (what Content-Length counts). */
  readonly raw: number;
  /** Bytes handed to the destination. */
  readonly decoded: number;
}

/** `gzip` when the body must be gunzipped, `identity` when not; anything else is refused. */
export function contentEncoding(reply: Reply): 'gzip' | 'identity' {
  const enc = String(reply.res.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (enc === 'identity' || enc === '') return 'identity';
  if (enc === 'gzip' || enc === 'x-gzip') return 'gzip';
  throw fetchError(`unsupported Content-Encoding "${enc.slice(0, 50)}"`, reply.url, reply.res.statusCode);
}

/** Content-Length as a number, undefined when absent; a malformed one is an error. */
export function declaredLength(reply: Reply): number | undefined {
  const raw = reply.res.headers['content-length'];
  if (raw === undefined) return undefined;
  if (!/^\d{1,16}$/.test(raw)) throw fetchError(`malformed Content-Length "${raw.slice(0, 50)}"`, reply.url, reply.res.statusCode);
  return Number(raw);
}

/** Pending writes at which the socket is paused, and resumed again (bounds memory). */
const HIGH_WATER = 16;
const LOW_WATER = 4;

/**
 * Streams the body of `reply` into `write`, gunzipping when the server says so, and verifies
 * that exactly Content-Length bytes arrived. The body is read in flowing mode and every chunk
 * is queued for writing as it arrives: a cut connection destroys the response stream and with
 * it anything still buffered, so pulling (pipeline) would lose bytes that did arrive, and the
 * `.part` a resume starts from would be shorter. Writes run one at a time; the socket pauses
 * while HIGH_WATER are pending. A body growing past `maxBytes` (before or after decoding: a
 * gzip bomb) is abandoned at once.
 */
export async function pumpBody(reply: Reply, write: (chunk: Buffer) => Promise<void>, opts: BodyOptions): Promise<BodyResult> {
  const { res, url } = reply;
  const status = res.statusCode;
  const encoding = contentEncoding(reply);
  const declared = declaredLength(reply);
  // `limit` in the context tells the caller a retry cannot help (the partial file is dropped).
  const tooBig = () => new PortcullisError('FEED_FETCH', `body is larger than the limit of ${opts.maxBytes} bytes`, { url: String(url), status, limit: opts.maxBytes });
  if (declared !== undefined && declared > opts.maxBytes) {
    reply.destroy();
    throw tooBig();
  }
  let raw = 0;
  let decoded = 0;
  const describe = (err: unknown): PortcullisError => {
    if (err instanceof PortcullisError) return err;
    if (reply.timedOut()) return fetchError(`${url.host} stalled after ${raw} bytes`, url, status, err);
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code.startsWith('Z_')) return fetchError(`gzip body is corrupt or truncated (${code})`, url, status, err);
    const of = declared === undefined ? '' : ` of ${declared}`;
    return fetchError(`connection lost after ${raw}${of} bytes (${code || (err as Error).message})`, url, status, err);
  };

  return new Promise<BodyResult>((resolve, reject) => {
    const gunzip = encoding === 'gzip' ? createGunzip() : undefined;
    let queue = Promise.resolve();
    let pending = 0;
    let failure: unknown;
    let settled = false;
    let writeFailed = false;

    const settle = () => {
      if (settled) return;
      settled = true;
      void queue.then(() => {
        if (failure !== undefined) return reject(describe(failure));
        if (declared !== undefined && raw !== declared) return reject(fetchError(`body has ${raw} bytes but Content-Length says ${declared}`, url, status));
        resolve({ raw, decoded });
      });
    };
    const fail = (err: unknown) => {
      // A write may fail after the body ended: still recorded, settle's callback has not run yet.
      if (failure !== undefined) return;
      failure = err;
      gunzip?.destroy();
      reply.destroy();
      settle();
    };
    const enqueue = (chunk: Buffer) => {
      decoded += chunk.length;
      if (decoded > opts.maxBytes) return fail(tooBig());
      if (++pending >= HIGH_WATER) {
        res.pause();
        gunzip?.pause();
      }
      queue = queue
        // Bytes that arrived before a cut are still written: they are a valid prefix to resume from.
        .then(() => (writeFailed ? undefined : write(chunk)))
        .then(() => {
          if (--pending <= LOW_WATER && failure === undefined) {
            res.resume();
            gunzip?.resume();
          }
        }, (err: unknown) => {
          writeFailed = true;
          fail(err);
        });
    };

    reply.tap.attach({
      data: (chunk) => {
        if (failure !== undefined) return;
        raw += chunk.length;
        if (raw > opts.maxBytes) return fail(tooBig());
        opts.onBytes?.(chunk.length);
        if (gunzip) gunzip.write(chunk);
        else enqueue(chunk);
      },
      end: () => {
        if (gunzip) gunzip.end();
        else settle();
      },
      error: fail,
    });
    gunzip?.on('data', enqueue);
    gunzip?.on('end', settle);
    gunzip?.on('error', fail);
  });
}
