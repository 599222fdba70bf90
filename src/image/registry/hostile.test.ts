// A lying registry on 127.0.0.1: every way a registry can misbehave ends in a coded error,
// quickly, without buffering what it sends.
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { isPortcullisError, type PortcullisError } from '../../core/errors.js';
import { buildLayerTar, freePort, readLayerTars } from '../../../test/helpers/registry.js';
import { openRegistryImage } from './index.js';

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function serve(handler: Handler): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A valid one-layer image; `routes` overrides what individual paths return. */
async function image() {
  const tar = await buildLayerTar({ 'etc/os-release': 'ID=test\n' });
  const layer = gzipSync(tar);
  const config = Buffer.from(JSON.stringify({ os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: [sha(tar)] }, history: [{ created_by: 'ADD x /' }] }));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha(layer), size: layer.length }],
  }));
  return { tar, layer, config, manifest, layerDigest: sha(layer), configDigest: sha(config) };
}

type Img = Awaited<ReturnType<typeof image>>;

/** Answers and returns true, so overrides read `cond && send(...)`. */
function send(res: ServerResponse, head: [number, Record<string, string | number>?], body?: Buffer | string): true {
  res.writeHead(head[0], head[1]).end(body);
  return true;
}

/** Serves `img` honestly except where `override` answers first (returning true). */
function registry(img: Img, override: (req: IncomingMessage, res: ServerResponse) => boolean = () => false): Handler {
  return (req, res) => {
    if (override(req, res)) return;
    const url = req.url ?? '';
    if (url === '/v2/') return void res.writeHead(200).end('{}');
    if (url === '/v2/app/manifests/v1') return void res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end(img.manifest);
    if (url === `/v2/app/blobs/${img.configDigest}`) return void res.writeHead(200).end(img.config);
    if (url === `/v2/app/blobs/${img.layerDigest}`) return void res.writeHead(200, { 'content-length': img.layer.length }).end(img.layer);
    res.writeHead(404).end();
  };
}

async function failure(p: Promise<unknown>): Promise<PortcullisError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  if (!isPortcullisError(err)) throw new Error(`expected a PortcullisError, got ${String(err)}`);
  return err;
}

const FAST = { requestTimeoutMs: 1500, idleTimeoutMs: 500, retryBaseMs: 10 };
const open = (host: string, limits = FAST, ref = 'app:v1') => openRegistryImage(`${host}/${ref}`, { insecure: true }, limits);

