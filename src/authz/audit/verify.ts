import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PortcullisError } from '../../core/errors.js';
import { ChainWalker } from './chain.js';
import { listLogFiles } from './files.js';
import { type AuditFinding, finding, isTamper } from './findings.js';
import { type HeadState, readHead } from './head.js';
import { readLines } from './lines.js';
import { checkLine, GENESIS, type HashAlg } from './record.js';

export interface VerifyOptions {
  /** The log's HMAC key; without it a keyed log cannot be verified. */
  readonly key?: Uint8Array;
  /** Longest line read (default 1 MiB; the writer's records stay far below it). */
  readonly maxLineBytes?: number;
  /** Findings kept in the report (default 100); all are counted. */
  readonly maxFindings?: number;
}

export interface FileSummary {
  readonly name: string;
  readonly records: number;
  readonly firstSeq?: number;
  readonly lastSeq?: number;
}

export interface VerifyReport {
  /** True when nothing was tampered with (notices such as a torn tail may still be present). */
  readonly ok: boolean;
  readonly dir: string;
  readonly alg: HashAlg;
  readonly files: readonly FileSummary[];
  readonly records: number;
  readonly firstSeq?: number;
  readonly lastSeq?: number;
  readonly lastHash?: string;
  /** True when the oldest files are gone (retention): verification starts at firstSeq. */
  readonly startsAfterRetention: boolean;
  readonly head?: HeadState;
  readonly findings: readonly AuditFinding[];
  readonly tamperCount: number;
}

/**
 * Walks every log file in order and checks each line (JSON, schema, canonical bytes, hash),
 * the chain (seq + 1, prev = previous hash) across files, the file numbering, and HEAD (the
 * tail must reach HEAD's seq with HEAD's hash). Tampering is data in the report; only a
 * directory without any log throws.
 */
export async function verifyAuditLog(dir: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const key = opts.key;
  const maxLine = opts.maxLineBytes ?? 1 << 20;
  const maxFindings = opts.maxFindings ?? 100;
  const st = await stat(dir).catch(() => undefined);
  if (!st?.isDirectory()) throw new PortcullisError('USAGE', `${dir} is not a directory`, { path: dir });
  const files = await listLogFiles(dir);
  const head = await readHead(dir, key);
  if (files.length === 0 && !head.present) throw new PortcullisError('USAGE', `${dir} holds no audit log (no audit-*.jsonl files, no HEAD)`, { path: dir });

  const findings: AuditFinding[] = [];
  let tamperCount = 0;
  const add = (f: AuditFinding) => {
    if (isTamper(f)) tamperCount++;
    if (findings.length < maxFindings) findings.push(f);
  };
  const walker = new ChainWalker();
  const summaries: FileSummary[] = [];
  let records = 0;
  let firstSeq: number | undefined;
  let last: { seq: number; hash: string; file: string; line: number } | undefined;
  let headHash: string | undefined;
  let startsAfterRetention = false;

  for (const [i, f] of files.entries()) {
    const isLast = i === files.length - 1;
    const prevFile = files[i - 1];
    if (prevFile && f.number !== prevFile.number + 1) add(finding('missing-file', `log file(s) between ${prevFile.name} and ${f.name} are missing`, { file: f.name, line: 1 }));
    let count = 0;
    let fFirst: number | undefined;
    let fLast: number | undefined;
    try {
      for await (const raw of readLines(join(dir, f.name), maxLine)) {
        const at = { file: f.name, line: raw.lineNo };
        if (!raw.terminated && isLast) {
          // A write cut short by a crash before fsync: that record was never acknowledged.
          add(finding('torn-tail', `the last ${raw.length} byte(s) are an incomplete record (a write cut short by a crash); opening the log removes them`, at));
          break;
        }
        if (!raw.bytes) {
          add(finding('oversized', `line of ${raw.length} bytes is longer than any record (limit ${maxLine})`, at));
          walker.skip(undefined);
          continue;
        }
        const c = checkLine(raw.bytes, key);
        if (!c.ok) {
          if (c.kind === 'key-required') throw new PortcullisError('USAGE', `${f.name} line ${raw.lineNo}: ${c.message} (--key FILE)`, { path: join(dir, f.name) });
          add(finding(c.kind, c.message, { ...at, seq: c.seq }));
          walker.skip(c.seq);
          continue;
        }
        const r = c.record;
        if (!raw.terminated) add(finding('malformed', 'the last line of a file that is not the newest has no newline', { ...at, seq: r.seq }));
        if (walker.isFirst) {
          // Only retention removes whole files from the front; the first file must start the chain.
          if (f.number === 1 && (r.seq !== 1 || r.prev !== GENESIS)) add(finding('sequence', `the log starts at seq ${r.seq}, not at seq 1: the first record(s) were removed`, { ...at, seq: r.seq }));
          if (f.number > 1) {
            startsAfterRetention = true;
            add(finding('retention', `files before ${f.name} were removed (retention): verification starts at seq ${r.seq}`, { ...at, seq: r.seq }));
          }
        }
        for (const x of walker.check(r, at)) add(x);
        if (head.present && head.state?.seq === r.seq) headHash = r.hash;
        records++;
        count++;
        firstSeq ??= r.seq;
        fFirst ??= r.seq;
        fLast = r.seq;
        last = { seq: r.seq, hash: r.hash, file: f.name, line: raw.lineNo };
      }
    } catch (err) {
      if (err instanceof PortcullisError) throw err;
      add(finding('unreadable', `cannot read the file: ${(err as Error).message}`, { file: f.name }));
    }
    summaries.push({ name: f.name, records: count, ...(fFirst !== undefined ? { firstSeq: fFirst } : {}), ...(fLast !== undefined ? { lastSeq: fLast } : {}) });
  }

  checkHead(head, last, headHash, firstSeq, add);
  return {
    ok: tamperCount === 0,
    dir,
    alg: key ? 'hmac-sha256' : 'sha256',
    files: summaries,
    records,
    ...(firstSeq !== undefined ? { firstSeq } : {}),
    ...(last ? { lastSeq: last.seq, lastHash: last.hash } : {}),
    startsAfterRetention,
    ...(head.present && head.state ? { head: head.state } : {}),
    findings,
    tamperCount,
  };
}

function checkHead(
  head: Awaited<ReturnType<typeof readHead>>,
  last: { seq: number; file: string; line: number } | undefined,
  headHash: string | undefined,
  firstSeq: number | undefined,
  add: (f: AuditFinding) => void,
): void {
  if (!head.present) {
    if (last) add(finding('head', 'HEAD is missing although the log has records: the tail cannot be checked for truncation', { file: 'HEAD' }));
    return;
  }
  if (!head.state) {
    add(finding('head', head.problem ?? 'HEAD is unreadable', { file: 'HEAD' }));
    return;
  }
  const h = head.state;
  const lastSeq = last?.seq ?? 0;
  if (h.seq > lastSeq) {
    const at = last ? { file: last.file, line: last.line + 1, seq: lastSeq + 1 } : { file: h.file, line: 1, seq: 1 };
    add(finding('truncated', `HEAD records seq ${h.seq} in ${h.file} but the log ends at seq ${lastSeq}: ${h.seq - lastSeq} record(s) cut from the tail`, at));
    return;
  }
  // HEAD is written after each batch, so it may lag the log by one batch; the record it names must match.
  if (h.seq > 0 && firstSeq !== undefined && h.seq >= firstSeq && headHash !== h.hash) {
    add(finding('head', `HEAD's hash for seq ${h.seq} differs from that record's hash`, { file: 'HEAD', seq: h.seq }));
  }
}
