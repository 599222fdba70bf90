import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIPv6, type Socket, connect as tcpConnect } from 'node:net';
import { hostname as osHostname } from 'node:os';
import { z } from 'zod';
import { PortcullisError } from '../../../core/errors.js';
import { type AuditRecord, canonicalJson } from '../record.js';
import { BoundedQueue, ForwardCounters, type Forwarder, type ForwarderStats } from './forwarder.js';
import { sleep, waitUntil } from './wait.js';

/**
 * Syslog forwarding in RFC 5424 format (https://www.rfc-editor.org/rfc/rfc5424), over UDP
 * (RFC 5426: one message per datagram) or TCP with octet-counting framing (RFC 6587 §3.4.1:
 * `LEN SP MSG`). MSG is a BOM and the record's canonical JSON, the same bytes as its log line,
 * so a receiver can re-check the hash chain off-host.
 */

export const FACILITIES = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9, authpriv: 10, ftp: 11,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
} as const;

// RFC 5424 §6: PRINTUSASCII fields of bounded length; SD-NAME also excludes '=', ']' and '"'.
const PRINTABLE = (max: number) => new RegExp(`^[\\x21-\\x7e]{1,${max}}$`);

export const SyslogOptionsSchema = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  protocol: z.enum(['udp', 'tcp']),
  appName: z.string().regex(PRINTABLE(48)).default('portcullis'),
  facility: z.union([z.enum(Object.keys(FACILITIES) as [keyof typeof FACILITIES]), z.number().int().min(0).max(23)]).default('authpriv'),
  hostname: z.string().optional(),
  /** The structured-data id; 32473 is the private enterprise number RFC 5612 reserves for examples. */
  sdId: z.string().regex(/^[\x21-\x3c\x3e-\x5c\x5e-\x7e]{1,32}$/).refine((s) => !s.includes('"'), 'no quotes').default('portcullis@32473'),
  maxQueue: z.number().int().min(1).default(10_000),
  reconnectMs: z.number().int().min(1).default(1000),
});
export type SyslogOptions = z.input<typeof SyslogOptionsSchema>;
type Resolved = z.output<typeof SyslogOptionsSchema>;

// Allowed → informational, denied → warning, a chain break → critical (RFC 5424 table 2).
function severity(r: AuditRecord): number {
  if (r.kind === 'chain-break') return 2;
  return r.decision === 'deny' ? 4 : 6;
}

function header(s: string | undefined, max: number): string {
  const clean = (s ?? '').replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return clean === '' ? '-' : clean;
}

