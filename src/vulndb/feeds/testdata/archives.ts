import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip, deflateRawSync } from 'node:zlib';
import tar from 'tar-stream';
import { crc32 } from '../../../catalog/java/zip.js';

/**
 * Archive builders for hostile-input tests: a zip writer that can lie about sizes (to build
 * bombs) and a tar.gz writer that accepts any member name (to build traversal attempts).
 */

export interface ZipMember {
  readonly name: string;
  readonly data: Buffer | string;
  /** Uncompressed size written in the headers (default: the real one). */
  readonly declaredSize?: number;
}

export function buildZip(members: readonly ZipMember[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const data = Buffer.isBuffer(m.data) ? m.data : Buffer.from(m.data);
    const packed = deflateRawSync(data);
    const name = Buffer.from(m.name);
    const size = m.declaredSize ?? data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc32(data), 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += local.length + name.length + packed.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(members.length, 8);
  eocd.writeUInt16LE(members.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

export interface TarMember {
  readonly name: string;
  readonly data?: Buffer | string;
  readonly type?: 'file' | 'directory' | 'symlink';
  readonly linkname?: string;
}

/** Writes a gzip-compressed tar with exactly these member names. */
export async function writeTarGz(path: string, members: readonly TarMember[]): Promise<void> {
  const pack = tar.pack();
  const done = pipeline(pack, createGzip(), createWriteStream(path));
  for (const m of members) {
    const data = m.data === undefined ? undefined : Buffer.isBuffer(m.data) ? m.data : Buffer.from(m.data);
    await new Promise<void>((resolve, reject) => {
      pack.entry({ name: m.name, type: m.type ?? 'file', ...(m.linkname ? { linkname: m.linkname } : {}), ...(data ? { size: data.length } : {}) }, data ?? '', (err) => (err ? reject(err) : resolve()));
    });
  }
  pack.finalize();
  await done;
}
