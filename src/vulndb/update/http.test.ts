import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPortcullisError, type PortcullisError } from '../../core/errors.js';
import { tmpDirPool } from '../../../test/helpers/tmp.js';
import { FetchSession, type FetchSessionOptions, type TransferProgress } from './http.js';
import { ReplayServer } from './testdata/replay-server.js';

const testdata = join(import.meta.dirname, 'testdata');
const tmp = tmpDirPool('http');
const fast = { idleTimeoutMs: 300, connectTimeoutMs: 2_000, retries: 0, retryBaseMs: 10 };

let server: ReplayServer;
let dir: string;
let schema: Buffer;
let zip: Buffer;

beforeEach(async () => {
  server = await ReplayServer.start();
  dir = await tmp.make();
  schema = await readFile(join(testdata, 'known_exploited_vulnerabilities_schema.json'));
  zip = await readFile(join(testdata, 'Alpine-all.excerpt.zip'));
});
afterEach(() => server.close());
afterAll(() => tmp.removeAll());

const session = (extra: Partial<FetchSessionOptions> = {}) => new FetchSession({ dir, limits: fast, ...extra });

async function failure(p: Promise<unknown>): Promise<PortcullisError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  if (!isPortcullisError(err)) throw new Error(`expected a PortcullisError, got ${String(err)}`);
  return err;
}

