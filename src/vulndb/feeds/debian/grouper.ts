import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Groups items by id when the input is ordered by something else: the tracker JSON is keyed by
 * source package, the advisories are one per CVE. Items are spilled as JSON lines into hash
 * buckets in a private temp directory, then each bucket is read back, grouped and yielded in
 * id order, so memory holds one bucket (about input size / bucket count) and never the whole
 * tracker. Items must be JSON-serializable.
 */
export class IdGrouper<T> {
  readonly #dir: string;
  readonly #buffers: string[][];
  readonly #sizes: number[];
  readonly #flushAt: number;

  private constructor(dir: string, buckets: number, flushAt: number) {
    this.#dir = dir;
    this.#buffers = Array.from({ length: buckets }, () => []);
    this.#sizes = new Array<number>(buckets).fill(0);
    this.#flushAt = flushAt;
  }

  /** `buckets` files; each bucket's write buffer is flushed at `flushAt` characters. */
  static async create<T>(buckets: number, flushAt = 256 * 1024): Promise<IdGrouper<T>> {
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-grouper-'));
    return new IdGrouper<T>(dir, Math.max(1, Math.min(4096, Math.floor(buckets))), flushAt);
  }

  get buckets(): number {
    return this.#buffers.length;
  }

  async add(id: string, item: T): Promise<void> {
    const b = bucketOf(id, this.#buffers.length);
    const line = `${JSON.stringify([id, item])}\n`;
    (this.#buffers[b] as string[]).push(line);
    this.#sizes[b] = (this.#sizes[b] as number) + line.length;
    if ((this.#sizes[b] as number) >= this.#flushAt) await this.#flush(b);
  }

  async #flush(b: number): Promise<void> {
    const buf = this.#buffers[b] as string[];
    if (buf.length === 0) return;
    await appendFile(join(this.#dir, String(b)), buf.join(''));
    this.#buffers[b] = [];
    this.#sizes[b] = 0;
  }

  /** Every id with its items (in the order they were added), bucket by bucket, ids sorted within a bucket. */
  async *drain(): AsyncGenerator<[string, T[]]> {
    for (let b = 0; b < this.#buffers.length; b++) await this.#flush(b);
    for (let b = 0; b < this.#buffers.length; b++) {
      let text: string;
      try {
        text = await readFile(join(this.#dir, String(b)), 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      const groups = new Map<string, T[]>();
      for (const line of text.split('\n')) {
        if (line === '') continue;
        const [id, item] = JSON.parse(line) as [string, T];
        const list = groups.get(id);
        if (list) list.push(item);
        else groups.set(id, [item]);
      }
      text = '';
      await rm(join(this.#dir, String(b)), { force: true });
      for (const id of [...groups.keys()].sort()) yield [id, groups.get(id) as T[]];
    }
  }

  /** Removes the temp directory (idempotent; call in `finally`). */
  async dispose(): Promise<void> {
    await rm(this.#dir, { recursive: true, force: true });
  }
}

/** FNV-1a of the id, modulo the bucket count. */
export function bucketOf(id: string, buckets: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % buckets;
}
