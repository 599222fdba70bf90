import { createReadStream } from 'node:fs';

export interface RawLine {
  /** The line without its newline; undefined when it is longer than the limit (never buffered). */
  readonly bytes: Buffer | undefined;
  /** 1-based. */
  readonly lineNo: number;
  /** Byte offset of the line's start in the file. */
  readonly offset: number;
  readonly length: number;
  /** False for a last line with no newline: a write cut short, or an edit. */
  readonly terminated: boolean;
}

/**
 * Streams a file's lines with a bounded memory cost: a line over `maxLine` bytes is reported
 * by length and skipped, so a hostile multi-gigabyte line cannot exhaust memory.
 */
export async function* readLines(path: string, maxLine: number): AsyncGenerator<RawLine> {
  let parts: Buffer[] = [];
  let length = 0;
  let oversized = false;
  let lineNo = 1;
  let offset = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(10, start);
      const end = nl === -1 ? chunk.length : nl;
      const piece = chunk.subarray(start, end);
      if (!oversized && length + piece.length > maxLine) {
        oversized = true;
        parts = [];
      }
      if (!oversized) parts.push(piece);
      length += piece.length;
      if (nl === -1) break;
      yield { bytes: oversized ? undefined : Buffer.concat(parts, length), lineNo, offset, length, terminated: true };
      lineNo++;
      offset += length + 1;
      parts = [];
      length = 0;
      oversized = false;
      start = nl + 1;
    }
  }
  if (length > 0 || oversized) yield { bytes: oversized ? undefined : Buffer.concat(parts, length), lineNo, offset, length, terminated: false };
}
