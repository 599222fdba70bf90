import { request, type IncomingMessage, type RequestOptions } from 'node:http';
import { PortcullisError } from '../../core/errors.js';

/**
 * Minimal Docker Engine API client (https://docs.docker.com/engine/api/v1.41/): GET only,
 * over a unix socket or plain TCP. No dependency on dockerode: three endpoints are all a
 * scan needs.
 */
export interface Endpoint {
  readonly socketPath?: string;
  readonly host?: string;
  readonly port?: number;
  /** Shown in errors. */
  readonly display: string;
  /** Sent with every request (the authz plugin marks its own reads, see src/authz/images). */
  readonly headers?: Readonly<Record<string, string>>;
}

const DEFAULT_HOST = 'unix:///var/run/docker.sock';
const MAX_ERROR_BODY = 64 * 1024;

/** `unix:///path`, `tcp://host:port` (or `http://`); else USAGE. */
export function parseDockerHost(text: string | undefined): Endpoint {
  const value = text && text.length > 0 ? text : DEFAULT_HOST;
  if (value.startsWith('unix://')) {
    const socketPath = value.slice('unix://'.length);
    if (!socketPath.startsWith('/')) throw new PortcullisError('USAGE', `DOCKER_HOST unix socket must be an absolute path: ${value}`);
    return { socketPath, display: value };
  }
  const m = /^(?:tcp|http):\/\/(\[[^\]]+\]|[^:/]+):(\d{1,5})\/?$/.exec(value);
  if (m?.[1] && m[2]) {
    const port = Number(m[2]);
    if (port < 1 || port > 65535) throw new PortcullisError('USAGE', `DOCKER_HOST port out of range: ${value}`);
    return { host: m[1].replace(/^\[|\]$/g, ''), port, display: value };
  }
  throw new PortcullisError('USAGE', `unsupported DOCKER_HOST "${value}" (use unix:///path or tcp://host:port)`);
}

/** The image name as a URL path segment: the Engine routes `/images/{name:.*}/json`. */
export function imagePath(name: string, suffix: string): string {
  return `/images/${name.split('/').map(encodeURIComponent).join('/')}/${suffix}`;
}

async function readCapped(res: IncomingMessage, cap: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > cap) {
      res.destroy();
      throw new PortcullisError('DAEMON_ERROR', `${what} reply is larger than ${cap} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Idle time allowed for metadata calls; an export may be prepared for minutes first. */
export const METADATA_IDLE_MS = 60_000;
export const EXPORT_IDLE_MS = 15 * 60_000;

/** GET `path`; resolves with the response once the status is 2xx, else a coded error. */
export function engineGet(ep: Endpoint, path: string, reference: string, signal?: AbortSignal, idleMs = METADATA_IDLE_MS): Promise<IncomingMessage> {
  const options: RequestOptions = {
    method: 'GET',
    path,
    headers: { ...ep.headers, Host: 'docker', Accept: 'application/json' },
    ...(ep.socketPath ? { socketPath: ep.socketPath } : { host: ep.host, port: ep.port }),
    ...(signal ? { signal } : {}),
  };
  return new Promise((resolve, reject) => {
    const req = request(options, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) return resolve(res);
      readCapped(res, MAX_ERROR_BODY, 'error')
        .then((body) => {
          let message = body.toString('utf8').trim();
          try {
            message = String((JSON.parse(message) as { message?: unknown }).message ?? message);
          } catch {
            // plain-text bodies are shown as they are
          }
          const code = status === 404 ? 'IMAGE_NOT_FOUND' : 'DAEMON_ERROR';
          reject(new PortcullisError(code, `Docker daemon: ${message || `HTTP ${status}`}`, { reference, status, daemon: ep.display }));
        })
        .catch(reject);
    });
    // A daemon that accepts and then says nothing must not hang the scan.
    req.setTimeout(idleMs, () => req.destroy(Object.assign(new Error(`no answer for ${idleMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (signal?.aborted) return reject(err);
      reject(new PortcullisError('DAEMON_UNREACHABLE', `cannot reach the Docker daemon at ${ep.display}: ${err.code ?? err.message}`, { reference, daemon: ep.display }, { cause: err }));
    });
    req.end();
  });
}

/** GET `path` and parse the JSON reply (at most `cap` bytes). */
export async function engineJson(ep: Endpoint, path: string, reference: string, cap: number, signal?: AbortSignal): Promise<unknown> {
  const res = await engineGet(ep, path, reference, signal);
  const body = await readCapped(res, cap, path).catch((err: unknown) => {
    if (err instanceof PortcullisError) throw err;
    throw new PortcullisError('DAEMON_ERROR', `Docker daemon reply for ${path} broke off: ${(err as Error).message}`, { reference }, { cause: err });
  });
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new PortcullisError('DAEMON_ERROR', `Docker daemon sent invalid JSON for ${path}: ${(err as Error).message}`, { reference });
  }
}
