import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { PortcullisError } from '../../../core/errors.js';

/**
 * Lines of a text file that may be gzipped (detected by its magic bytes, not its name), read as
 * a stream: memory stays bounded by `maxLineBytes` whatever the file holds, and a decompression
 * bomb stops at `maxBytes` of output.
 */

export interface LineLimits {
  /** A longer line is skipped (reported as `too-long`), never buffered. */
  readonly maxLineBytes: number;
  /** Decompressed bytes read before the file is refused (gzip bomb). */
  readonly maxBytes: number;
}

export type LineEvent =
  | { readonly kind: 'line'; readonly no: number; readonly text: string }
  | { readonly kind: 'too-long'; readonly no: number };

const GZIP_MAGIC = [0x1f, 0x8b] as const;

async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  } finally {
    await fh.close();
  }
}

/**
 * Yields numbered lines (without `\n` or a trailing `\r`). Throws FEED_PARSE when the gzip stream
 * is corrupt or truncated, or when the output passes `limits.maxBytes`.
 */
export async function* readLines(path: string, limits: LineLimits): AsyncGenerator<LineEvent> {
  const gzipped = await isGzip(path);
  const file = createReadStream(path);
  let source: Readable = file;
  if (gzipped) {
    const gunzip = createGunzip();
    // pipe() does not forward errors; a read error must end the gunzip side too.
    file.on('error', (err) => gunzip.destroy(err));
    source = file.pipe(gunzip);
  }
  let total = 0;
  let no = 0;
  let parts: Buffer[] = [];
  let partLen = 0;
  let skipping = false;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > limits.maxBytes) {
        throw new PortcullisError('FEED_PARSE', `more than ${limits.maxBytes} bytes once decompressed; the rest was ignored`, { path });
      }
      let start = 0;
      while (start < chunk.length) {
        const nl = chunk.indexOf(0x0a, start);
        const end = nl === -1 ? chunk.length : nl;
        if (!skipping) {
          if (partLen + (end - start) > limits.maxLineBytes) {
            skipping = true;
            parts = [];
            partLen = 0;
          } else {
            parts.push(chunk.subarray(start, end));
            partLen += end - start;
          }
        }
        if (nl === -1) break;
        no++;
        yield skipping ? { kind: 'too-long', no } : { kind: 'line', no, text: decode(parts, partLen) };
        skipping = false;
        parts = [];
        partLen = 0;
        start = nl + 1;
      }
    }
  } catch (err) {
    if (err instanceof PortcullisError) throw err;
    const why = err instanceof Error ? err.message : String(err);
    throw new PortcullisError('FEED_PARSE', `cannot be read (corrupt or truncated gzip?): ${why}`, { path }, { cause: err });
  } finally {
    file.destroy();
    if (source !== file) source.destroy();
  }
  if (skipping) yield { kind: 'too-long', no: no + 1 };
  else if (partLen > 0) yield { kind: 'line', no: no + 1, text: decode(parts, partLen) };
}

function decode(parts: Buffer[], len: number): string {
  const text = Buffer.concat(parts, len).toString('utf8');
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}
