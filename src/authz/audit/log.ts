import { type FileHandle, mkdir, open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { PortcullisError, toPortcullisError } from '../../core/errors.js';
import type { AuditEntry } from '../types.js';
import { fsyncDir, type LogFile, listLogFiles, logFileName, writeAll } from './files.js';
import { type AuditFinding, finding } from './findings.js';
import type { Forwarder, ForwarderStats } from './forward/forwarder.js';
import { type HeadState, HeadWriter, readHead } from './head.js';
import { acquireLock } from './lock.js';
import { type AuditRecord, entryFields, RECORD_VERSION, sealRecord } from './record.js';
import { recoverTail } from './tail.js';

export interface AuditLogOptions {
  /** HMAC key (loadAuditKey); without it the log is a plain SHA-256 chain. */
  readonly key?: Uint8Array;
  /** Start a new file once the current one reaches this size (default 64 MiB). */
  readonly maxFileBytes?: number;
  /** Also start a new file once the current one's first record is this old. */
  readonly maxFileAgeMs?: number;
  /** Keep at most this many files; the oldest are deleted at rotation. Unset: keep all. */
  readonly retainFiles?: number;
  readonly forwarders?: readonly Forwarder[];
}

export interface AuditLogStats {
  readonly dir: string;
  readonly file: string;
  readonly seq: number;
  readonly hash: string;
  readonly appended: number;
  /** Write + fdatasync rounds; appended / batches is the group-commit factor. */
  readonly batches: number;
  readonly largestBatch: number;
  readonly pending: number;
  readonly failed?: string;
  readonly forwarders: readonly ForwarderStats[];
}

export interface AuditLog {
  readonly dir: string;
  /** What opening found: a torn tail it cut off, a chain break it recorded, a loose key file. */
  readonly findings: readonly AuditFinding[];
  /** Resolves once the record is written and fdatasync'ed; rejects (OUTPUT_WRITE) when the disk fails. */
  append(entry: AuditEntry): Promise<void>;
  stats(): AuditLogStats;
  /** Waits for pending appends, flushes forwarders (bounded), releases the directory. */
  close(): Promise<void>;
}

type Fields = ReturnType<typeof entryFields> | { kind: 'chain-break'; reason: string };
interface Pending {
  readonly fields: Fields;
  readonly time: string;
  resolve(): void;
  reject(err: unknown): void;
}

const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;

/**
 * The writer. Appends are group-committed: the first append starts a write + fdatasync, and
 * every append that arrives meanwhile joins the next batch, so a burst costs one fsync per
 * batch and nothing is read back from disk. HEAD is rewritten after each batch's appends are
 * answered, which keeps its fsync off the decision path (it may lag the log by a batch or two).
 */
class FileAuditLog implements AuditLog {
  private pending: Pending[] = [];
  private draining: Promise<void> | undefined;
  private headNext: HeadState | undefined;
  private headLoop: Promise<void> | undefined;
  private failure: PortcullisError | undefined;
  private closed = false;
  private appended = 0;
  private batches = 0;
  private largestBatch = 0;
  private readonly alg;

  constructor(
    readonly dir: string,
    private readonly opts: AuditLogOptions,
    private fh: FileHandle,
    private file: LogFile,
    private size: number,
    private fileStarted: number,
    private seq: number,
    private hash: string,
    private readonly head: HeadWriter,
    private readonly release: () => Promise<void>,
    readonly findings: AuditFinding[],
  ) {
    this.alg = opts.key ? ('hmac-sha256' as const) : ('sha256' as const);
  }

  append(entry: AuditEntry): Promise<void> {
    if (this.closed) return Promise.reject(new PortcullisError('OUTPUT_WRITE', `the audit log ${this.dir} is closed`, { path: this.dir }));
    return this.enqueue(entryFields(entry));
  }

  enqueue(fields: Fields): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ fields, time: new Date().toISOString(), resolve, reject });
      // A microtask later, so appends made in the same tick share the first batch too.
      this.draining ??= Promise.resolve().then(() => this.drain());
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0 && !this.failure) {
      const batch = this.pending;
      this.pending = [];
      let seq = this.seq;
      let hash = this.hash;
      let text = '';
      const records: AuditRecord[] = [];
      for (const p of batch) {
        seq++;
        const sealed = sealRecord({ v: RECORD_VERSION, seq, time: p.time, prev: hash, alg: this.alg, ...p.fields }, this.opts.key);
        hash = sealed.record.hash;
        text += sealed.line;
        records.push(sealed.record);
      }
      try {
        await this.rotateIfDue(Date.now());
        const buf = Buffer.from(text);
        writeAll(this.fh, buf);
        await this.fh.datasync();
        this.size += buf.length;
      } catch (err) {
        this.fail(err, batch);
        break;
      }
      this.seq = seq;
      this.hash = hash;
      this.appended += batch.length;
      this.batches++;
      this.largestBatch = Math.max(this.largestBatch, batch.length);
      for (const p of batch) p.resolve();
      this.forward(records);
      this.updateHead({ seq, hash, file: this.file.name });
    }
    this.draining = undefined;
  }

  /**
   * HEAD is written by its own loop, beside the next batch's write: only the newest state is
   * written, one write at a time, so HEAD's fsync neither delays answers nor piles up.
   */
  private updateHead(state: HeadState): void {
    this.headNext = state;
    this.headLoop ??= (async () => {
      try {
        while (this.headNext) {
          const s = this.headNext;
          this.headNext = undefined;
          await this.head.write(s);
        }
      } catch (err) {
        this.fail(err, []);
      } finally {
        this.headLoop = undefined;
      }
    })();
  }

  private forward(records: readonly AuditRecord[]): void {
    for (const f of this.opts.forwarders ?? []) {
      for (const r of records) {
        try {
          f.send(r);
        } catch {
          // A forwarder must not throw; if one does anyway, the log is not its victim.
        }
      }
    }
  }

  /** After a write error the chain's on-disk state is unknown: every later append fails (the plugin then denies). */
  private fail(err: unknown, batch: readonly Pending[]): void {
    this.failure = toPortcullisError(err, 'OUTPUT_WRITE', { path: join(this.dir, this.file.name) });
    if (this.failure.code === 'INTERNAL') this.failure = new PortcullisError('OUTPUT_WRITE', this.failure.message, { path: join(this.dir, this.file.name) }, { cause: err });
    const waiting = [...batch, ...this.pending];
    this.pending = [];
    for (const p of waiting) p.reject(this.failure);
  }

  private async rotateIfDue(now: number): Promise<void> {
    if (this.size === 0) {
      this.fileStarted = now;
      return;
    }
    const bySize = this.size >= (this.opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
    const byAge = this.opts.maxFileAgeMs !== undefined && now - this.fileStarted >= this.opts.maxFileAgeMs;
    if (bySize || byAge) await this.rotate(now);
  }

  /** The next file continues the chain: its first record's prev is this file's last hash. */
  async rotate(now = Date.now()): Promise<void> {
    const next = { name: logFileName(this.file.number + 1), number: this.file.number + 1 };
    const fh = await open(join(this.dir, next.name), 'a', 0o600);
    await fsyncDir(this.dir);
    await this.fh.close();
    this.fh = fh;
    this.file = next;
    this.size = 0;
    this.fileStarted = now;
    if (this.opts.retainFiles !== undefined) await this.applyRetention(this.opts.retainFiles);
  }

  private async applyRetention(keep: number): Promise<void> {
    const files = await listLogFiles(this.dir);
    const old = files.filter((f) => f.number < this.file.number).slice(0, Math.max(0, files.length - Math.max(1, keep)));
    for (const f of old) await unlink(join(this.dir, f.name)).catch(() => undefined);
    if (old.length > 0) await fsyncDir(this.dir);
  }

  stats(): AuditLogStats {
    return {
      dir: this.dir,
      file: this.file.name,
      seq: this.seq,
      hash: this.hash,
      appended: this.appended,
      batches: this.batches,
      largestBatch: this.largestBatch,
      pending: this.pending.length,
      ...(this.failure ? { failed: this.failure.message } : {}),
      forwarders: (this.opts.forwarders ?? []).map((f) => f.stats()),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.draining || this.headLoop) await (this.draining ?? this.headLoop);
    await Promise.all((this.opts.forwarders ?? []).map((f) => f.close()));
    await this.fh.close().catch(() => undefined);
    await this.head.close().catch(() => undefined);
    await this.release();
  }
}

