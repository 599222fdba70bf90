// Every way a feed server can misbehave ends in a coded FEED_FETCH error, quickly, with the
// previous file untouched and nothing buffered beyond one chunk or the configured limit.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPortcullisError, type PortcullisError } from '../../core/errors.js';
import { tmpDirPool } from '../../../test/helpers/tmp.js';
import { FetchSession } from './http.js';
import { checkUrl } from './request.js';
import { ReplayServer } from './testdata/replay-server.js';

const tmp = tmpDirPool('http-hostile');
const limits = { idleTimeoutMs: 300, connectTimeoutMs: 2_000, retries: 0, retryBaseMs: 10, maxRedirects: 3, maxDownloadBytes: 64 * 1024, maxJsonBytes: 64 * 1024 };

let server: ReplayServer;
let dir: string;
beforeEach(async () => {
  server = await ReplayServer.start();
  dir = await tmp.make();
  await writeFile(join(dir, 'feed.json'), 'previous');
});
afterEach(() => server.close());
afterAll(() => tmp.removeAll());

const session = () => new FetchSession({ dir, limits });

async function failure(p: Promise<unknown>): Promise<PortcullisError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  if (!isPortcullisError(err)) throw new Error(`expected a PortcullisError, got ${String(err)}`);
  return err;
}

/** Downloads `path` into feed.json, expects FEED_FETCH and the previous file intact. */
async function refused(path: string): Promise<PortcullisError> {
  const err = await failure(session().download(server.url(path), { file: 'feed.json' }));
  expect(err.code).toBe('FEED_FETCH');
  expect(await readFile(join(dir, 'feed.json'), 'utf8')).toBe('previous');
  return err;
}

