import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Test helper: an HTTP server on 127.0.0.1 that replays recorded feed files the way a static
 * file server does (ETag, Last-Modified, 304, Range / If-Range, 206, 416), and misbehaves on
 * request: cuts, stalls, lies. It records every request so tests can assert what was sent.
 */

export interface Recorded {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, hit: number) => void;

export interface StaticFile {
  readonly body: Buffer;
  /** Defaults to a strong ETag from the sha256 of the body. */
  readonly etag?: string | null;
  readonly lastModified?: string | null;
  /** Destroy the socket after this many body bytes (a cut connection), for the first `cuts` requests. */
  readonly cutAfter?: number;
  readonly cuts?: number;
}

export class ReplayServer {
  readonly requests: Recorded[] = [];
  private readonly routes = new Map<string, Handler>();
  private readonly hits = new Map<string, number>();

  private constructor(private readonly server: Server, readonly port: number) {}

  static async start(): Promise<ReplayServer> {
    let self: ReplayServer | undefined;
    const server = createServer((req, res) => self?.handle(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    self = new ReplayServer(server, (server.address() as AddressInfo).port);
    return self;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  route(path: string, handler: Handler): void {
    this.routes.set(path, handler);
  }

  /** Serves `file` at `path` with static-server semantics. */
  file(path: string, file: StaticFile): void {
    const etag = file.etag === undefined ? `"${createHash('sha256').update(file.body).digest('hex').slice(0, 16)}"` : file.etag;
    const lastModified = file.lastModified === undefined ? 'Mon, 25 Aug 2025 10:00:00 GMT' : file.lastModified;
    let cutsLeft = file.cuts ?? (file.cutAfter === undefined ? 0 : 1);
    this.route(path, (req, res) => {
      const validators = { ...(etag ? { etag } : {}), ...(lastModified ? { 'last-modified': lastModified } : {}) };
      const inm = req.headers['if-none-match'];
      const ims = req.headers['if-modified-since'];
      if ((inm && etag && inm === etag) || (!inm && ims && ims === lastModified)) {
        res.writeHead(304, validators).end();
        return;
      }
      let start = 0;
      const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      const ifRange = req.headers['if-range'];
      if (range && (!ifRange || ifRange === etag || ifRange === lastModified)) {
        start = Number(range[1]);
        if (start >= file.body.length) {
          res.writeHead(416, { 'content-range': `bytes */${file.body.length}` }).end();
          return;
        }
      }
      const slice = file.body.subarray(start);
      const headers = { ...validators, 'content-length': String(slice.length), 'accept-ranges': 'bytes' };
      if (start > 0) res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${file.body.length - 1}/${file.body.length}` });
      else res.writeHead(200, headers);
      if (file.cutAfter !== undefined && cutsLeft > 0) {
        cutsLeft--;
        res.flushHeaders();
        res.socket?.write(slice.subarray(0, file.cutAfter), () => res.socket?.destroy());
        return;
      }
      res.end(slice);
    });
  }

  hitsOf(path: string): number {
    return this.hits.get(path) ?? 0;
  }

  requestsTo(path: string): Recorded[] {
    return this.requests.filter((r) => r.path === path);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? '/';
    this.requests.push({ path, headers: req.headers });
    const hit = (this.hits.get(path) ?? 0) + 1;
    this.hits.set(path, hit);
    const handler = this.routes.get(path);
    if (!handler) {
      res.writeHead(404).end('not found');
      return;
    }
    handler(req, res, hit);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}
