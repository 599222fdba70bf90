import { type DbRead, FormatError, messageOf, UnsupportedError } from './db-read.js';

/**
 * Berkeley DB hash files, the format of rpm's `Packages` up to RHEL 8 / CentOS 8 / AL2.
 * Layout from Berkeley DB's dbinc/db_page.h and dbinc/hash.h:
 * - page 0 is the hash metadata page (generic DBMETA: magic at 12, pagesize at 20, type at
 *   25, last_pgno at 32), stored in the byte order of the machine that wrote it;
 * - every other page starts with a 26-byte header (pgno 8, prev 12, next 16, entries 20,
 *   hf_offset 22, level 24, type 25), followed by `entries` 2-byte item offsets;
 * - on hash pages items alternate key, data; an item starts with its type byte: 1 KEYDATA
 *   (bytes up to the previous item), 3 OFFPAGE (pgno at 4, total length at 8: the value
 *   lives on a chain of overflow pages, each carrying hf_offset bytes after its header).
 * Every key/data pair sits on exactly one hash page, so the reader walks pages in order
 * instead of following bucket chains: no chain to loop on, and damage stays local.
 */
const HASH_MAGIC = 0x00061561;
const PAGE_HEADER = 26;
const P_HASH_UNSORTED = 2;
const P_OVERFLOW = 7;
const P_HASHMETA = 8;
const P_HASH = 13;
const H_KEYDATA = 1;
const H_OFFPAGE = 3;
const H_DUPLICATE = 2;
const H_OFFDUP = 4;
const DBMETA_CHKSUM = 0x01;

interface Layout {
  readonly buf: Buffer;
  readonly le: boolean;
  readonly pageSize: number;
  readonly pageCount: number;
  /** Overflow pages already given to a value: each belongs to one chain, which bounds total output by the file size. */
  readonly usedOverflow: Set<number>;
}

export function readBdb(content: Buffer): DbRead {
  const blobs: Buffer[] = [];
  const errors: string[] = [];
  let layout: Layout;
  try {
    layout = readMeta(content, errors);
  } catch (err) {
    return { blobs, errors: [messageOf(err)], ...(err instanceof UnsupportedError ? { unsupported: err.message } : {}) };
  }
  for (let pgno = 1; pgno < layout.pageCount; pgno++) {
    const type = content[pgno * layout.pageSize + 25];
    if (type !== P_HASH && type !== P_HASH_UNSORTED) continue;
    try {
      readHashPage(layout, pgno, blobs, errors);
    } catch (err) {
      errors.push(`hash page ${pgno}: ${messageOf(err)}`);
    }
  }
  return { blobs, errors };
}

function u32(l: Pick<Layout, 'buf' | 'le'>, at: number): number {
  return l.le ? l.buf.readUInt32LE(at) : l.buf.readUInt32BE(at);
}

function u16(l: Pick<Layout, 'buf' | 'le'>, at: number): number {
  return l.le ? l.buf.readUInt16LE(at) : l.buf.readUInt16BE(at);
}

function readMeta(buf: Buffer, errors: string[]): Layout {
  if (buf.length < 512) throw new FormatError(`file of ${buf.length} bytes is too short for a Berkeley DB metadata page`);
  let le: boolean;
  if (buf.readUInt32LE(12) === HASH_MAGIC) le = true;
  else if (buf.readUInt32BE(12) === HASH_MAGIC) le = false;
  else throw new FormatError(`not a Berkeley DB hash file (magic 0x${buf.readUInt32LE(12).toString(16)})`);
  const meta = { buf, le };
  const pageSize = u32(meta, 20);
  // Berkeley DB page sizes are powers of two from 512 bytes to 64 KiB.
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) throw new FormatError(`invalid page size ${pageSize}`);
  if (buf[25] !== P_HASHMETA) throw new FormatError(`page 0 has type ${buf[25]}, not hash metadata`);
  if (buf[24] !== 0) throw new UnsupportedError('encrypted Berkeley DB files are not supported');
  // Checksummed pages carry the checksum after the page header; rpm never creates them and its bdb_ro cannot read them either.
  if ((buf[26] ?? 0) & DBMETA_CHKSUM) throw new UnsupportedError('checksummed Berkeley DB files are not supported');
  const lastPgno = u32(meta, 32);
  const inFile = Math.floor(buf.length / pageSize);
  if (lastPgno + 1 > inFile) errors.push(`file is truncated: metadata names ${lastPgno + 1} pages, file holds ${inFile}`);
  return { buf, le, pageSize, pageCount: Math.min(lastPgno + 1, inFile), usedOverflow: new Set() };
}

