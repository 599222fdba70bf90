import http, { type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { PortcullisError } from '../../core/errors.js';
import { isLoopbackHost } from '../../image/registry/reference.js';

/*
 * Why node:http(s) and not the global fetch (undici): fetch decodes Content-Encoding on its
 * own, so the bytes we count are not the bytes Content-Length and Range talk about, and a
 * resumed gzip body could not be verified; it also has no connect timeout without undici's
 * Agent, which Node does not expose. node:http hands us the raw bytes, the socket (connect and
 * idle timers) and every header as sent.
 */

/** Tunables; the defaults suit the real feed servers, tests shrink them. */
export interface HttpLimits {
  /** Time allowed for DNS, TCP and TLS together. */
  readonly connectTimeoutMs: number;
  /** Longest silence allowed on the socket, while waiting for headers or between body chunks. */
  readonly idleTimeoutMs: number;
  /** Largest file `download` writes (bytes on disk, after any gzip decoding). */
  readonly maxDownloadBytes: number;
  /** Largest body `getJson` holds in memory (after any gzip decoding). */
  readonly maxJsonBytes: number;
  readonly maxRedirects: number;
  /** Extra attempts after a 429 or 5xx answer. */
  readonly retries: number;
  readonly retryBaseMs: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  connectTimeoutMs: 30_000,
  idleTimeoutMs: 120_000,
  // The largest OSV all.zip files are a few hundred MB; leave room for growth.
  maxDownloadBytes: 8 * 1024 ** 3,
  // One NVD API page of 2,000 CVEs is some tens of MB.
  maxJsonBytes: 256 * 1024 ** 2,
  maxRedirects: 5,
  retries: 2,
  retryBaseMs: 1_000,
};

const USER_AGENT = 'portcullis-vulndb-update';
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const RETRYABLE = new Set([429, 500, 502, 503, 504]);

export function fetchError(message: string, url: URL | string, status?: number, cause?: unknown): PortcullisError {
  const ctx = { url: String(url), ...(status === undefined ? {} : { status }) };
  return new PortcullisError('FEED_FETCH', message, ctx, cause === undefined ? undefined : { cause });
}

/** https anywhere; plain http only to loopback (local mirrors and tests). Checked on every hop. */
export function checkUrl(raw: string | URL): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw fetchError(`not a valid URL: "${String(raw).slice(0, 200)}"`, String(raw).slice(0, 200));
  }
  if (url.username || url.password) throw fetchError('URLs with credentials are refused', `${url.protocol}//${url.host}${url.pathname}`);
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.host)) return url;
  throw fetchError(`refusing ${url.protocol}//${url.host}: only https, or plain http to a loopback address, is allowed`, url);
}

export interface BodySink {
  data(chunk: Buffer): void;
  end(): void;
  error(err: unknown): void;
}

/** Bytes held for a body nobody reads yet; past this the socket is paused. */
const EARLY_MAX = 1024 * 1024;

/**
 * Starts reading a body the moment headers arrive and keeps what comes until a consumer
 * attaches. A cut connection destroys the response stream and drops whatever it buffered, so
 * without this the bytes that arrived while the caller prepared its `.part` file (async file
 * work) would be lost, and a resume would start from less than was received.
 */
export class BodyTap {
  private early: Buffer[] = [];
  private size = 0;
  private outcome: { readonly err?: unknown } | undefined;
  private sink: BodySink | undefined;
  private ended = false;

  constructor(private readonly res: IncomingMessage) {
    res.on('data', (chunk: Buffer) => {
      if (this.sink) return this.sink.data(chunk);
      this.early.push(chunk);
      this.size += chunk.length;
      if (this.size > EARLY_MAX) res.pause();
    });
    res.on('end', () => {
      this.ended = true;
      this.finish({});
    });
    res.on('error', (err) => this.finish({ err }));
    res.on('close', () => {
      if (!this.ended) this.finish({ err: new Error('connection closed before the end of the body') });
    });
  }

  private finish(outcome: { readonly err?: unknown }): void {
    if (!this.sink) {
      this.outcome ??= outcome;
      return;
    }
    if ('err' in outcome) this.sink.error(outcome.err);
    else this.sink.end();
  }

