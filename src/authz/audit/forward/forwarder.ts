import type { AuditRecord } from '../record.js';

export interface ForwarderStats {
  readonly id: string;
  /** Records waiting in memory. */
  readonly queued: number;
  /** Records handed to the transport (a UDP send, a TCP write, a 2xx webhook answer). */
  readonly sent: number;
  /** Records never delivered: the queue was full, or retries ran out. */
  readonly dropped: number;
  /** Failed sends, connections or requests. */
  readonly failures: number;
  readonly lastError?: string;
}

/**
 * Ships durable records off the host, best-effort. The log calls `send` after a batch is
 * fsynced and its appends are answered; `send` only queues, so forwarding never blocks nor
 * slows a decision, and a dead receiver costs dropped records, never a failed append.
 */
export interface Forwarder {
  readonly id: string;
  /** Never throws, never waits: a full queue drops the record and counts it. */
  send(record: AuditRecord): void;
  stats(): ForwarderStats;
  /** Tries to deliver what is queued within `timeoutMs`, then stops. Never rejects. */
  close(timeoutMs?: number): Promise<void>;
}

/** A FIFO with a hard bound; pushing onto a full queue drops the new item (the log keeps it). */
export class BoundedQueue<T> {
  private items: T[] = [];
  private head = 0;
  dropped = 0;

  constructor(readonly max: number) {}

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): boolean {
    if (this.length >= this.max) {
      this.dropped++;
      return false;
    }
    this.items.push(item);
    return true;
  }

  take(n: number): T[] {
    const out = this.items.slice(this.head, this.head + n);
    this.head += out.length;
    // Compact now and then so a long-lived queue does not keep every item it ever held.
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return out;
  }
}

/** Counters every forwarder keeps. */
export class ForwardCounters {
  sent = 0;
  failedDrops = 0;
  failures = 0;
  lastError: string | undefined;

  fail(err: unknown): void {
    this.failures++;
    this.lastError = err instanceof Error ? err.message : String(err);
  }

  stats(id: string, queue: BoundedQueue<unknown>, inFlight = 0): ForwarderStats {
    return {
      id,
      queued: queue.length + inFlight,
      sent: this.sent,
      dropped: queue.dropped + this.failedDrops,
      failures: this.failures,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }
}
