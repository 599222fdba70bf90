import { inflateRawSync } from 'node:zlib';

/**
 * A small, bounds-checked zip reader over a Buffer, enough to read the few entries a jar
 * cataloger needs. Format: PKWARE APPNOTE.TXT 6.3.10, sections 4.3.6 (local header),
 * 4.3.12 (central directory header), 4.3.14-4.3.16 (ZIP64 end records) and 4.5.3 (ZIP64
 * extra field). https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT
 * Every offset is checked against the buffer before it is read; nothing here throws.
 */

const EOCD_SIG = 0x06054b50;
const EOCD64_LOCATOR_SIG = 0x07064b50;
const EOCD64_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const EOCD_SIZE = 22;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;
const MAX_COMMENT = 0xffff;
const U32_MAX = 0xffffffff;

export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly encrypted: boolean;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localOffset: number;
  /** Set when this entry's data range overlaps another's (a classic bomb technique). */
  readonly overlaps: boolean;
}

export type ZipListing = { readonly ok: true; readonly entries: ZipEntry[] } | { readonly ok: false; readonly error: string };

/** Finds the end of central directory record: the last signature within the final 64 KiB + 22 bytes. */
function findEocd(buf: Buffer): number {
  const lowest = Math.max(0, buf.length - EOCD_SIZE - MAX_COMMENT);
  for (let i = buf.length - EOCD_SIZE; i >= lowest; i--) {
    if (buf.readUInt32LE(i) === EOCD_SIG && i + EOCD_SIZE + buf.readUInt16LE(i + 20) <= buf.length) return i;
  }
  return -1;
}

/** A u64 as a JS number, or -1 when it cannot be an offset into a Buffer. */
function readU64(buf: Buffer, at: number): number {
  const v = buf.readBigUInt64LE(at);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(v);
}

interface Directory {
  offset: number;
  size: number;
  count: number;
  /** Bytes prepended before the zip (a launch script on an executable jar): added to offsets. */
  shift: number;
}

function readDirectory(buf: Buffer, eocd: number): Directory | string {
  const locator = eocd - 20;
  if (locator >= 0 && buf.readUInt32LE(locator) === EOCD64_LOCATOR_SIG) {
    const at = readU64(buf, locator + 8);
    if (at < 0 || at + 56 > buf.length || buf.readUInt32LE(at) !== EOCD64_SIG) return 'bad ZIP64 end of central directory';
    const dir = { count: readU64(buf, at + 32), size: readU64(buf, at + 40), offset: readU64(buf, at + 48), shift: 0 };
    if (dir.count < 0 || dir.size < 0 || dir.offset < 0) return 'ZIP64 sizes out of range';
    if (dir.offset + dir.size > at) return 'central directory lies beyond its end record (truncated?)';
    return dir;
  }
  const dir = { count: buf.readUInt16LE(eocd + 10), size: buf.readUInt32LE(eocd + 12), offset: buf.readUInt32LE(eocd + 16), shift: 0 };
  // The directory ends where the end record starts; more room before it means a prefix.
  dir.shift = eocd - (dir.offset + dir.size);
  if (dir.shift < 0) return 'central directory lies beyond the end of the archive (truncated?)';
  dir.offset += dir.shift;
  return dir;
}

/** Values that are 0xFFFFFFFF in the central header come from the ZIP64 extra field (id 1), in order. */
function applyZip64(extra: Buffer, sizes: { size: number; compressedSize: number; localOffset: number }): boolean {
  for (let p = 0; p + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(p);
    const len = extra.readUInt16LE(p + 2);
    const end = p + 4 + len;
    if (end > extra.length) return false;
    if (id === 1) {
      let q = p + 4;
      for (const key of ['size', 'compressedSize', 'localOffset'] as const) {
        if (sizes[key] !== U32_MAX) continue;
        if (q + 8 > end) return false;
        sizes[key] = readU64(extra, q);
        if (sizes[key] < 0) return false;
        q += 8;
      }
      return true;
    }
    p = end;
  }
  return !(sizes.size === U32_MAX || sizes.compressedSize === U32_MAX || sizes.localOffset === U32_MAX);
}

