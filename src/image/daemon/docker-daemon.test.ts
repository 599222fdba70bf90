import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, request, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer, connect, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPortcullisError } from '../../core/errors.js';
import { buildImages, readAllLayers, run, type BuiltImages } from '../archive/testdata/docker-fixture.js';
import { dockerV25Archive } from '../archive/testdata/v25-archive.js';
import { HistorySchema, InspectSchema, configFromInspect, openDockerDaemon } from './docker-daemon.js';
import { engineGet, engineJson, imagePath, parseDockerHost } from './engine.js';

const SOCKET = '/var/run/docker.sock';
let built: BuiltImages;
let scratch: string;
const servers: Server[] = [];
const sockets = new Set<Socket>();

function track<T extends Server | NetServer>(server: T): T {
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  servers.push(server as unknown as Server);
  return server;
}

beforeAll(() => {
  built = buildImages();
  scratch = mkdtempSync(join(tmpdir(), 'portcullis-daemon-'));
}, 180_000);

afterAll(async () => {
  // Keep-alive connections would hold close() open: end them first.
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  built?.cleanup();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

async function errorOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isPortcullisError(err)) throw new Error(`expected a PortcullisError, got ${String(err)}`);
  return err;
}

function listen(server: Server, where: string | number): Promise<void> {
  track(server);
  return new Promise((resolve) => (typeof where === 'string' ? server.listen(where, resolve) : server.listen(where, '127.0.0.1', resolve)));
}

/**
 * A unix-socket daemon in front of the real one: forwards every request, but cuts the
 * `docker save` stream short, answers 500, or exports in Docker 25's layout (which this
 * dockerd 20.10 cannot write), to play other daemons with real data.
 */
async function hostileDaemon(mode: 'truncate-export' | 'error-500' | 'v25-export', exportFile?: string): Promise<string> {
  const sock = join(scratch, `${mode}-${servers.length}.sock`);
  const server = createHttpServer((req, res) => {
    if (mode === 'v25-export' && exportFile && req.url?.endsWith('/get')) {
      res.writeHead(200, { 'Content-Type': 'application/x-tar' });
      createReadStream(exportFile).pipe(res);
      return;
    }
    if (mode === 'error-500') {
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end('{"message":"storage driver exploded"}');
      return;
    }
    const upstream = request({ socketPath: SOCKET, path: req.url, method: req.method }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      if (!req.url?.endsWith('/get')) return void up.pipe(res);
      // Send the headers and a first piece, let them flush, then drop the connection.
      up.once('data', (chunk: Buffer) => {
        up.destroy();
        res.write(chunk.subarray(0, 5000));
        setTimeout(() => res.destroy(), 100);
      });
    });
    upstream.end();
  });
  await listen(server, sock);
  return `unix://${sock}`;
}

