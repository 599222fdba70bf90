// The floor of an audited decision: the audit log must write a record (~300 bytes) and
// fdatasync it before the plugin answers. This loop does only that, on the same file system
// as the audit directory, so what it measures no decision can beat (group commit shares one
// fdatasync among concurrent decisions, but a lone decision pays a whole one).
import { closeSync, fdatasyncSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { latencySummary } from './stats.mjs';

/** `count` rounds of append(300 bytes) + fdatasync in `dir`; latency summary in ms. */
export function fsyncFloor(dir, count = 500) {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `fsync-floor-${process.pid}.jsonl`);
  const fd = openSync(file, 'a', 0o600);
  const line = Buffer.from(`${JSON.stringify({ v: 1, seq: 0, pad: 'x'.repeat(260) })}\n`);
  const times = new Float64Array(count);
  try {
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      writeSync(fd, line);
      fdatasyncSync(fd);
      times[i] = performance.now() - t;
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  return { bytes: line.length, ...latencySummary(times.sort()) };
}

/**
 * The floor of one client asking one decision after another, the way the audit log writes:
 * each decision appends to the log and fdatasyncs it, then HEAD (a 256-byte slot in another
 * file) is rewritten and fdatasync'ed beside the next decision's append, never two at a time
 * (src/authz/audit/log.ts, head.ts). On a journaling file system the two fdatasyncs queue
 * behind each other, so a sequential client can pay for both.
 */
export async function auditProtocolFloor(dir, count = 300) {
  const { open } = await import('node:fs/promises');
  mkdirSync(dir, { recursive: true });
  const logFile = join(dir, `floor-log-${process.pid}.jsonl`);
  const headFile = join(dir, `floor-head-${process.pid}`);
  const log = await open(logFile, 'a', 0o600);
  const head = await open(headFile, 'w', 0o600);
  await head.write(Buffer.alloc(512, 32), 0, 512, 0);
  const line = Buffer.from(`${JSON.stringify({ v: 1, seq: 0, pad: 'x'.repeat(260) })}\n`);
  const slot = Buffer.alloc(256, 32);
  const times = new Float64Array(count);
  let headBusy;
  let pendingHead = false;
  const headLoop = async () => {
    let n = 0;
    while (pendingHead) {
      pendingHead = false;
      await head.write(slot, 0, 256, (n++ % 2) * 256);
      await head.datasync();
    }
    headBusy = undefined;
  };
  try {
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      await log.write(line);
      await log.datasync();
      times[i] = performance.now() - t;
      pendingHead = true;
      headBusy ??= headLoop();
    }
    while (headBusy) await headBusy;
  } finally {
    await log.close();
    await head.close();
    rmSync(logFile, { force: true });
    rmSync(headFile, { force: true });
  }
  return { bytes: line.length, ...latencySummary(times.sort()) };
}
