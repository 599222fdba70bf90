import { writeSync } from 'node:fs';
import { type FileHandle, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { HEAD_FILE, LOG_FILE_RE } from './files.js';
import { canonicalJson, digest } from './record.js';

/**
 * HEAD remembers the last sequence number and hash, so cutting records off the tail of the
 * log is detected. It is rewritten after every batch, in place, in one of two fixed-size
 * slots taken in turn: a crash while writing one slot leaves the other intact, with no
 * rename and one fdatasync per batch. Each slot carries a MAC (HMAC with the log key, else a
 * plain SHA-256 that only catches torn writes).
 */

const SLOT_BYTES = 256;
const HEX64 = z.string().regex(/^[0-9a-f]{64}$/);
const SlotSchema = z.strictObject({
  v: z.literal(1),
  seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  hash: HEX64,
  file: z.string().regex(LOG_FILE_RE),
  mac: HEX64,
});

export interface HeadState {
  readonly seq: number;
  readonly hash: string;
  /** The log file that holds record `seq` (or will hold the first record, for seq 0). */
  readonly file: string;
}

export type HeadRead = { readonly present: false } | { readonly present: true; readonly state?: HeadState; readonly slot?: number; readonly problem?: string };

function encodeSlot(state: HeadState, key: Uint8Array | undefined): Buffer {
  const body = { v: 1, seq: state.seq, hash: state.hash, file: state.file };
  const text = canonicalJson({ ...body, mac: digest(canonicalJson(body), key) });
  // File names are bounded by LOG_FILE_RE, so the text always fits in a slot.
  return Buffer.from(`${text.padEnd(SLOT_BYTES - 1, ' ')}\n`);
}

function decodeSlot(bytes: Buffer, key: Uint8Array | undefined): HeadState | undefined {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = SlotSchema.safeParse(value);
  if (!parsed.success) return undefined;
  const { mac, v, ...state } = parsed.data;
  return digest(canonicalJson({ v, ...state }), key) === mac ? state : undefined;
}

export async function readHead(dir: string, key: Uint8Array | undefined): Promise<HeadRead> {
  let bytes: Buffer;
  try {
    bytes = await readFile(join(dir, HEAD_FILE));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { present: false };
    return { present: true, problem: `HEAD cannot be read: ${(err as Error).message}` };
  }
  if (bytes.length !== 2 * SLOT_BYTES) return { present: true, problem: `HEAD has ${bytes.length} bytes, not ${2 * SLOT_BYTES}` };
  let best: { state: HeadState; slot: number } | undefined;
  for (const slot of [0, 1]) {
    const state = decodeSlot(bytes.subarray(slot * SLOT_BYTES, (slot + 1) * SLOT_BYTES), key);
    if (state && (!best || state.seq > best.state.seq)) best = { state, slot };
  }
  if (!best) return { present: true, problem: key ? 'HEAD does not verify with the log key (edited, or another key)' : 'HEAD does not verify (edited or corrupt)' };
  return { present: true, state: best.state, slot: best.slot };
}

/** Keeps HEAD open and writes the slot that does not hold the newest state. */
export class HeadWriter {
  private constructor(
    private readonly fh: FileHandle,
    private readonly key: Uint8Array | undefined,
    private nextSlot: number,
  ) {}

  /** Opens HEAD, creating it with `initial` in both slots when it is missing or unreadable. */
  static async open(dir: string, key: Uint8Array | undefined, read: HeadRead, initial: HeadState): Promise<HeadWriter> {
    const path = join(dir, HEAD_FILE);
    if (read.present && read.state && read.slot !== undefined) {
      return new HeadWriter(await open(path, 'r+'), key, 1 - read.slot);
    }
    const fh = await open(path, 'w', 0o600);
    const slot = encodeSlot(initial, key);
    await fh.write(Buffer.concat([slot, slot]), 0, 2 * SLOT_BYTES, 0);
    await fh.sync();
    return new HeadWriter(fh, key, 0);
  }

  async write(state: HeadState): Promise<void> {
    // The write is synchronous (page cache, microseconds); only the fdatasync goes to the thread pool.
    writeSync(this.fh.fd, encodeSlot(state, this.key), 0, SLOT_BYTES, this.nextSlot * SLOT_BYTES);
    await this.fh.datasync();
    this.nextSlot = 1 - this.nextSlot;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