  attach(sink: BodySink): void {
    this.sink = sink;
    const early = this.early;
    this.early = [];
    for (const chunk of early) sink.data(chunk);
    if (this.outcome) this.finish(this.outcome);
    else this.res.resume();
  }
}

/** A response with its body being read into a tap; `destroy` abandons it and frees the socket. */
export interface Reply {
  readonly res: IncomingMessage;
  readonly url: URL;
  readonly tap: BodyTap;
  /** Set when the socket's idle timer fired (so a body error can say "stalled"). */
  readonly timedOut: () => boolean;
  destroy(): void;
}

/** One GET on a fresh connection, with connect and idle timers, no redirect handling. */
function requestOnce(url: URL, headers: OutgoingHttpHeaders, limits: HttpLimits): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : http;
    let stalled = false;
    let connectTimer: NodeJS.Timeout | undefined;
    // agent:false gives every request its own socket, so the connect timer always measures a
    // real connect; feeds make few requests, keep-alive would save little.
    const req = mod.request(url, { method: 'GET', headers: { 'user-agent': USER_AGENT, ...headers }, agent: false });
    const fail = (message: string) => {
      clearTimeout(connectTimer);
      req.destroy(fetchError(message, url));
    };
    req.on('socket', (socket) => {
      connectTimer = setTimeout(() => fail(`could not connect to ${url.host} within ${limits.connectTimeoutMs} ms`), limits.connectTimeoutMs);
      socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer));
      socket.setTimeout(limits.idleTimeoutMs, () => {
        stalled = true;
        socket.destroy(fetchError(`${url.host} sent nothing for ${limits.idleTimeoutMs} ms`, url));
      });
    });
    req.on('response', (res) => {
      clearTimeout(connectTimer);
      resolve({ res, url, tap: new BodyTap(res), timedOut: () => stalled, destroy: () => req.destroy() });
    });
    req.on('error', (err) => {
      clearTimeout(connectTimer);
      if (err instanceof PortcullisError) return reject(err);
      const code = (err as NodeJS.ErrnoException).code;
      let why = `cannot reach ${url.host}: ${code ?? err.message}`;
      if (stalled) why = `${url.host} sent nothing for ${limits.idleTimeoutMs} ms`;
      else if (code?.startsWith('HPE_')) why = `invalid HTTP response from ${url.host} (${code})`;
      reject(fetchError(why, url, undefined, err));
    });
    req.end();
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function retryDelay(res: IncomingMessage, attempt: number, base: number): number {
  const after = Number(res.headers['retry-after']);
  if (Number.isFinite(after) && after > 0) return Math.min(after * 1000, 30_000);
  return base * 4 ** attempt;
}

/**
 * GET following redirects (at most `maxRedirects`, each target checked by checkUrl) and
 * retrying 429/5xx. Caller headers (an API key) are dropped when a redirect leaves the
 * origin. Returns any final status; callers decide what 200/206/304/4xx mean.
 */
export async function get(url: URL, headers: OutgoingHttpHeaders, extra: OutgoingHttpHeaders, limits: HttpLimits): Promise<Reply> {
  let current = checkUrl(url);
  // Lower-case names so ours (Range, Accept-Encoding) replace a caller's instead of doubling them.
  let callerHeaders: OutgoingHttpHeaders = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  for (let hop = 0; ; hop++) {
    let reply = await requestOnce(current, { ...callerHeaders, ...extra }, limits);
    for (let attempt = 0; attempt < limits.retries && RETRYABLE.has(reply.res.statusCode ?? 0); attempt++) {
      reply.destroy();
      await sleep(retryDelay(reply.res, attempt, limits.retryBaseMs));
      reply = await requestOnce(current, { ...callerHeaders, ...extra }, limits);
    }
    const status = reply.res.statusCode ?? 0;
    if (!REDIRECTS.has(status)) return reply;
    reply.destroy();
    const location = reply.res.headers.location;
    if (!location) throw fetchError(`redirect ${status} without a Location`, current, status);
    if (hop >= limits.maxRedirects) throw fetchError(`more than ${limits.maxRedirects} redirects`, url, status);
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      throw fetchError(`redirect to an invalid URL "${location.slice(0, 200)}"`, current, status);
    }
    next = checkUrl(next);
    if (next.origin !== current.origin) callerHeaders = {};
    current = next;
  }
}