describe('openDockerDaemon', () => {
  it('maps the Engine API image to metadata and streams its layers', async () => {
    const img = await openDockerDaemon(built.appTag, {});
    expect(img.metadata.source).toBe('docker');
    expect(img.metadata.tags).toEqual([built.appTag]);
    expect(img.metadata.layers).toHaveLength(4);
    const read = await readAllLayers(img);
    // Docker 20.10 names layers by v1 id: each arrives unnamed and hashes to one diffID.
    expect(read.every((r) => r.meta === undefined)).toBe(true);
    expect(read.map((r) => r.diffId).sort()).toEqual(img.metadata.layers.map((l) => l.diffId).sort());
  });

  it('takes history from /history when sizes identify the layers, else from the exported config', async () => {
    const ep = parseDockerHost(undefined);
    for (const [tag, expectExact] of [
      [built.baseTag, true],
      [built.appTag, false],
    ] as const) {
      const inspect = InspectSchema.parse(await engineJson(ep, imagePath(tag, 'json'), tag, 1 << 24));
      const history = HistorySchema.parse(await engineJson(ep, imagePath(tag, 'history'), tag, 1 << 24));
      const cfg = configFromInspect(inspect, history, tag);
      // The app has a layer that only deletes a file: size 0, so sizes cannot tell.
      expect(cfg !== undefined, tag).toBe(expectExact);
      if (cfg) expect(cfg.diffIds).toEqual(inspect.RootFS.Layers);
    }
  });

  it('speaks to tcp:// endpoints too', async () => {
    const proxy = createNetServer((c) => {
      const up = connect(SOCKET);
      c.pipe(up).pipe(c);
      c.on('error', () => up.destroy());
      up.on('error', () => c.destroy());
    });
    track(proxy);
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const port = (proxy.address() as AddressInfo).port;
    const img = await openDockerDaemon(built.baseTag, { dockerHost: `tcp://127.0.0.1:${port}` });
    expect(img.metadata.tags).toEqual([built.baseTag]);
    const read = await readAllLayers(img);
    expect(read.map((r) => r.diffId)).toEqual([img.metadata.layers[0]?.diffId]);
  });

  it('reports an unknown image as IMAGE_NOT_FOUND', async () => {
    expect((await errorOf(openDockerDaemon('portcullis-test/never-built:0', {}))).code).toBe('IMAGE_NOT_FOUND');
  });

  it('reports a socket that does not exist, or a closed port, as DAEMON_UNREACHABLE', async () => {
    const missing = await errorOf(openDockerDaemon(built.baseTag, { dockerHost: `unix://${join(scratch, 'absent.sock')}` }));
    expect(missing.code).toBe('DAEMON_UNREACHABLE');
    const probe = createNetServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    expect((await errorOf(openDockerDaemon(built.baseTag, { dockerHost: `tcp://127.0.0.1:${port}` }))).code).toBe('DAEMON_UNREACHABLE');
  });

  it('rejects DOCKER_HOST schemes it cannot speak with USAGE', () => {
    expect(() => parseDockerHost('ssh://user@host')).toThrow(expect.objectContaining({ code: 'USAGE' }));
    expect(() => parseDockerHost('unix://relative.sock')).toThrow(expect.objectContaining({ code: 'USAGE' }));
    expect(parseDockerHost('tcp://127.0.0.1:2375')).toMatchObject({ host: '127.0.0.1', port: 2375 });
  });

  it('reports daemon errors as DAEMON_ERROR with the daemon message', async () => {
    const err = await errorOf(openDockerDaemon(built.baseTag, { dockerHost: await hostileDaemon('error-500') }));
    expect(err.code).toBe('DAEMON_ERROR');
    expect(err.message).toContain('storage driver exploded');
  });

  it('gives up on a daemon that accepts and never answers', async () => {
    const sock = join(scratch, 'silent.sock');
    const silent = createNetServer(() => {
      // accept and say nothing
    });
    track(silent);
    await new Promise<void>((r) => silent.listen(sock, r));
    const started = Date.now();
    const err = await errorOf(engineGet(parseDockerHost(`unix://${sock}`), '/images/x/json', 'x', undefined, 300));
    expect(err.code).toBe('DAEMON_UNREACHABLE');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('reads a Docker 25 export: layers named by diffID, wanted ones only, verified', async () => {
    const good = join(scratch, 'v25.tar');
    const id = run('docker', ['image', 'inspect', '--format', '{{.Id}}', built.appTag]).trim();
    const config = Buffer.from(run('tar', ['-xOf', built.dockerArchive, `${id.slice(7)}.json`]));
    await dockerV25Archive(built.ociDir, good, { noLinks: true, config });
    const img = await openDockerDaemon(built.appTag, { dockerHost: await hostileDaemon('v25-export', good) });
    const all = await readAllLayers(img);
    expect(all.map((r) => r.meta?.diffId)).toEqual(img.metadata.layers.map((l) => l.diffId));
    expect(all.map((r) => r.diffId)).toEqual(img.metadata.layers.map((l) => l.diffId));
    const some = await readAllLayers(img, (l) => l.index === 2);
    expect(some.map((r) => r.meta?.index)).toEqual([2]);
    const bad = join(scratch, 'v25-bad.tar');
    await dockerV25Archive(built.ociDir, bad, { noLinks: true, corruptLayer: true, config });
    const corrupt = await openDockerDaemon(built.appTag, { dockerHost: await hostileDaemon('v25-export', bad) });
    const err = await errorOf(
      corrupt.readLayers(() => true, async (blob) => {
        for await (const _ of blob) {
          // the raw bytes, as the layer reader sees them first
        }
      }),
    );
    expect(err.code).toBe('DIGEST_MISMATCH');
  });

  it('fails a cut-short export with a coded error, not a hang', async () => {
    const img = await openDockerDaemon(built.baseTag, { dockerHost: await hostileDaemon('truncate-export') });
    const err = await errorOf(readAllLayers(img));
    expect(err.code).toBe('DAEMON_ERROR');
  }, 30_000);
});