describe('download', () => {
  it('writes the file whole, records validators and reports progress', async () => {
    server.file('/all.zip', { body: zip });
    const events: TransferProgress[] = [];
    const s = session({ onProgress: (p) => events.push(p) });
    const res = await s.download(server.url('/all.zip'), { file: 'Alpine/all.zip' });
    expect(res).toEqual({ status: 'downloaded', bytes: zip.length });
    expect(await readFile(join(dir, 'Alpine/all.zip'))).toEqual(zip);
    expect(existsSync(join(dir, 'Alpine/all.zip.part'))).toBe(false);
    expect(existsSync(join(dir, 'Alpine/all.zip.part-meta'))).toBe(false);
    expect(s.validators[server.url('/all.zip')]).toEqual({ etag: expect.stringMatching(/^"[0-9a-f]{16}"$/), lastModified: 'Mon, 25 Aug 2025 10:00:00 GMT' });
    expect(s.changed).toBe(true);
    expect(events[0]).toMatchObject({ phase: 'start', done: 0, total: zip.length, file: 'Alpine/all.zip' });
    expect(events.at(-1)).toMatchObject({ phase: 'end', done: zip.length, total: zip.length });
    expect(server.requests[0]?.headers['accept-encoding']).toBe('identity');
  });

  it('sends If-None-Match and If-Modified-Since from the previous run and keeps the file on 304', async () => {
    server.file('/kev.json', { body: schema });
    const url = server.url('/kev.json');
    const first = session();
    await first.download(url, { file: 'kev.json' });
    const before = await stat(join(dir, 'kev.json'));
    const second = session({ validators: first.validators });
    expect(await second.download(url, { file: 'kev.json' })).toEqual({ status: 'not-modified', bytes: 0 });
    const sent = server.requests[1]?.headers;
    expect(sent?.['if-none-match']).toBe(first.validators[url]?.etag);
    expect(sent?.['if-modified-since']).toBe('Mon, 25 Aug 2025 10:00:00 GMT');
    expect((await stat(join(dir, 'kev.json'))).mtimeMs).toBe(before.mtimeMs);
    expect(await readFile(join(dir, 'kev.json'))).toEqual(schema);
    expect(second.validators[url]).toEqual(first.validators[url]);
    expect(second.changed).toBe(false);
  });

  it('uses If-Modified-Since alone when the server gives no ETag', async () => {
    server.file('/list', { body: schema, etag: null });
    const first = session();
    await first.download(server.url('/list'), { file: 'list' });
    const second = session({ validators: first.validators });
    expect((await second.download(server.url('/list'), { file: 'list' })).status).toBe('not-modified');
    expect(server.requests[1]?.headers['if-none-match']).toBeUndefined();
    expect(server.requests[1]?.headers['if-modified-since']).toBe('Mon, 25 Aug 2025 10:00:00 GMT');
  });

  it('asks unconditionally when the file the validators describe is gone', async () => {
    server.file('/kev.json', { body: schema });
    const validators = { [server.url('/kev.json')]: { etag: 'x' } };
    expect((await session({ validators }).download(server.url('/kev.json'), { file: 'kev.json' })).status).toBe('downloaded');
    expect(server.requests[0]?.headers['if-none-match']).toBeUndefined();
  });

  it('treats a 200 with the same strong ETag as not modified (server ignoring If-None-Match)', async () => {
    server.route('/same', (_req, res) => res.writeHead(200, { etag: '"v1"', 'content-length': '5' }).end('hello'));
    await writeFile(join(dir, 'same'), 'old!!');
    const s = session({ validators: { [server.url('/same')]: { etag: '"v1"' } } });
    expect(await s.download(server.url('/same'), { file: 'same' })).toEqual({ status: 'not-modified', bytes: 0 });
    expect(await readFile(join(dir, 'same'), 'utf8')).toBe('old!!');
  });

  it('keeps the .part after a cut connection and resumes it with Range and If-Range', async () => {
    const half = Math.floor(zip.length / 2);
    server.file('/all.zip', { body: zip, cutAfter: half });
    await mkdir(join(dir, 'Alpine'));
    await writeFile(join(dir, 'Alpine/all.zip'), 'previous');
    const err = await failure(session().download(server.url('/all.zip'), { file: 'Alpine/all.zip' }));
    expect(err.code).toBe('FEED_FETCH');
    expect(err.message).toMatch(/connection lost after \d+ of \d+ bytes/);
    expect(await readFile(join(dir, 'Alpine/all.zip'), 'utf8')).toBe('previous');
    const part = await readFile(join(dir, 'Alpine/all.zip.part'));
    expect(part.length).toBe(half);
    expect(part).toEqual(zip.subarray(0, half));

    const events: TransferProgress[] = [];
    const res = await session({ onProgress: (p) => events.push(p) }).download(server.url('/all.zip'), { file: 'Alpine/all.zip' });
    expect(res).toEqual({ status: 'downloaded', bytes: zip.length });
    const resumed = server.requests[1]?.headers;
    expect(resumed?.range).toBe(`bytes=${half}-`);
    expect(resumed?.['if-range']).toMatch(/^"[0-9a-f]{16}"$/);
    expect(await readFile(join(dir, 'Alpine/all.zip'))).toEqual(zip);
    expect(existsSync(join(dir, 'Alpine/all.zip.part'))).toBe(false);
    expect(events[0]).toMatchObject({ phase: 'start', done: half, total: zip.length });
  });

  it('starts over when the file changed on the server since the cut (If-Range mismatch)', async () => {
    server.file('/all.zip', { body: zip, cutAfter: 1000 });
    await failure(session().download(server.url('/all.zip'), { file: 'all.zip' }));
    server.file('/all.zip', { body: schema });
    expect(await session().download(server.url('/all.zip'), { file: 'all.zip' })).toEqual({ status: 'downloaded', bytes: schema.length });
    expect(server.requests[1]?.headers.range).toBe('bytes=1000-');
    expect(await readFile(join(dir, 'all.zip'))).toEqual(schema);
  });

  it('starts over on 416 and on a 206 for the wrong range', async () => {
    await writeFile(join(dir, 'a.part'), 'xxxx');
    await writeFile(join(dir, 'a.part-meta'), JSON.stringify({ url: server.url('/a'), etag: '"e"' }));
    let calls = 0;
    server.route('/a', (req, res) => {
      calls++;
      if (req.headers.range) res.writeHead(206, { 'content-range': 'bytes 0-4/5', 'content-length': '5' }).end('hello');
      else res.writeHead(200, { 'content-length': '5' }).end('hello');
    });
    expect((await session().download(server.url('/a'), { file: 'a' })).bytes).toBe(5);
    expect(await readFile(join(dir, 'a'), 'utf8')).toBe('hello');
    expect(calls).toBe(2);

    await writeFile(join(dir, 'b.part'), 'xxxx');
    await writeFile(join(dir, 'b.part-meta'), JSON.stringify({ url: server.url('/b'), etag: '"e"' }));
    server.route('/b', (req, res) => {
      if (req.headers.range) res.writeHead(416, { 'content-range': 'bytes */3' }).end();
      else res.writeHead(200, { 'content-length': '3' }).end('new');
    });
    expect(await session().download(server.url('/b'), { file: 'b' })).toEqual({ status: 'downloaded', bytes: 3 });
    expect(await readFile(join(dir, 'b'), 'utf8')).toBe('new');
  });

  it('does not resume a .part whose meta names another URL or is corrupt', async () => {
    server.file('/k', { body: schema });
    await writeFile(join(dir, 'k.part'), 'junk');
    await writeFile(join(dir, 'k.part-meta'), '{not json');
    await session().download(server.url('/k'), { file: 'k' });
    expect(server.requests[0]?.headers.range).toBeUndefined();
    expect(await readFile(join(dir, 'k'))).toEqual(schema);
  });

  it('decodes a gzip Content-Encoding the server sends anyway', async () => {
    const gz = gzipSync(schema);
    server.route('/gz', (_req, res) => res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(gz.length), etag: '"g"' }).end(gz));
    expect(await session().download(server.url('/gz'), { file: 'schema.json' })).toEqual({ status: 'downloaded', bytes: schema.length });
    expect(await readFile(join(dir, 'schema.json'))).toEqual(schema);
  });

  it('restores replaced files on rollback and removes new ones', async () => {
    server.file('/a', { body: schema });
    server.file('/b', { body: zip });
    await writeFile(join(dir, 'a'), 'old a');
    const s = session();
    await s.download(server.url('/a'), { file: 'a' });
    await s.download(server.url('/b'), { file: 'b' });
    expect(await readFile(join(dir, 'a'))).toEqual(schema);
    await s.rollback();
    expect(await readFile(join(dir, 'a'), 'utf8')).toBe('old a');
    expect(existsSync(join(dir, 'b'))).toBe(false);
    expect(existsSync(join(dir, 'a.prev'))).toBe(false);
  });

  it('drops the backups on commit', async () => {
    server.file('/a', { body: schema });
    await writeFile(join(dir, 'a'), 'old a');
    const s = session();
    await s.download(server.url('/a'), { file: 'a' });
    expect(existsSync(join(dir, 'a.prev'))).toBe(true);
    await s.commit();
    expect(existsSync(join(dir, 'a.prev'))).toBe(false);
    expect(await readFile(join(dir, 'a'))).toEqual(schema);
  });
});

