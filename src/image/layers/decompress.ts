import { Transform, type TransformCallback } from 'node:stream';
import zlib from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import { PortcullisError } from '../../core/errors.js';

export type Compression = 'gzip' | 'zstd' | 'none';

/** Sniffs by magic bytes, never by media type (SCANNER-NOTES §1.4). */
export function sniffCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

/** Pure-JS zstd stream (fzstd) for Node versions whose zlib has no zstd. */
class FzstdTransform extends Transform {
  private readonly decoder: ZstdDecompress;
  constructor() {
    super();
    this.decoder = new ZstdDecompress((chunk) => {
      this.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.decoder.push(chunk);
      cb();
    } catch (err) {
      cb(new PortcullisError('LAYER_CORRUPT', `zstd: ${(err as Error).message}`));
    }
  }
  override _flush(cb: TransformCallback): void {
    try {
      this.decoder.push(new Uint8Array(0), true);
      cb();
    } catch (err) {
      cb(new PortcullisError('LAYER_CORRUPT', `zstd: ${(err as Error).message}`));
    }
  }
}

type ZlibWithZstd = typeof zlib & { createZstdDecompress?: (opts?: object) => Transform };

/** A decompressing Transform for `kind`, or undefined for plain tar. */
export function decompressor(kind: Compression): Transform | undefined {
  // A deep readable buffer lets the thread pool inflate the next chunks while the main
  // thread parses the previous ones (zlib only schedules more work when its buffer has room).
  if (kind === 'gzip') return zlib.createGunzip({ chunkSize: 256 * 1024, readableHighWaterMark: 1024 * 1024 } as zlib.ZlibOptions);
  if (kind === 'zstd') {
    const native = (zlib as ZlibWithZstd).createZstdDecompress;
    return native ? native.call(zlib) : new FzstdTransform();
  }
  return undefined;
}
