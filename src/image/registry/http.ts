import { Readable } from 'node:stream';
import { PortcullisError, type ErrorContext } from '../../core/errors.js';
import { isLoopbackHost } from './reference.js';

/** Tunables; the defaults suit real registries, tests shrink them. */
export interface RegistryLimits {
  /** Time allowed until response headers arrive. */
  readonly requestTimeoutMs: number;
  /** Longest pause allowed between two body chunks. */
  readonly idleTimeoutMs: number;
  /** Largest manifest, index, config or token reply we buffer. */
  readonly maxDocumentBytes: number;
  /** Extra attempts after a 429 or 5xx. */
  readonly retries: number;
  readonly retryBaseMs: number;
  readonly maxRedirects: number;
}

export const DEFAULT_LIMITS: RegistryLimits = {
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 60_000,
  maxDocumentBytes: 4 * 1024 * 1024,
  retries: 2,
  retryBaseMs: 250,
  maxRedirects: 5,
};

export interface Transport {
  readonly insecure: boolean;
  readonly limits: RegistryLimits;
  readonly signal?: AbortSignal | undefined;
}

/** A response whose body is still unread, plus the controller that can abort it. */
export interface Reply {
  readonly res: Response;
  readonly url: URL;
  readonly abort: AbortController;
}

/**
 * Plain HTTP only to loopback and only with --insecure; anything else must be https.
 * Called for every URL we are about to contact, redirects and token realms included.
 */
export function checkScheme(url: URL, insecure: boolean, ctx: ErrorContext): void {
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && insecure && isLoopbackHost(url.host)) return;
  throw new PortcullisError('REGISTRY_INSECURE', `refusing ${url.protocol}//${url.host}: plain HTTP is allowed only to loopback with --insecure`, ctx);
}

function networkError(err: unknown, url: URL, t: Transport, timedOut: boolean, ctx: ErrorContext): PortcullisError {
  if (err instanceof PortcullisError) return err;
  if (timedOut) return new PortcullisError('REGISTRY_UNREACHABLE', `no answer from ${url.host} within ${t.limits.requestTimeoutMs} ms`, ctx);
  if (t.signal?.aborted) return new PortcullisError('REGISTRY_UNREACHABLE', `request to ${url.host} was cancelled`, ctx, { cause: err });
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message ?? (err as Error).message;
  return new PortcullisError('REGISTRY_UNREACHABLE', `cannot reach ${url.host}: ${detail}`, ctx, { cause: err });
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });

function retryDelay(res: Response, attempt: number, base: number): number {
  const after = Number(res.headers.get('retry-after'));
  if (Number.isFinite(after) && after > 0) return Math.min(after * 1000, 10_000);
  return base * 4 ** attempt;
}

/** One GET with a header timeout, no automatic redirects. */
async function fetchOnce(url: URL, headers: Record<string, string>, t: Transport, ctx: ErrorContext): Promise<Reply> {
  checkScheme(url, t.insecure, ctx);
  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; abort.abort(); }, t.limits.requestTimeoutMs);
  const signal = t.signal ? AbortSignal.any([abort.signal, t.signal]) : abort.signal;
  try {
    // identity: fetch would otherwise decode a Content-Encoding and we would hash the wrong bytes.
    const res = await fetch(url, { headers: { 'accept-encoding': 'identity', ...headers }, redirect: 'manual', signal });
    return { res, url, abort };
  } catch (err) {
    throw networkError(err, url, t, timedOut, ctx);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * GET with retries on 429/5xx and manually followed redirects. The Authorization header is
 * sent only to the origin it was meant for (a CDN redirect must not see our token).
 */
export async function get(url: URL, headers: Record<string, string>, t: Transport, ctx: ErrorContext): Promise<Reply> {
  let current = url;
  let hdrs = headers;
  for (let hop = 0; ; hop++) {
    let reply = await fetchOnce(current, hdrs, t, ctx);
    for (let attempt = 0; attempt < t.limits.retries && (reply.res.status === 429 || reply.res.status >= 500); attempt++) {
      await reply.res.body?.cancel().catch(() => undefined);
      await sleep(retryDelay(reply.res, attempt, t.limits.retryBaseMs), t.signal);
      reply = await fetchOnce(current, hdrs, t, ctx);
    }
    const { res } = reply;
    if (res.status < 300 || res.status >= 400 || res.status === 304) return reply;
    const location = res.headers.get('location');
    await res.body?.cancel().catch(() => undefined);
    if (!location) throw new PortcullisError('REGISTRY_PROTOCOL', `redirect ${res.status} from ${current.host} without a Location`, ctx);
    if (hop >= t.limits.maxRedirects) throw new PortcullisError('REGISTRY_PROTOCOL', `more than ${t.limits.maxRedirects} redirects`, ctx);
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      throw new PortcullisError('REGISTRY_PROTOCOL', `redirect to an invalid URL "${location.slice(0, 200)}"`, ctx);
    }
    if (next.username || next.password) throw new PortcullisError('REGISTRY_PROTOCOL', 'redirect URL carries credentials', ctx);
    if (next.origin !== url.origin) {
      const { authorization: _dropped, ...rest } = hdrs;
      hdrs = rest;
    }
    current = next;
  }
}

