import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isPortcullisError } from '../../../core/errors.js';
import { openAuditLog } from '../log.js';
import { entry, removeTmpDirs, tmpDir } from '../testdata/fixtures.js';
import { waitUntil } from './wait.js';
import { webhookForwarder } from './webhook.js';

const servers: Server[] = [];
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  await removeTmpDirs();
});

/** A real HTTP server on 127.0.0.1; `handle` decides each answer. */
async function serve(handle: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => handle(req, body, res));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/audit`;
}

describe('webhook forwarding', () => {
  it('POSTs JSON batches of at most batchSize, in order, with the configured headers', async () => {
    const batches: { records: { seq: number; object: string; hash: string }[]; source: string }[] = [];
    const headers: IncomingMessage['headers'][] = [];
    const url = await serve((req, body, res) => {
      headers.push(req.headers);
      batches.push(JSON.parse(body));
      res.writeHead(204).end();
    });
    const dir = await tmpDir();
    const fwd = webhookForwarder({ url, headers: { authorization: 'Bearer t0ken' }, batchSize: 10, flushMs: 20 });
    const log = await openAuditLog(dir, { forwarders: [fwd] });
    for (let i = 1; i <= 25; i++) await log.append(entry(i));
    await waitUntil(() => fwd.stats().sent === 25, 5000);
    await log.close();
    const records = batches.flatMap((b) => b.records);
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(batches.every((b) => b.records.length <= 10 && b.source === 'portcullis-authz-audit')).toBe(true);
    expect(headers[0]).toMatchObject({ authorization: 'Bearer t0ken', 'content-type': 'application/json' });
    const onDisk = (await readFile(join(dir, 'audit-000001.jsonl'), 'utf8')).split('\n').slice(0, -1).map((l) => JSON.parse(l));
    expect(records).toEqual(onDisk);
    expect(fwd.stats()).toMatchObject({ sent: 25, dropped: 0, failures: 0, queued: 0 });
  });

  it('a failing server: appends never fail, the queue stays bounded, drops are counted', async () => {
    let requests = 0;
    const url = await serve((_req, _body, res) => {
      requests++;
      res.writeHead(500).end('down');
    });
    const dir = await tmpDir();
    const fwd = webhookForwarder({ url, batchSize: 5, maxQueue: 20, flushMs: 5, retries: 1, retryMs: 5 });
    const log = await openAuditLog(dir, { forwarders: [fwd] });
    await Promise.all(Array.from({ length: 200 }, (_, i) => log.append(entry(i + 1))));
    expect(log.stats().seq).toBe(200);
    expect(fwd.stats().queued).toBeLessThanOrEqual(25);
    await log.close();
    const s = fwd.stats();
    expect(s.sent).toBe(0);
    expect(s.dropped).toBe(200);
    expect(s.failures).toBeGreaterThanOrEqual(2);
    expect(s.lastError).toContain('HTTP 500');
    expect(requests).toBeGreaterThanOrEqual(2);
  });

  it('a server that never answers: requests time out, appends are not slowed, close is bounded', async () => {
    const url = await serve(() => undefined);
    const dir = await tmpDir();
    const fwd = webhookForwarder({ url, batchSize: 1, maxQueue: 5, flushMs: 0, timeoutMs: 100, retries: 0 });
    const log = await openAuditLog(dir, { forwarders: [fwd] });
    const started = Date.now();
    for (let i = 1; i <= 20; i++) await log.append(entry(i));
    await waitUntil(() => fwd.stats().failures > 0, 5000);
    expect(fwd.stats().lastError).toMatch(/timeout|abort/i);
    const closing = Date.now();
    await log.close();
    expect(Date.now() - closing).toBeLessThan(3000);
    expect(fwd.stats().dropped).toBeGreaterThan(0);
    expect(fwd.stats().sent).toBe(0);
    // Twenty fsynced appends, none waiting on the webhook's 100 ms timeouts.
    expect(Date.now() - started).toBeLessThan(20 * 100 + 3000);
  });

  it('rejects a non-HTTP URL and bad sizes with a coded error', () => {
    for (const bad of [{ url: 'ftp://example.org/x' }, { url: 'not a url' }, { url: 'http://127.0.0.1/', batchSize: 0 }]) {
      let err: unknown;
      try {
        webhookForwarder(bad);
      } catch (e) {
        err = e;
      }
      expect(isPortcullisError(err, 'USAGE'), JSON.stringify(bad)).toBe(true);
    }
  });
});
