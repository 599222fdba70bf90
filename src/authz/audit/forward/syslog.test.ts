import { createSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isPortcullisError } from '../../../core/errors.js';
import { openAuditLog } from '../log.js';
import { entry, removeTmpDirs, tmpDir } from '../testdata/fixtures.js';
import { waitUntil } from './wait.js';
import { syslogForwarder } from './syslog.js';

afterAll(removeTmpDirs);

interface Parsed {
  pri: number;
  version: string;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  sdId: string;
  params: Record<string, string>;
  msg: string;
}

/** An RFC 5424 parser written from the ABNF (§6), independent of the formatter. */
function parse5424(text: string): Parsed {
  const head = /^<(\d{1,3})>(\d) (\S+) (\S+) (\S+) (\S+) (\S+) /.exec(text);
  if (!head) throw new Error(`not RFC 5424: ${text.slice(0, 80)}`);
  let i = head[0].length;
  if (text[i] !== '[') throw new Error('no structured data');
  const sdId = /^\[([^ \]=\"]+)/.exec(text.slice(i))?.[1] as string;
  i += 1 + sdId.length;
  const params: Record<string, string> = {};
  while (text[i] === ' ') {
    const name = /^ ([^ =\]"]+)="/.exec(text.slice(i));
    if (!name) throw new Error('bad SD-PARAM');
    i += name[0].length;
    let value = '';
    while (text[i] !== '"') {
      if (text[i] === '\\' && ['"', '\\', ']'].includes(text[i + 1] as string)) i++;
      value += text[i++];
    }
    i++;
    params[name[1] as string] = value;
  }
  if (text[i] !== ']' || text[i + 1] !== ' ') throw new Error('SD-ELEMENT not closed');
  const [, pri, version, timestamp, hostname, appName, procId, msgId] = head as unknown as string[];
  return { pri: Number(pri), version: version as string, timestamp: timestamp as string, hostname: hostname as string, appName: appName as string, procId: procId as string, msgId: msgId as string, sdId, params, msg: text.slice(i + 2) };
}

const TRICKY_USER = 'o"brien]\\ü';

async function logLines(dir: string): Promise<string[]> {
  return (await readFile(join(dir, 'audit-000001.jsonl'), 'utf8')).split('\n').slice(0, -1);
}

describe('syslog forwarding (RFC 5424)', () => {
  it('over UDP: one datagram per record with PRI, version, timestamp, hostname, app-name, SD and the record as MSG', async () => {
    const udp = createSocket('udp4');
    const got: string[] = [];
    udp.on('message', (m) => got.push(m.toString('utf8')));
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    const dir = await tmpDir();
    const fwd = syslogForwarder({ host: '127.0.0.1', port: udp.address().port, protocol: 'udp', hostname: 'audit-host' });
    const log = await openAuditLog(dir, { forwarders: [fwd] });
    await log.append(entry(1, { user: TRICKY_USER }));
    await log.append(entry(5));
    await log.append(entry(2));
    await waitUntil(() => got.length >= 3, 5000);
    await log.close();
    udp.close();
    const lines = await logLines(dir);
    expect(got).toHaveLength(3);
    const [a, b] = got.map(parse5424) as [Parsed, Parsed];
    expect(a).toMatchObject({ pri: 10 * 8 + 6, version: '1', hostname: 'audit-host', appName: 'portcullis', procId: String(process.pid), msgId: 'authz-response', sdId: 'portcullis@32473' });
    expect(b.pri).toBe(10 * 8 + 4); // a deny is a warning
    expect(a.timestamp).toBe(JSON.parse(lines[0] as string).time);
    expect(a.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(a.params).toMatchObject({ seq: '1', user: TRICKY_USER, decision: 'allow', action: 'container.create', object: 'req-1', status: '201' });
    // MSG is a BOM and the record exactly as the log holds it, so the chain can be re-checked remotely.
    expect(a.msg).toBe(`\uFEFF${lines[0]}`);
    expect(fwd.stats()).toMatchObject({ sent: 3, dropped: 0 });
  });

  it('over TCP with octet counting: byte lengths (not characters), in order', async () => {
    const frames: string[] = [];
    let buf = Buffer.alloc(0);
    const server = createServer((s) =>
      s.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        for (;;) {
          const sp = buf.indexOf(0x20);
          if (sp === -1) break;
          const len = Number(buf.subarray(0, sp).toString());
          if (buf.length < sp + 1 + len) break;
          frames.push(buf.subarray(sp + 1, sp + 1 + len).toString('utf8'));
          buf = buf.subarray(sp + 1 + len);
        }
      }),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const dir = await tmpDir();
    const fwd = syslogForwarder({ host: '127.0.0.1', port, protocol: 'tcp', appName: 'authz', facility: 'local4' });
    const log = await openAuditLog(dir, { forwarders: [fwd] });
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(entry(i + 1, { user: `üser-${i + 1}` }))));
    await waitUntil(() => frames.length >= 50, 5000);
    await log.close();
    server.close();
    const lines = await logLines(dir);
    expect(frames).toHaveLength(50);
    expect(buf.length).toBe(0);
    frames.forEach((f, i) => {
      const p = parse5424(f);
      expect(p.appName).toBe('authz');
      expect(p.pri).toBe(20 * 8 + ((i + 1) % 5 === 0 ? 4 : 6));
      expect(p.msg).toBe(`\uFEFF${lines[i]}`);
    });
  });

  it('while the receiver is down: appends succeed, the queue stays bounded, drops are counted, it reconnects', async () => {
    const probe: Server = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    const dir = await tmpDir();
    const fwd = syslogForwarder({ host: '127.0.0.1', port, protocol: 'tcp', maxQueue: 10, reconnectMs: 50 });
    const log = await openAuditLog(dir, { forwarders: [fwd] });
    await Promise.all(Array.from({ length: 100 }, (_, i) => log.append(entry(i + 1))));
    expect(log.stats().seq).toBe(100);
    await waitUntil(() => fwd.stats().failures > 0, 5000);
    expect(fwd.stats()).toMatchObject({ queued: 10, dropped: 90, sent: 0 });
    const got: string[] = [];
    const server = createServer((s) => s.on('data', (d: Buffer) => got.push(d.toString())));
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    await waitUntil(() => fwd.stats().sent === 10, 5000);
    expect(fwd.stats()).toMatchObject({ queued: 0, sent: 10, dropped: 90 });
    await log.close();
    server.close();
  });

  it('rejects invalid options with a coded error', () => {
    for (const bad of [{ host: '', port: 514, protocol: 'udp' }, { host: 'x', port: 70000, protocol: 'tcp' }, { host: 'x', port: 514, protocol: 'tls' }, { host: 'x', port: 514, protocol: 'udp', appName: 'has space' }]) {
      const err = (() => {
        try {
          syslogForwarder(bad as never);
        } catch (e) {
          return e;
        }
      })();
      expect(isPortcullisError(err, 'USAGE'), JSON.stringify(bad)).toBe(true);
    }
  });
});