describe('lying lengths', () => {
  it('a body shorter than its Content-Length, then a clean close', async () => {
    server.route('/short', (_req, res) => {
      res.writeHead(200, { 'content-length': '1000', etag: '"s"' });
      res.flushHeaders();
      res.socket?.end('only forty bytes of the thousand promised');
    });
    expect((await refused('/short')).message).toMatch(/connection lost after 41 of 1000 bytes/);
    expect(await readFile(join(dir, 'feed.json.part'), 'utf8')).toBe('only forty bytes of the thousand promised');
  });

  it('a malformed Content-Length', async () => {
    server.route('/nan', (req, res) => {
      req.socket.end('HTTP/1.1 200 OK\r\ncontent-length: 12abc\r\n\r\nhello');
      res.destroy();
    });
    expect((await refused('/nan')).message).toMatch(/invalid HTTP response from 127.0.0.1:\d+ \(HPE_/);
  });

  it('a 206 whose range does not add up to the announced total', async () => {
    await writeFile(join(dir, 'feed.json.part'), 'abc');
    await writeFile(join(dir, 'feed.json.part-meta'), JSON.stringify({ url: server.url('/range'), etag: '"r"' }));
    server.route('/range', (_req, res) => res.writeHead(206, { 'content-range': 'bytes 3-5/100', 'content-length': '3' }).end('def'));
    expect((await refused('/range')).message).toMatch(/resumed file has 6 bytes, the server announced 100/);
  });
});

describe('redirects and URL policy', () => {
  it('a redirect loop stops after maxRedirects', async () => {
    server.route('/loop', (_req, res) => res.writeHead(302, { location: '/loop' }).end());
    expect((await refused('/loop')).message).toMatch(/more than 3 redirects/);
    expect(server.hitsOf('/loop')).toBe(4);
  });

  it('a redirect to plain http off loopback is refused before connecting', async () => {
    server.route('/away', (_req, res) => res.writeHead(301, { location: 'http://example.com/feed.json' }).end());
    const err = await refused('/away');
    expect(err.message).toMatch(/refusing http:\/\/example.com/);
    expect(err.context.url).toBe('http://example.com/feed.json');
  });

  it('a redirect without Location, and to a non-http scheme', async () => {
    server.route('/nowhere', (_req, res) => res.writeHead(302).end());
    expect((await refused('/nowhere')).message).toMatch(/without a Location/);
    server.route('/file', (_req, res) => res.writeHead(302, { location: 'file:///etc/passwd' }).end());
    expect((await refused('/file')).message).toMatch(/refusing file:/);
  });

  it('follows a redirect to another loopback origin and drops the caller headers there', async () => {
    const mirror = await ReplayServer.start();
    try {
      mirror.file('/feed.json', { body: Buffer.from('{"ok":true}') });
      server.route('/moved', (_req, res) => res.writeHead(308, { location: mirror.url('/feed.json') }).end());
      const res = await session().download(server.url('/moved'), { file: 'feed.json', headers: { apikey: 'secret' } });
      expect(res.status).toBe('downloaded');
      expect(server.requests[0]?.headers.apikey).toBe('secret');
      expect(mirror.requests[0]?.headers.apikey).toBeUndefined();
      expect(await readFile(join(dir, 'feed.json'), 'utf8')).toBe('{"ok":true}');
    } finally {
      await mirror.close();
    }
  });

  it.each([
    ['http://example.com/kev.json', /refusing http:\/\/example.com/],
    ['http://10.0.0.1/kev.json', /refusing http:\/\/10.0.0.1/],
    ['ftp://127.0.0.1/kev.json', /refusing ftp:/],
    ['https://user:pw@example.com/kev.json', /credentials/],
    ['not a url', /not a valid URL/],
  ])('refuses %s without any request', async (url, message) => {
    const err = await failure(session().download(url, { file: 'feed.json' }));
    expect(err.code).toBe('FEED_FETCH');
    expect(err.message).toMatch(message);
    expect(server.requests).toHaveLength(0);
  });

  it('accepts https anywhere and http on loopback only', () => {
    expect(checkUrl('https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip').host).toBe('osv-vulnerabilities.storage.googleapis.com');
    expect(checkUrl('http://127.0.0.1:8080/x').port).toBe('8080');
    expect(checkUrl('http://[::1]/x').hostname).toBe('[::1]');
    expect(() => checkUrl('http://127.0.0.1.example.com/x')).toThrow(/refusing/);
  });

  it.each(['../escape.json', '/etc/passwd', 'a/../../b', 'state.json', 'x.part', 'x.prev', 'a\\b', 'a//b', ''])(
    'refuses to write the file name %j',
    async (file) => {
      server.file('/x', { body: Buffer.from('x') });
      const err = await failure(session().download(server.url('/x'), { file }));
      expect(err.code).toBe('FEED_FETCH');
      expect(server.requests).toHaveLength(0);
    },
  );
});

describe('size limits', () => {
  it('refuses a declared Content-Length over the limit before reading it', async () => {
    server.route('/big', (_req, res) => {
      res.writeHead(200, { 'content-length': String(10 * 1024 ** 3) });
      res.write(Buffer.alloc(1024));
    });
    expect((await refused('/big')).message).toMatch(/larger than the limit of 65536 bytes/);
    expect(existsSync(join(dir, 'feed.json.part'))).toBe(false);
  });

  it('stops an endless chunked body at the limit', async () => {
    let sent = 0;
    server.route('/endless', (_req, res) => {
      res.writeHead(200, { etag: '"e"' });
      const chunk = Buffer.alloc(16 * 1024, 120);
      const pump = () => {
        while (!res.destroyed && sent < 64 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      pump();
    });
    expect((await refused('/endless')).message).toMatch(/larger than the limit/);
    expect(sent).toBeLessThan(16 * 1024 * 1024);
    expect(existsSync(join(dir, 'feed.json.part'))).toBe(false);
  });

  it('stops a gzip bomb from getJson at the decoded limit', async () => {
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024, 32));
    server.route('/bomb', (_req, res) => res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(bomb.length) }).end(bomb));
    const err = await failure(session().getJson(server.url('/bomb')));
    expect(err.code).toBe('FEED_FETCH');
    expect(err.message).toMatch(/larger than the limit of 65536 bytes/);
    expect(bomb.length).toBeLessThan(limits.maxJsonBytes);
  });

  it('reports a truncated gzip body and an unknown Content-Encoding', async () => {
    const gz = gzipSync(Buffer.from(JSON.stringify({ a: 'x'.repeat(5000) })));
    const cut = gz.subarray(0, gz.length - 20);
    server.route('/cutgz', (_req, res) => res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(cut.length) }).end(cut));
    expect((await failure(session().getJson(server.url('/cutgz')))).message).toMatch(/gzip body is corrupt or truncated/);
    server.route('/br', (_req, res) => res.writeHead(200, { 'content-encoding': 'br' }).end('xx'));
    expect((await refused('/br')).message).toMatch(/unsupported Content-Encoding "br"/);
  });
});

