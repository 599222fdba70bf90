// Pushing to a lying registry on 127.0.0.1: every misbehaviour ends in a coded error.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isPortcullisError } from '../../core/errors.js';
import { openRepository } from './repository.js';
import { pushBlob, pushManifest } from './push.js';

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

/** A registry whose /v2/ answers 200 and whose other answers come from `handler`; requests are logged. */
async function serve(handler: Handler): Promise<{ host: string; log: string[] }> {
  const log: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      log.push(`${req.method} ${req.url}`);
      if (req.url === '/v2/') return void res.writeHead(200).end('{}');
      handler(req, res, Buffer.concat(chunks));
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { host: `127.0.0.1:${(server.address() as AddressInfo).port}`, log };
}

async function code(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  return isPortcullisError(err) ? err.code : String(err);
}

const FAST = { requestTimeoutMs: 1000, retries: 0 };
const endpoint = async (host: string) => (await openRepository(`${host}/app`, { insecure: true }, 'pull,push', FAST)).endpoint;

describe('pushing blobs and manifests', () => {
  it('uploads with POST then PUT ?digest=, and skips blobs the registry has', async () => {
    const blob = Buffer.from('payload');
    let stored: Buffer | undefined;
    const { host, log } = await serve((req, res, body) => {
      if (req.method === 'HEAD') return void res.writeHead(stored ? 200 : 404).end();
      if (req.method === 'POST') return void res.writeHead(202, { location: '/v2/app/blobs/uploads/u1?state=x' }).end();
      if (req.method === 'PUT' && req.url === `/v2/app/blobs/uploads/u1?state=x&digest=${encodeURIComponent(sha(blob))}`) {
        stored = body;
        return void res.writeHead(201).end();
      }
      res.writeHead(400).end();
    });
    const ep = await endpoint(host);
    expect(await pushBlob(ep, blob, {})).toBe(sha(blob));
    expect(stored?.equals(blob)).toBe(true);
    expect(await pushBlob(ep, blob, {})).toBe(sha(blob));
    expect(log.filter((l) => !l.startsWith('GET')).map((l) => l.split(' ')[0])).toEqual(['HEAD', 'POST', 'PUT', 'HEAD']);
  });

  it('refuses upload sessions without a usable Location, redirects, and failed PUTs', async () => {
    const answers: Record<string, (res: ServerResponse) => void> = {
      'no location': (res) => res.writeHead(202).end(),
      credentials: (res) => res.writeHead(202, { location: 'http://u:p@127.0.0.1:1/up' }).end(),
      'bad url': (res) => res.writeHead(202, { location: 'http://[bad' }).end(),
      refused: (res) => res.writeHead(403).end(),
    };
    const expected: Record<string, string> = { 'no location': 'REGISTRY_PROTOCOL', credentials: 'REGISTRY_PROTOCOL', 'bad url': 'REGISTRY_PROTOCOL', refused: 'REGISTRY_AUTH' };
    for (const [name, answer] of Object.entries(answers)) {
      const { host } = await serve((req, res) => (req.method === 'POST' ? answer(res) : res.writeHead(404).end()));
      expect(await code(pushBlob(await endpoint(host), Buffer.from(name), {})), name).toBe(expected[name]);
    }
    const { host } = await serve((req, res) => {
      if (req.method === 'POST') return void res.writeHead(202, { location: '/up' }).end();
      if (req.method === 'PUT') return void res.writeHead(307, { location: 'http://127.0.0.1:1/elsewhere' }).end();
      res.writeHead(404).end();
    });
    expect(await code(pushBlob(await endpoint(host), Buffer.from('x'), {}))).toBe('REGISTRY_PROTOCOL');
  });

  it('a manifest stored under another digest than ours is DIGEST_MISMATCH; a dead registry is REGISTRY_UNREACHABLE', async () => {
    const { host } = await serve((_req, res) => res.writeHead(201, { 'docker-content-digest': sha('other') }).end());
    expect(await code(pushManifest(await endpoint(host), 'v1', Buffer.from('{}'), 'application/vnd.oci.image.manifest.v1+json', {}))).toBe('DIGEST_MISMATCH');
    const silent = await serve(() => undefined);
    expect(await code(pushManifest(await endpoint(silent.host), 'v1', Buffer.from('{}'), 'application/vnd.oci.image.manifest.v1+json', {}))).toBe('REGISTRY_UNREACHABLE');
  });

  it('openRepository refuses plain HTTP to a non-loopback registry', async () => {
    expect(await code(openRepository('registry.example.com/app', { insecure: true }, 'pull,push'))).toBe('REGISTRY_INSECURE');
  });
});
