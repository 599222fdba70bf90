import { type FileHandle, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PortcullisError } from '../../core/errors.js';
import { ChainWalker } from './chain.js';
import { type LogFile, listLogFiles, logFileNumber } from './files.js';
import { type AuditFinding, finding, isTamper } from './findings.js';
import type { HeadRead } from './head.js';
import { checkLine, GENESIS } from './record.js';

/**
 * What openAuditLog needs to continue a log: the chain state at its tail. Only the end of the
 * newest file is read (records are < 512 KiB, so 1 MiB holds at least the last one), so
 * opening costs the same for a 1 KiB and a 64 MiB file.
 */
export interface Recovered {
  /** The file to append to; undefined when a new file numbered `nextNumber` must be started. */
  readonly current?: LogFile;
  readonly nextNumber: number;
  readonly seq: number;
  readonly hash: string;
  readonly findings: readonly AuditFinding[];
  /** Set when the tail does not verify: the new file's first record says why. */
  readonly breakReason?: string;
}

const TAIL_BYTES = 1 << 20;

async function readAt(fh: FileHandle, start: number, end: number): Promise<Buffer> {
  const buf = Buffer.alloc(end - start);
  let done = 0;
  while (done < buf.length) {
    const { bytesRead } = await fh.read(buf, done, buf.length - done, start + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buf.subarray(0, done);
}

/** Offset just past the last newline (0 when there is none), reading backwards in windows. */
async function endOfLastLine(fh: FileHandle, size: number): Promise<number> {
  for (let end = size; end > 0; end -= TAIL_BYTES) {
    const start = Math.max(0, end - TAIL_BYTES);
    const nl = (await readAt(fh, start, end)).lastIndexOf(10);
    if (nl !== -1) return start + nl + 1;
  }
  return 0;
}

/**
 * A crash between write and fdatasync can leave part of a batch (or zeros) after the last
 * complete line. Those records were never acknowledged, so they are cut off, but a copy is
 * kept beside the file (`audit-000003.jsonl.torn-<offset>`) so nothing disappears unseen.
 */
async function cutTornTail(dir: string, f: LogFile, fh: FileHandle, size: number, findings: AuditFinding[]): Promise<number> {
  const end = await endOfLastLine(fh, size);
  if (end === size) return size;
  const copy = `${f.name}.torn-${end}`;
  await writeFile(join(dir, copy), await readAt(fh, end, size), { mode: 0o600, flush: true });
  await fh.truncate(end);
  await fh.sync();
  findings.push(finding('torn-tail', `removed an incomplete last record of ${size - end} byte(s) (a write cut short by a crash); a copy is in ${copy}`, { file: f.name }));
  return end;
}

interface TailCheck {
  readonly last?: { seq: number; hash: string; alg: string };
  readonly bad?: string;
  readonly hashes: ReadonlyMap<number, string>;
}

function checkWindow(f: LogFile, window: Buffer, windowStart: number, key: Uint8Array | undefined): TailCheck {
  const walker = new ChainWalker();
  const hashes = new Map<number, string>();
  let last: TailCheck['last'];
  let bad: string | undefined;
  if (window[window.length - 1] !== 10) return { bad: `${f.name} does not end with a newline`, hashes };
  let offset = windowStart;
  const segments = window.subarray(0, window.length - 1).toString('latin1').split('\n');
  // A window that starts mid-file starts mid-line: its first segment is not a whole record.
  const skipFirst = windowStart > 0;
  for (const [i, seg] of segments.entries()) {
    const lineStart = offset;
    offset += seg.length + 1;
    if (i === 0 && skipFirst) continue;
    const c = checkLine(Buffer.from(seg, 'latin1'), key);
    if (!c.ok) {
      if (c.kind === 'key-required') throw new PortcullisError('USAGE', `the audit log in ${f.name} is keyed (hmac-sha256): open it with its key`, { path: f.name });
      bad ??= `${f.name} at byte ${lineStart}${c.seq !== undefined ? ` (seq ${c.seq})` : ''}: ${c.message}`;
      if (c.seq !== undefined) last = undefined;
      walker.skip(c.seq);
      continue;
    }
    const r = c.record;
    for (const x of walker.check(r, {})) if (isTamper(x) && x.kind !== 'chain-break') bad ??= `${f.name} at byte ${lineStart} (seq ${r.seq}): ${x.message}`;
    hashes.set(r.seq, r.hash);
    last = { seq: r.seq, hash: r.hash, alg: r.alg };
  }
  return { ...(last ? { last } : {}), ...(bad ? { bad } : {}), hashes };
}

export async function recoverTail(dir: string, key: Uint8Array | undefined, head: HeadRead): Promise<Recovered> {
  const files = await listLogFiles(dir);
  const findings: AuditFinding[] = [];
  const newest = files[files.length - 1];
  const headFileNo = head.present && head.state ? (logFileNumber(head.state.file) ?? 1) : 0;
  const restart = (reason: string, seq: number, hash: string): Recovered => ({
    nextNumber: Math.max(newest?.number ?? 0, headFileNo) + 1,
    seq,
    hash,
    findings,
    breakReason: reason,
  });

  // Find the newest record: the newest non-empty file (a crash right after rotation leaves an empty one).
  for (let i = files.length - 1; i >= 0; i--) {
    const f = files[i] as LogFile;
    const fh = await open(join(dir, f.name), 'r+');
    let tail: TailCheck;
    try {
      let size = (await fh.stat()).size;
      if (i === files.length - 1) size = await cutTornTail(dir, f, fh, size, findings);
      if (size === 0) continue;
      const start = Math.max(0, size - TAIL_BYTES);
      tail = checkWindow(f, await readAt(fh, start, size), start, key);
    } finally {
      await fh.close();
    }
    const last = tail.last;
    if (last && (last.alg === 'hmac-sha256') !== (key !== undefined)) {
      throw new PortcullisError('USAGE', `the audit log in ${dir} was written ${key ? 'without' : 'with'} a key: open it with the same key setting, or start a new directory`, { path: dir });
    }
    const headSeq = head.present && head.state ? head.state.seq : 0;
    const fallback = { seq: Math.max(last?.seq ?? 0, headSeq), hash: last?.hash ?? (head.present && head.state ? head.state.hash : GENESIS) };
    if (tail.bad || !last) return restart(`the tail of the previous log does not verify: ${tail.bad ?? `${f.name} has no readable record`}`, fallback.seq, fallback.hash);
    if (!head.present) return restart('HEAD is missing although the log has records', fallback.seq, fallback.hash);
    if (!head.state) return restart(head.problem ?? 'HEAD is unreadable', fallback.seq, fallback.hash);
    const h = head.state;
    if (h.seq > last.seq) return restart(`HEAD records seq ${h.seq} in ${h.file} but the log ends at seq ${last.seq} in ${f.name}: records were cut from the tail`, fallback.seq, fallback.hash);
    const seen = tail.hashes.get(h.seq);
    if (seen !== undefined && seen !== h.hash) return restart(`HEAD's hash for seq ${h.seq} differs from that record's hash`, fallback.seq, fallback.hash);
    return { current: newest as LogFile, nextNumber: (newest as LogFile).number + 1, seq: last.seq, hash: last.hash, findings };
  }

  // No record at all: a new log, or one whose files are all gone.
  if (head.present && (!head.state || head.state.seq > 0)) {
    const why = head.state ? `HEAD records seq ${head.state.seq} in ${head.state.file} but the log holds no record: its files were removed` : (head.problem ?? 'HEAD is unreadable');
    return restart(why, head.state?.seq ?? 0, head.state?.hash ?? GENESIS);
  }
  if (newest) return { current: newest, nextNumber: newest.number + 1, seq: 0, hash: GENESIS, findings };
  return { nextNumber: Math.max(1, headFileNo), seq: 0, hash: GENESIS, findings };
}