describe('stalls and errors', () => {
  it('a server that never answers hits the idle timeout', async () => {
    server.route('/silent', () => undefined);
    expect((await refused('/silent')).message).toMatch(/sent nothing for 300 ms/);
  });

  it('a server that stalls mid-body hits the idle timeout and keeps the .part', async () => {
    server.route('/stall', (_req, res) => {
      res.writeHead(200, { 'content-length': '100', etag: '"st"' });
      res.write('x'.repeat(40));
    });
    expect((await refused('/stall')).message).toMatch(/stalled after 40 bytes/);
    expect((await readFile(join(dir, 'feed.json.part'))).length).toBe(40);
  });

  it('an HTTP error carries its status; 5xx is retried', async () => {
    server.route('/gone', (_req, res) => res.writeHead(404).end('no'));
    const err = await refused('/gone');
    expect(err.context).toMatchObject({ url: server.url('/gone'), status: 404 });
    server.route('/flaky', (_req, res, hit) => (hit < 2 ? res.writeHead(503).end() : res.writeHead(200, { 'content-length': '2' }).end('ok')));
    const s = new FetchSession({ dir, limits: { ...limits, retries: 2 } });
    expect((await s.download(server.url('/flaky'), { file: 'feed.json' })).status).toBe('downloaded');
    expect(server.hitsOf('/flaky')).toBe(2);
  });

  it('a TLS handshake that never completes hits the connect timeout', async () => {
    // A TCP listener that accepts and says nothing: TCP connects, TLS never does.
    const sockets: Socket[] = [];
    const mute = createNetServer((sock) => void sockets.push(sock));
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
    try {
      const port = (mute.address() as AddressInfo).port;
      const s = new FetchSession({ dir, limits: { ...limits, connectTimeoutMs: 200, idleTimeoutMs: 10_000 } });
      const err = await failure(s.download(`https://127.0.0.1:${port}/kev.json`, { file: 'feed.json' }));
      expect(err.code).toBe('FEED_FETCH');
      expect(err.message).toMatch(/could not connect to 127.0.0.1:\d+ within 200 ms/);
      expect(await readFile(join(dir, 'feed.json'), 'utf8')).toBe('previous');
    } finally {
      for (const sock of sockets) sock.destroy();
      await new Promise((r) => mute.close(r));
    }
  });

  it('a connection refused is FEED_FETCH', async () => {
    const port = server.port;
    await server.close();
    const err = await failure(session().download(`http://127.0.0.1:${port}/x`, { file: 'feed.json' }));
    expect(err.code).toBe('FEED_FETCH');
    expect(err.message).toMatch(/cannot reach 127.0.0.1:\d+: ECONNREFUSED/);
    server = await ReplayServer.start();
  });

  it('a local file system error is FEED_FETCH too (a directory where the file should go)', async () => {
    server.file('/x', { body: Buffer.from('data') });
    await mkdir(join(dir, 'taken', 'inside'), { recursive: true });
    const err = await failure(session().download(server.url('/x'), { file: 'taken' }));
    expect(err.code).toBe('FEED_FETCH');
    expect(err.context).toMatchObject({ url: server.url('/x'), path: 'taken' });
  });

  it('a 304 to an unconditional request and a 206 to a plain one are errors', async () => {
    server.route('/304', (_req, res) => res.writeHead(304).end());
    await writeFile(join(dir, 'other'), 'x');
    expect((await failure(session().download(server.url('/304'), { file: 'new.json' }))).message).toMatch(/304 to an unconditional request/);
    server.route('/206', (_req, res) => res.writeHead(206, { 'content-range': 'bytes 0-1/2' }).end('ok'));
    expect((await refused('/206')).context.status).toBe(206);
  });
});