describe('hostile registry', () => {
  it('sanity: the honest fake serves a readable image', async () => {
    const img = await image();
    const opened = await open(await serve(registry(img)));
    const layers = await readLayerTars(opened);
    expect(layers.map((l) => l.diffId)).toEqual([sha(img.tar)]);
  });

  it('layer bytes that do not match the digest → DIGEST_MISMATCH naming the layer', async () => {
    const img = await image();
    const other = gzipSync(await buildLayerTar({ 'etc/os-release': 'ID=evil\n' }));
    const host = await serve(registry(img, (req, res) => req.url?.includes(img.layerDigest) === true && send(res, [200], other)));
    const err = await failure(readLayerTars(await open(host)));
    expect(err.code).toBe('DIGEST_MISMATCH');
    expect(err.context.layer).toBe(img.layerDigest);
  });

  it('garbage layer bytes are reported as DIGEST_MISMATCH, not as the visitor\'s gunzip error', async () => {
    const img = await image();
    const junk = Buffer.alloc(img.layer.length, 0x41);
    const host = await serve(registry(img, (req, res) => req.url?.includes(img.layerDigest) === true && send(res, [200], junk)));
    expect((await failure(readLayerTars(await open(host)))).code).toBe('DIGEST_MISMATCH');
  });

  it('a blob longer than its descriptor is cut off, not read forever', async () => {
    const img = await image();
    const host = await serve(registry(img, (req, res) => {
      if (!req.url?.includes(img.layerDigest)) return false;
      res.writeHead(200);
      const timer = setInterval(() => res.write(Buffer.alloc(65536)), 1);
      res.on('close', () => clearInterval(timer));
      return true;
    }));
    expect((await failure(readLayerTars(await open(host)))).code).toBe('DIGEST_MISMATCH');
  });

  it('a config whose digest lies → DIGEST_MISMATCH at open', async () => {
    const img = await image();
    const host = await serve(registry(img, (req, res) => req.url?.includes(img.configDigest) === true && send(res, [200], img.config.toString().replace('amd64', 'arm64'))));
    expect((await failure(open(host))).code).toBe('DIGEST_MISMATCH');
  });

  it('a manifest pulled by digest that hashes differently → DIGEST_MISMATCH', async () => {
    const img = await image();
    const wanted = sha('something else');
    const host = await serve(registry(img, (req, res) => req.url === `/v2/app/manifests/${wanted}` && send(res, [200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }], img.manifest)));
    expect((await failure(open(host, FAST, `app@${wanted}`))).code).toBe('DIGEST_MISMATCH');
  });

  it.each([
    ['an unknown media type', 'application/vnd.example.weird+json', { schemaVersion: 2, mediaType: 'application/vnd.example.weird+json' }],
    ['schema1', 'application/vnd.docker.distribution.manifest.v1+prettyjws', { schemaVersion: 1, name: 'app', fsLayers: [] }],
  ])('a manifest with %s → IMAGE_MEDIA_TYPE', async (_name, type, doc) => {
    const img = await image();
    const host = await serve(registry(img, (req, res) => req.url === '/v2/app/manifests/v1' && send(res, [200, { 'content-type': type }], JSON.stringify(doc))));
    expect((await failure(open(host))).code).toBe('IMAGE_MEDIA_TYPE');
  });

  it('a huge, never-ending manifest → REGISTRY_PROTOCOL without buffering it', async () => {
    const img = await image();
    let sent = 0;
    const host = await serve(registry(img, (req, res) => {
      if (req.url !== '/v2/app/manifests/v1') return false;
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
      const timer = setInterval(() => { sent += 1 << 20; res.write(Buffer.alloc(1 << 20, 0x20)); }, 1);
      res.on('close', () => clearInterval(timer));
      return true;
    }));
    const err = await failure(open(host));
    expect(err.code).toBe('REGISTRY_PROTOCOL');
    expect(err.message).toContain('larger than');
    expect(sent).toBeLessThan(64 << 20);
  });

  it('a connection cut mid-blob → REGISTRY_UNREACHABLE naming the layer', async () => {
    const img = await image();
    const host = await serve(registry(img, (req, res) => {
      if (!req.url?.includes(img.layerDigest)) return false;
      res.writeHead(200, { 'content-length': img.layer.length });
      res.write(img.layer.subarray(0, 20), () => res.socket?.destroy());
      return true;
    }));
    const err = await failure(readLayerTars(await open(host)));
    expect(err.code).toBe('REGISTRY_UNREACHABLE');
    expect(err.context.layer).toBe(img.layerDigest);
  });

  it('a server that stalls mid-blob or never answers → REGISTRY_UNREACHABLE after the timeout', async () => {
    const img = await image();
    const stall = await serve(registry(img, (req, res) => {
      if (!req.url?.includes(img.layerDigest)) return false;
      res.writeHead(200, { 'content-length': img.layer.length });
      res.write(img.layer.subarray(0, 20));
      return true;
    }));
    const started = Date.now();
    expect((await failure(readLayerTars(await open(stall)))).code).toBe('REGISTRY_UNREACHABLE');
    const silent = await serve(() => undefined);
    expect((await failure(open(silent))).code).toBe('REGISTRY_UNREACHABLE');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('retries 503 and 429, then succeeds', async () => {
    const img = await image();
    let hits = 0;
    const host = await serve(registry(img, (req, res) => req.url === '/v2/app/manifests/v1' && ++hits <= 2 && send(res, [hits === 1 ? 503 : 429], undefined)));
    const opened = await open(host);
    expect(opened.metadata.layers).toHaveLength(1);
    expect(hits).toBe(3);
  });

  it('follows a blob redirect to another host without forwarding Authorization', async () => {
    const img = await image();
    const seen: (string | undefined)[] = [];
    const cdn = await serve((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(200).end(img.layer);
    });
    const host = await serve(registry(img, (req, res) => {
      if (req.url === '/v2/' && !req.headers.authorization) return send(res, [401, { 'www-authenticate': 'Basic realm="x"' }], undefined);
      if (!req.headers.authorization) return send(res, [401], undefined);
      return req.url?.includes(img.layerDigest) === true && send(res, [307, { location: `http://${cdn}/blob?sig=1` }], undefined);
    }));
    const opened = await openRegistryImage(`${host}/app:v1`, { insecure: true, username: 'u', password: 'p' }, FAST);
    const layers = await readLayerTars(opened);
    expect(layers.map((l) => l.diffId)).toEqual([sha(img.tar)]);
    expect(seen).toEqual([undefined]);
  });

  it('refuses a token realm on non-loopback plain HTTP, or with credentials in it, without calling it', async () => {
    for (const [realm, code] of [
      ['http://auth.example.invalid/token', 'REGISTRY_INSECURE'],
      ['https://user:pw@127.0.0.1:1/token', 'REGISTRY_PROTOCOL'],
      ['file:///etc/passwd', 'REGISTRY_INSECURE'],
    ] as const) {
      const host = await serve((_req, res) => res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm}",service="s"` }).end());
      expect((await failure(open(host))).code).toBe(code);
    }
  });

  it('a lying Docker-Content-Digest header → DIGEST_MISMATCH', async () => {
    const img = await image();
    const headers = { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': sha('not the manifest') };
    const host = await serve(registry(img, (req, res) => req.url === '/v2/app/manifests/v1' && send(res, [200, headers], img.manifest)));
    expect((await failure(open(host))).code).toBe('DIGEST_MISMATCH');
  });

  it('a visitor that stops early still gets the blob verified; its own errors pass through', async () => {
    const img = await image();
    const honest = await open(await serve(registry(img)));
    await honest.readLayers(() => true, async () => undefined); // reads nothing: we drain and verify
    await expect(honest.readLayers(() => true, async () => { throw new Error('visitor bug'); })).rejects.toThrow('visitor bug');
    const other = gzipSync(await buildLayerTar({ x: 'y' }));
    const liar = await open(await serve(registry(img, (req, res) => req.url?.includes(img.layerDigest) === true && send(res, [200], other))));
    const err = await failure(liar.readLayers(() => true, async (blob) => void blob.destroy()));
    expect(err.code).toBe('DIGEST_MISMATCH');
  });

  it('bearer: identity token (OAuth2 refresh), an access_token-only reply, and a token that expires mid-pull', async () => {
    const img = await image();
    const issued: string[] = [];
    const forms: URLSearchParams[] = [];
    const tokens = await serve((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        forms.push(new URLSearchParams(body));
        issued.push(`t${issued.length + 1}`);
        send(res, [200, { 'content-type': 'application/json' }], JSON.stringify({ access_token: issued.at(-1) }));
      });
    });
    let blobHits = 0;
    const host = await serve(registry(img, (req, res) => {
      const auth = req.headers.authorization;
      const challenge = { 'www-authenticate': `Bearer realm="http://${tokens}/token",service="fake"` };
      if (req.url === '/v2/') return !auth && send(res, [401, challenge]);
      // t1 "expires" before the layer is fetched; t2 works.
      if (req.url?.includes(img.layerDigest) && blobHits++ === 0) return send(res, [401, challenge]);
      return !issued.some((t) => auth === `Bearer ${t}`) && send(res, [401, challenge]);
    }));
    const configFile = join(await mkdtemp(join(tmpdir(), 'portcullis-idtok-')), 'config.json');
    await writeFile(configFile, JSON.stringify({ auths: { [host]: { identitytoken: 'refresh-123' } } }));
    try {
      const opened = await openRegistryImage(`${host}/app:v1`, { insecure: true, dockerConfig: configFile }, FAST);
      expect((await readLayerTars(opened)).map((l) => l.diffId)).toEqual([sha(img.tar)]);
    } finally {
      await rm(join(configFile, '..'), { recursive: true, force: true });
    }
    expect(issued).toEqual(['t1', 't2']);
    expect(forms[0]?.get('grant_type')).toBe('refresh_token');
    expect(forms[0]?.get('refresh_token')).toBe('refresh-123');
    expect(forms[0]?.get('scope')).toBe('repository:app:pull');
    expect(forms[0]?.get('service')).toBe('fake');
  });

  it('bearer: an open /v2/ with a per-repository challenge gets an anonymous token', async () => {
    const img = await image();
    const queries: string[] = [];
    const tokens = await serve((req, res) => {
      queries.push(`${req.url} auth=${req.headers.authorization ?? 'none'}`);
      send(res, [200], JSON.stringify({ token: 'anon' }));
    });
    const host = await serve(registry(img, (req, res) => {
      if (req.url === '/v2/' || req.headers.authorization === 'Bearer anon') return false;
      return send(res, [401, { 'www-authenticate': `Bearer realm="http://${tokens}/token",service="hub",scope="repository:app:pull"` }]);
    }));
    const opened = await open(host);
    expect(opened.metadata.layers).toHaveLength(1);
    expect(queries).toEqual(['/token?service=hub&scope=repository%3Aapp%3Apull auth=none']);
  });

  it('refuses plain HTTP to a non-loopback registry before connecting', async () => {
    const err = await failure(openRegistryImage('registry.example.invalid/app:v1', { insecure: true }));
    expect(err.code).toBe('REGISTRY_INSECURE');
  });

  it('a closed port → REGISTRY_UNREACHABLE', async () => {
    const port = await freePort();
    expect((await failure(open(`127.0.0.1:${port}`))).code).toBe('REGISTRY_UNREACHABLE');
  });

  it('honours the caller\'s AbortSignal', async () => {
    const host = await serve(() => undefined);
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 100);
    const err = await failure(openRegistryImage(`${host}/app:v1`, { insecure: true, signal: ctl.signal }));
    expect(err.code).toBe('REGISTRY_UNREACHABLE');
    expect(err.message).toContain('cancelled');
  });
});