/** RFC 5424 §6.3.3: inside PARAM-VALUE, '"', '\' and ']' are escaped with a backslash. */
function paramValue(s: string): string {
  return s.replace(/["\\\]]/g, (c) => `\\${c}`);
}

/** One RFC 5424 message for a record. */
export function formatSyslog(r: AuditRecord, o: Pick<Resolved, 'appName' | 'facility' | 'sdId'> & { hostname?: string | undefined }): string {
  const facility = typeof o.facility === 'number' ? o.facility : FACILITIES[o.facility];
  const params: [string, string | number | undefined][] =
    r.kind === 'decision'
      ? [['seq', r.seq], ['phase', r.phase], ['decision', r.decision], ['user', r.user], ['action', r.action], ['object', r.object], ['rule', r.rule], ['status', r.status]]
      : [['seq', r.seq], ['event', 'chain-break']];
  const sd = `[${o.sdId}${params
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${paramValue(String(v))}"`)
    .join('')}]`;
  const msgid = r.kind === 'decision' ? `authz-${r.phase}` : 'audit-break';
  const host = header(o.hostname ?? osHostname(), 255);
  return `<${facility * 8 + severity(r)}>1 ${r.time} ${host} ${o.appName} ${process.pid} ${msgid} ${sd} \uFEFF${canonicalJson(r)}`;
}

/** The largest UDP payload over IPv4; bigger messages are dropped and counted, not fragmented into two. */
const MAX_DATAGRAM = 65_507;
const MAX_UDP_IN_FLIGHT = 64;

class SyslogForwarder implements Forwarder {
  readonly id: string;
  private readonly queue: BoundedQueue<AuditRecord>;
  private readonly counters = new ForwardCounters();
  private udp: UdpSocket | undefined;
  private tcp: Socket | undefined;
  private connected = false;
  private waitingDrain = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private closing = false;

  constructor(private readonly o: Resolved) {
    this.id = `syslog-${o.protocol}://${o.host}:${o.port}`;
    this.queue = new BoundedQueue(o.maxQueue);
  }

  send(record: AuditRecord): void {
    if (this.closing) {
      this.queue.dropped++;
      return;
    }
    if (this.queue.push(record)) this.pump();
  }

  private message(r: AuditRecord): Buffer {
    return Buffer.from(formatSyslog(r, this.o));
  }

  private pump(): void {
    if (this.o.protocol === 'udp') this.pumpUdp();
    else this.pumpTcp();
  }

  private pumpUdp(): void {
    if (!this.udp) {
      this.udp = createSocket(isIPv6(this.o.host) ? 'udp6' : 'udp4');
      this.udp.on('error', (err) => this.counters.fail(err));
      this.udp.unref();
    }
    while (this.inFlight < MAX_UDP_IN_FLIGHT && this.queue.length > 0) {
      const msg = this.message(this.queue.take(1)[0] as AuditRecord);
      if (msg.length > MAX_DATAGRAM) {
        this.counters.failedDrops++;
        this.counters.fail(new Error(`a ${msg.length}-byte message does not fit in a UDP datagram`));
        continue;
      }
      this.inFlight++;
      this.udp.send(msg, this.o.port, this.o.host, (err) => {
        this.inFlight--;
        if (err) {
          this.counters.failedDrops++;
          this.counters.fail(err);
        } else this.counters.sent++;
        if (this.queue.length > 0) this.pumpUdp();
      });
    }
  }

  private pumpTcp(): void {
    if (!this.tcp) {
      if (!this.reconnectTimer) this.connect();
      return;
    }
    if (!this.connected || this.waitingDrain) return;
    while (this.queue.length > 0) {
      const msg = this.message(this.queue.take(1)[0] as AuditRecord);
      this.counters.sent++;
      if (!this.tcp.write(Buffer.concat([Buffer.from(`${msg.length} `), msg]))) {
        this.waitingDrain = true;
        this.tcp.once('drain', () => {
          this.waitingDrain = false;
          this.pumpTcp();
        });
        return;
      }
    }
  }

  private connect(): void {
    const sock = tcpConnect({ host: this.o.host, port: this.o.port });
    this.tcp = sock;
    sock.setNoDelay(true);
    sock.unref();
    sock.on('connect', () => {
      this.connected = true;
      this.pumpTcp();
    });
    sock.on('error', (err) => this.counters.fail(err));
    sock.on('close', () => {
      if (this.tcp === sock) this.tcp = undefined;
      this.connected = false;
      this.waitingDrain = false;
      // Reconnect later, not in a loop, while the receiver is down; records wait in the bounded queue.
      if (!this.closing && this.queue.length > 0) {
        this.reconnectTimer = setTimeout(() => {
          this.reconnectTimer = undefined;
          this.pumpTcp();
        }, this.o.reconnectMs);
        this.reconnectTimer.unref();
      }
    });
  }

  private idle(): boolean {
    if (this.queue.length > 0 || this.inFlight > 0) return false;
    return !this.tcp || this.tcp.writableLength === 0;
  }

  stats(): ForwarderStats {
    return this.counters.stats(this.id, this.queue, this.inFlight);
  }

  async close(timeoutMs = 2000): Promise<void> {
    this.closing = true;
    await waitUntil(() => this.idle() || (this.o.protocol === 'tcp' && !this.tcp && this.reconnectTimer !== undefined), timeoutMs);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.counters.failedDrops += this.queue.take(this.queue.length).length;
    const tcp = this.tcp;
    if (tcp) await Promise.race([new Promise<void>((resolve) => tcp.end(resolve)), sleep(timeoutMs)]);
    tcp?.destroy();
    this.udp?.close();
    this.udp = undefined;
  }
}

/** A best-effort RFC 5424 forwarder; options are checked here, at the configuration boundary. */
export function syslogForwarder(options: SyslogOptions): Forwarder {
  const parsed = SyslogOptionsSchema.safeParse(options);
  if (!parsed.success) throw new PortcullisError('USAGE', `invalid syslog forwarding options: ${z.prettifyError(parsed.error)}`);
  return new SyslogForwarder(parsed.data);
}
