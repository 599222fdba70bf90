import { Readable } from 'node:stream';
import tarStream from 'tar-stream';

export interface TarItem {
  readonly name: string;
  readonly type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo';
  readonly content?: string | Buffer;
  readonly linkname?: string;
  readonly mode?: number;
}

/** Builds a tar archive in memory with tar-stream (a real, independent tar writer). */
export async function buildTar(items: readonly TarItem[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    // tar-stream types its Readable's chunks as unknown; pack only ever emits Buffers.
    pack.on('data', (c: unknown) => (Buffer.isBuffer(c) ? chunks.push(c) : reject(new TypeError(`tar-stream emitted a ${typeof c} chunk`))));
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  for (const item of items) {
    const type = item.type ?? 'file';
    const content = item.content === undefined ? undefined : Buffer.from(item.content);
    await new Promise<void>((resolve, reject) => {
      const header = {
        name: item.name,
        type,
        mode: item.mode ?? (type === 'directory' ? 0o755 : 0o644),
        ...(item.linkname !== undefined ? { linkname: item.linkname } : {}),
        ...(content ? { size: content.length } : {}),
      };
      const written = (err?: Error | null) => (err ? reject(err) : resolve());
      if (content === undefined) pack.entry(header, written);
      else pack.entry(header, content, written);
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export function streamOf(buf: Buffer, chunkSize = 7919): Readable {
  // Odd chunk sizes exercise headers and data split across chunk boundaries.
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunkSize) parts.push(buf.subarray(i, i + chunkSize));
  return Readable.from(parts);
}