/** Maps a non-2xx status to the catalogue; `what` names the thing asked for. */
export function statusError(res: Response, what: string, ctx: ErrorContext): PortcullisError {
  const s = res.status;
  if (s === 401 || s === 403) return new PortcullisError('REGISTRY_AUTH', `${what}: registry answered ${s} (credentials missing or refused)`, ctx);
  if (s === 404) return new PortcullisError('IMAGE_NOT_FOUND', `${what}: not found (404)`, ctx);
  return new PortcullisError('REGISTRY_PROTOCOL', `${what}: unexpected HTTP ${s}`, ctx);
}

/** Reads a body of at most `max` bytes; larger bodies are abandoned, not buffered. */
export async function readCapped(reply: Reply, max: number, t: Transport, what: string, ctx: ErrorContext): Promise<Buffer> {
  const declared = Number(reply.res.headers.get('content-length'));
  const tooBig = () => new PortcullisError('REGISTRY_PROTOCOL', `${what} is larger than ${max} bytes`, ctx);
  if (Number.isFinite(declared) && declared > max) {
    reply.abort.abort();
    throw tooBig();
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of bodyStream(reply, t, ctx)) {
    total += (chunk as Buffer).length;
    if (total > max) {
      reply.abort.abort();
      throw tooBig();
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The body as a Node stream that fails with REGISTRY_UNREACHABLE when the connection is cut
 * or the server stays silent for idleTimeoutMs while we wait for data (a stalled server must
 * not hang a scan). The timer runs only while a read is pending, so a slow consumer is fine.
 */
export function bodyStream(reply: Reply, t: Transport, ctx: ErrorContext): Readable {
  const body = reply.res.body;
  if (!body) return Readable.from([]);
  const reader = body.getReader();
  let timer: NodeJS.Timeout | undefined;
  let stalled = false;
  const fail = (err: unknown): PortcullisError => {
    if (err instanceof PortcullisError) return err;
    if (stalled) return new PortcullisError('REGISTRY_UNREACHABLE', `${reply.url.host} sent nothing for ${t.limits.idleTimeoutMs} ms`, ctx);
    const detail = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    const why = t.signal?.aborted ? 'request cancelled' : `connection lost (${detail})`;
    return new PortcullisError('REGISTRY_UNREACHABLE', `${why} while reading from ${reply.url.host}`, ctx, { cause: err });
  };
  return new Readable({
    read() {
      timer = setTimeout(() => {
        stalled = true;
        reply.abort.abort();
      }, t.limits.idleTimeoutMs);
      reader.read().then(
        ({ done, value }) => {
          clearTimeout(timer);
          if (done) this.push(null);
          else this.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
        },
        (err: unknown) => {
          clearTimeout(timer);
          this.destroy(fail(err));
        },
      );
    },
    destroy(err, cb) {
      clearTimeout(timer);
      // Abandoning a body must also free the socket.
      if (err || !this.readableEnded) reply.abort.abort();
      reader.cancel().catch(() => undefined);
      cb(err);
    },
  });
}
