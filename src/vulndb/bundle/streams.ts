import { createHash, type Hash } from 'node:crypto';
import { closeSync, createWriteStream, fsyncSync, openSync, type WriteStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { PortcullisError } from '../../core/errors.js';

/**
 * Passes bytes through while counting and hashing them. Past `limit` bytes it fails with the
 * error `tooLarge` builds, before passing the chunk on: whatever follows (a file, an
 * inflater) never sees more than `limit` bytes.
 */
export class Measure extends Transform {
  bytes = 0;
  readonly #hash: Hash = createHash('sha256');
  #digest: string | undefined;

  constructor(
    private readonly limit: number,
    private readonly tooLarge: (limit: number) => Error,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.bytes + chunk.length > this.limit) return cb(this.tooLarge(this.limit));
    this.bytes += chunk.length;
    this.#hash.update(chunk);
    cb(null, chunk);
  }

  /** Lower-case hex sha256 of everything passed through (call once the stream has ended). */
  sha256(): string {
    this.#digest ??= this.#hash.digest('hex');
    return this.#digest;
  }
}

/** Reads a whole tar member of at most `cap` bytes; BUNDLE_FORMAT beyond. */
export async function readCapped(body: AsyncIterable<Buffer>, declared: number, cap: number, name: string): Promise<Buffer> {
  if (declared > cap) throw new PortcullisError('BUNDLE_FORMAT', `${name} is ${declared} bytes, more than the ${cap} a bundle allows`, { entry: name });
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of body) {
    n += chunk.length;
    // tar-stream never yields more than the header's size; this guards the invariant anyway.
    if (n > cap) throw new PortcullisError('BUNDLE_FORMAT', `${name} is more than ${cap} bytes`, { entry: name });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Flushes a finished file to disk so a rename that follows cannot expose an empty file after a crash. */
export function fsyncPath(path: string, flags: 'r' | 'r+' = 'r'): void {
  const fd = openSync(path, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * A write stream on a new file that exists when this returns. createWriteStream opens its file
 * later, so a failure in between would let the file appear after the caller removed its temps.
 */
export function newFileStream(path: string, mode = 0o644): WriteStream {
  return createWriteStream('', { fd: openSync(path, 'wx', mode) });
}