describe('getJson', () => {
  it('parses plain and gzip bodies, asking for gzip', async () => {
    const gz = gzipSync(schema);
    server.route('/plain', (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(schema));
    server.route('/gz', (_req, res) => res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(gz.length) }).end(gz));
    const expected = JSON.parse(schema.toString('utf8')) as unknown;
    expect(await session().getJson(server.url('/plain'))).toEqual(expected);
    expect(await session().getJson(server.url('/gz'), { apikey: 'k' })).toEqual(expected);
    expect(server.requests[1]?.headers['accept-encoding']).toBe('gzip');
    expect(server.requests[1]?.headers.apikey).toBe('k');
  });

  it('is conditional and replays the cached body after a 304', async () => {
    server.file('/page', { body: schema });
    const jsonCacheDir = join(dir, 'json-cache');
    const first = session({ jsonCacheDir });
    const body = await first.getJson(server.url('/page'));
    const second = session({ jsonCacheDir, validators: first.validators });
    expect(await second.getJson(server.url('/page'))).toEqual(body);
    expect(server.requests[1]?.headers['if-none-match']).toBe(first.validators[server.url('/page')]?.etag);
    expect(second.changed).toBe(false);
  });

  it('prunes cached bodies no request used on commit', async () => {
    server.file('/p1', { body: schema });
    server.file('/p2', { body: schema });
    const jsonCacheDir = join(dir, 'json-cache');
    const first = session({ jsonCacheDir });
    await first.getJson(server.url('/p1'));
    await first.getJson(server.url('/p2'));
    await first.commit();
    const second = session({ jsonCacheDir, validators: first.validators });
    await second.getJson(server.url('/p1'));
    await second.commit();
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(jsonCacheDir)).toHaveLength(1);
  });

  it('reports invalid JSON as FEED_PARSE', async () => {
    server.route('/bad', (_req, res) => res.writeHead(200).end(schema.subarray(0, 100)));
    const err = await failure(session().getJson(server.url('/bad')));
    expect(err.code).toBe('FEED_PARSE');
    expect(err.context.url).toBe(server.url('/bad'));
  });
});