function readHashPage(l: Layout, pgno: number, blobs: Buffer[], errors: string[]): void {
  const base = pgno * l.pageSize;
  const entries = u16(l, base + 20);
  const inpEnd = PAGE_HEADER + entries * 2;
  if (inpEnd > l.pageSize) throw new FormatError(`${entries} entries do not fit the page`);
  const offsets: number[] = [];
  for (let i = 0; i < entries; i++) {
    const off = u16(l, base + PAGE_HEADER + i * 2);
    const limit = i === 0 ? l.pageSize : (offsets[i - 1] ?? 0);
    if (off < inpEnd || off >= limit) throw new FormatError(`item ${i} has offset ${off} outside ${inpEnd}..${limit}`);
    offsets.push(off);
  }
  for (let i = 0; i + 1 < entries; i += 2) {
    try {
      const key = readItem(l, pgno, offsets, i);
      // Key 0 is rpm's bookkeeping record (the next free header instance), not a header.
      if (key.length === 4 && key.readUInt32LE(0) === 0) continue;
      blobs.push(readItem(l, pgno, offsets, i + 1));
    } catch (err) {
      errors.push(`hash page ${pgno} item ${i}: ${messageOf(err)}`);
    }
  }
}

function readItem(l: Layout, pgno: number, offsets: readonly number[], i: number): Buffer {
  const base = pgno * l.pageSize;
  const start = offsets[i] ?? 0;
  const end = i === 0 ? l.pageSize : (offsets[i - 1] ?? 0);
  const type = l.buf[base + start];
  if (type === H_KEYDATA) return l.buf.subarray(base + start + 1, base + end);
  if (type === H_OFFPAGE) {
    if (end - start < 12) throw new FormatError('off-page item is too short');
    return readOverflow(l, u32(l, base + start + 4), u32(l, base + start + 8));
  }
  if (type === H_DUPLICATE || type === H_OFFDUP) throw new FormatError('duplicate-key items do not occur in rpm databases');
  throw new FormatError(`unknown item type ${type}`);
}

/** Follows an overflow chain, refusing cycles, shared pages, foreign page types and lengths past the file. */
function readOverflow(l: Layout, first: number, total: number): Buffer {
  if (total > l.buf.length) throw new FormatError(`overflow length ${total} exceeds the file size`);
  const chunks: Buffer[] = [];
  const seen = new Set<number>();
  let filled = 0;
  let pgno = first;
  while (filled < total) {
    if (pgno === 0 || pgno >= l.pageCount) throw new FormatError(`overflow chain reaches page ${pgno} outside 1..${l.pageCount - 1}`);
    if (seen.has(pgno)) throw new FormatError(`overflow chain loops back to page ${pgno}`);
    if (l.usedOverflow.has(pgno)) throw new FormatError(`overflow page ${pgno} already belongs to another value`);
    seen.add(pgno);
    l.usedOverflow.add(pgno);
    const base = pgno * l.pageSize;
    if (l.buf[base + 25] !== P_OVERFLOW) throw new FormatError(`overflow chain reaches page ${pgno} of type ${l.buf[base + 25]}`);
    const len = u16(l, base + 22);
    if (len === 0 || len > l.pageSize - PAGE_HEADER || len > total - filled) throw new FormatError(`overflow page ${pgno} claims ${len} bytes`);
    chunks.push(l.buf.subarray(base + PAGE_HEADER, base + PAGE_HEADER + len));
    filled += len;
    pgno = u32(l, base + 16);
  }
  return Buffer.concat(chunks, total);
}