/**
 * Opens (or creates) the log in `dir` and continues its chain. If the tail does not verify
 * (edited, cut short against HEAD, HEAD missing or forged), it does not silently go on: it
 * starts a new file whose first record is a `chain-break` naming the problem, which verify
 * reports. A torn last line from a crash is cut off (a copy is kept) and reported as a finding.
 */
export async function openAuditLog(dir: string, opts: AuditLogOptions = {}): Promise<AuditLog> {
  if (opts.maxFileBytes !== undefined && !(opts.maxFileBytes > 0)) throw new PortcullisError('USAGE', 'maxFileBytes must be positive');
  if (opts.retainFiles !== undefined && !(opts.retainFiles >= 1)) throw new PortcullisError('USAGE', 'retainFiles must be at least 1');
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw toPortcullisError(err, 'OUTPUT_WRITE', { path: dir });
  }
  let release: () => Promise<void>;
  try {
    release = await acquireLock(dir);
  } catch (err) {
    throw toPortcullisError(err, 'OUTPUT_WRITE', { path: dir });
  }
  try {
    const head = await readHead(dir, opts.key);
    const rec = await recoverTail(dir, opts.key, head);
    const file = rec.current ?? { name: logFileName(rec.nextNumber), number: rec.nextNumber };
    const fh = await open(join(dir, file.name), 'a', 0o600);
    await fsyncDir(dir);
    const st = await fh.stat();
    // Age rotation of a file we continue counts from its creation (birthtime where the filesystem keeps it).
    const started = st.size > 0 ? (st.birthtimeMs > 0 ? st.birthtimeMs : st.mtimeMs) : Date.now();
    const headWriter = await HeadWriter.open(dir, opts.key, rec.breakReason ? { present: false } : head, { seq: rec.seq, hash: rec.hash, file: file.name });
    const findings = [...rec.findings];
    const log = new FileAuditLog(dir, opts, fh, file, st.size, started, rec.seq, rec.hash, headWriter, release, findings);
    if (rec.breakReason) {
      findings.push(finding('chain-break', `the log did not verify at its tail; a new chain starts in ${file.name}: ${rec.breakReason}`, { file: file.name, line: 1, seq: rec.seq + 1 }));
      await log.enqueue({ kind: 'chain-break', reason: rec.breakReason });
    }
    return log;
  } catch (err) {
    await release();
    if (err instanceof PortcullisError) throw err;
    throw new PortcullisError('OUTPUT_WRITE', `cannot open the audit log in ${dir}: ${(err as Error).message}`, { path: dir }, { cause: err });
  }
}
