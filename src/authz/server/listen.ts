import { chmodSync, existsSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import { PortcullisError } from '../../core/errors.js';
import { type AuthzAnswer, handleAuthz, type HandlerDeps, handleUnread } from './handler.js';

/**
 * The plugin's HTTP endpoints (https://docs.docker.com/engine/extend/plugin_api/):
 * `/Plugin.Activate` says it implements `authz`; `/AuthZPlugin.AuthZReq` and
 * `/AuthZPlugin.AuthZRes` decide. Listens on a unix socket, by default
 * /run/docker/plugins/<name>.sock, where dockerd finds it by name.
 */

const PLUGIN_MEDIA = 'application/vnd.docker.plugins.v1.2+json';

/**
 * An AuthZ request carries the API request's body base64-encoded (4/3 of the limit) plus
 * headers; a response also carries the daemon's response body, which request/ accepts up to
 * 16 MiB.
 */
export function wireLimit(maxBodyBytes: number, phase: 'request' | 'response'): number {
  const body = Math.ceil((maxBodyBytes * 4) / 3) + 1024 * 1024;
  return phase === 'request' ? body : body + Math.ceil((16 * 1024 * 1024 * 4) / 3);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': PLUGIN_MEDIA, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage, cap: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      total += c.length;
      if (total > cap) {
        over = true;
        chunks.length = 0;
        resolve('too-large');
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => over || resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export interface ServeOptions extends HandlerDeps {
  readonly socket: string;
  /** The current wire cap per phase (it follows the configuration's maxBodyBytes). */
  wireCap(phase: 'request' | 'response'): number;
  /** Called after each answer (metrics, tests). */
  readonly onAnswer?: (phase: string, answer: AuthzAnswer, ms: number) => void;
}

async function route(req: IncomingMessage, res: ServerResponse, o: ServeOptions): Promise<void> {
  const url = req.url ?? '';
  if (req.method !== 'POST') return send(res, 405, { Err: 'plugin endpoints take POST' });
  if (url === '/Plugin.Activate') return send(res, 200, { Implements: ['authz'] });
  const phase = url === '/AuthZPlugin.AuthZReq' ? 'request' : url === '/AuthZPlugin.AuthZRes' ? 'response' : undefined;
  if (!phase) return send(res, 404, { Err: `unknown plugin endpoint ${url.slice(0, 200)}` });
  const t0 = performance.now();
  const cap = o.wireCap(phase);
  const body = await readBody(req, cap);
  let answer: AuthzAnswer;
  if (body === 'too-large') {
    answer = await handleUnread(phase, `the authorization ${phase} is larger than ${cap} bytes`, o);
  } else {
    let raw: unknown;
    try {
      raw = JSON.parse(body.toString('utf8'));
    } catch {
      raw = undefined;
    }
    answer = await handleAuthz(raw, phase, o);
  }
  send(res, 200, answer);
  o.onAnswer?.(phase, answer, performance.now() - t0);
}

export async function listenPlugin(o: ServeOptions): Promise<Server> {
  mkdirSync(dirname(o.socket), { recursive: true, mode: 0o755 });
  if (existsSync(o.socket)) {
    if (!lstatSync(o.socket).isSocket()) throw new PortcullisError('USAGE', `${o.socket} exists and is not a socket`, { path: o.socket });
    unlinkSync(o.socket); // a socket left by a killed plugin
  }
  const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    route(req, res, o).catch((err: unknown) => {
      if (!res.headersSent) send(res, 200, { Allow: false, Msg: `[INTERNAL] ${(err as Error).message}` });
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.socket, () => resolve());
  });
  chmodSync(o.socket, 0o600); // dockerd runs as root; nobody else may ask
  return server;
}
