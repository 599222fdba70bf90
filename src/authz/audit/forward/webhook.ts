import { hostname } from 'node:os';
import { z } from 'zod';
import { PortcullisError } from '../../../core/errors.js';
import type { AuditRecord } from '../record.js';
import { BoundedQueue, ForwardCounters, type Forwarder, type ForwarderStats } from './forwarder.js';
import { sleep, waitUntil } from './wait.js';

/**
 * Webhook forwarding: records are POSTed as JSON batches
 * `{"source":"portcullis-authz-audit","host":…,"records":[…]}`, one request at a time. A batch
 * goes when `batchSize` records wait or `flushMs` after the first one; a failed request is
 * retried `retries` times with backoff, then its records are counted as dropped.
 */

export const WebhookOptionsSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  headers: z.record(z.string(), z.string()).default({}),
  batchSize: z.number().int().min(1).max(10_000).default(100),
  maxQueue: z.number().int().min(1).default(10_000),
  flushMs: z.number().int().min(0).default(1000),
  timeoutMs: z.number().int().min(1).default(5000),
  retries: z.number().int().min(0).max(10).default(2),
  retryMs: z.number().int().min(0).default(500),
});
export type WebhookOptions = z.input<typeof WebhookOptionsSchema>;
type Resolved = z.output<typeof WebhookOptionsSchema>;

class WebhookForwarder implements Forwarder {
  readonly id: string;
  private readonly queue: BoundedQueue<AuditRecord>;
  private readonly counters = new ForwardCounters();
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(private readonly o: Resolved) {
    const u = new URL(o.url);
    this.id = `webhook-${u.origin}${u.pathname}`;
    this.queue = new BoundedQueue(o.maxQueue);
  }

  send(record: AuditRecord): void {
    if (this.closing) {
      this.queue.dropped++;
      return;
    }
    if (!this.queue.push(record)) return;
    if (this.queue.length >= this.o.batchSize) this.kick();
    else this.timer ??= setTimeout(() => this.kick(), this.o.flushMs).unref();
  }

  private kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.inFlight > 0 || this.queue.length === 0) return;
    const batch = this.queue.take(this.o.batchSize);
    this.inFlight = batch.length;
    void this.post(batch).finally(() => {
      this.inFlight = 0;
      if (this.queue.length >= this.o.batchSize || (this.closing && this.queue.length > 0)) this.kick();
      else if (this.queue.length > 0) this.timer ??= setTimeout(() => this.kick(), this.o.flushMs).unref();
    });
  }

  private async post(batch: readonly AuditRecord[]): Promise<void> {
    const body = JSON.stringify({ source: 'portcullis-authz-audit', host: hostname(), records: batch });
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await fetch(this.o.url, {
          method: 'POST',
          headers: { ...this.o.headers, 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(this.o.timeoutMs),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) {
          this.counters.sent += batch.length;
          return;
        }
        throw new Error(`HTTP ${res.status} from ${this.id}`);
      } catch (err) {
        this.counters.fail(err);
        if (attempt >= this.o.retries || this.closing) {
          this.counters.failedDrops += batch.length;
          return;
        }
        await sleep(this.o.retryMs * 2 ** attempt);
      }
    }
  }

  stats(): ForwarderStats {
    return this.counters.stats(this.id, this.queue, this.inFlight);
  }

  async close(timeoutMs = 2000): Promise<void> {
    this.closing = true;
    this.kick();
    await waitUntil(() => this.inFlight === 0 && this.queue.length === 0, timeoutMs);
    if (this.timer) clearTimeout(this.timer);
    this.counters.failedDrops += this.queue.take(this.queue.length).length;
  }
}

/** A best-effort webhook forwarder; options are checked here, at the configuration boundary. */
export function webhookForwarder(options: WebhookOptions): Forwarder {
  const parsed = WebhookOptionsSchema.safeParse(options);
  if (!parsed.success) throw new PortcullisError('USAGE', `invalid webhook forwarding options: ${z.prettifyError(parsed.error)}`);
  return new WebhookForwarder(parsed.data);
}