/** Lists the central directory; `maxEntries` bounds the work a hostile count can cause. */
export function listZip(buf: Buffer, maxEntries: number): ZipListing {
  const eocd = findEocd(buf);
  if (eocd < 0) return { ok: false, error: 'not a zip archive (no end of central directory record)' };
  const dir = readDirectory(buf, eocd);
  if (typeof dir === 'string') return { ok: false, error: dir };
  if (dir.count > maxEntries) return { ok: false, error: `${dir.count} entries exceed the limit of ${maxEntries}` };
  const entries: ZipEntry[] = [];
  const end = dir.offset + dir.size;
  let p = dir.offset;
  for (let i = 0; i < dir.count; i++) {
    if (p + CENTRAL_SIZE > end || buf.readUInt32LE(p) !== CENTRAL_SIG) return { ok: false, error: `central directory entry ${i} is truncated or corrupt` };
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const next = p + CENTRAL_SIZE + nameLen + extraLen + buf.readUInt16LE(p + 32);
    if (next > end) return { ok: false, error: `central directory entry ${i} runs past the directory` };
    const sizes = { compressedSize: buf.readUInt32LE(p + 20), size: buf.readUInt32LE(p + 24), localOffset: buf.readUInt32LE(p + 42) };
    const extra = buf.subarray(p + CENTRAL_SIZE + nameLen, p + CENTRAL_SIZE + nameLen + extraLen);
    if (!applyZip64(extra, sizes)) return { ok: false, error: `central directory entry ${i} has a bad ZIP64 extra field` };
    entries.push({
      name: buf.toString('utf8', p + CENTRAL_SIZE, p + CENTRAL_SIZE + nameLen),
      method: buf.readUInt16LE(p + 10),
      encrypted: (buf.readUInt16LE(p + 8) & 1) !== 0,
      crc32: buf.readUInt32LE(p + 16),
      ...sizes,
      localOffset: sizes.localOffset + dir.shift,
      overlaps: false,
    });
    p = next;
  }
  return { ok: true, entries: markOverlaps(entries) };
}

/** Entries whose [local header, data end) ranges intersect share bytes: never legitimate. */
function markOverlaps(entries: ZipEntry[]): ZipEntry[] {
  const order = entries.map((_, i) => i).sort((a, b) => entries[a]!.localOffset - entries[b]!.localOffset);
  const bad = new Set<number>();
  let prevEnd = -1;
  let prevIndex = -1;
  for (const i of order) {
    const e = entries[i]!;
    if (e.localOffset < prevEnd) {
      bad.add(i);
      bad.add(prevIndex);
    }
    const endOfThis = e.localOffset + LOCAL_SIZE + e.compressedSize;
    if (endOfThis > prevEnd) {
      prevEnd = endOfThis;
      prevIndex = i;
    }
  }
  return bad.size === 0 ? entries : entries.map((e, i) => (bad.has(i) ? { ...e, overlaps: true } : e));
}

/** CRC-32 (IEEE 802.3), as zip stores it; a table keeps it independent of the Node minor. */
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export type ReadResult = { readonly ok: true; readonly data: Buffer } | { readonly ok: false; readonly error: string };

/** Inflates one entry, never producing more than `maxBytes` (a bomb stops at the cap). */
export function readEntry(buf: Buffer, entry: ZipEntry, maxBytes: number): ReadResult {
  if (entry.encrypted) return { ok: false, error: 'encrypted entry' };
  if (entry.overlaps) return { ok: false, error: 'entry overlaps another entry' };
  if (entry.size > maxBytes) return { ok: false, error: `declares ${entry.size} bytes, over the remaining budget of ${maxBytes}` };
  const at = entry.localOffset;
  if (at + LOCAL_SIZE > buf.length || buf.readUInt32LE(at) !== LOCAL_SIG) return { ok: false, error: 'bad local header offset' };
  const start = at + LOCAL_SIZE + buf.readUInt16LE(at + 26) + buf.readUInt16LE(at + 28);
  const raw = start + entry.compressedSize <= buf.length ? buf.subarray(start, start + entry.compressedSize) : undefined;
  if (!raw) return { ok: false, error: 'entry data runs past the end of the archive' };
  let data: Buffer;
  if (entry.method === 0) data = raw;
  else if (entry.method === 8) {
    try {
      // One byte over the declared size proves a lying header without inflating the rest.
      data = inflateRawSync(raw, { maxOutputLength: Math.max(1, Math.min(maxBytes, entry.size + 1)) });
    } catch (e) {
      const code = (e as { code?: string }).code;
      return { ok: false, error: code === 'ERR_BUFFER_TOO_LARGE' ? 'inflates past its declared size (zip bomb?)' : 'corrupt deflate data' };
    }
  } else return { ok: false, error: `unsupported compression method ${entry.method}` };
  if (data.length !== entry.size) return { ok: false, error: `size ${data.length} differs from declared ${entry.size}` };
  if (crc32(data) !== entry.crc32) return { ok: false, error: 'CRC mismatch' };
  return { ok: true, data };
}
