import { type DbRead, FormatError, messageOf, UnsupportedError } from './db-read.js';

/**
 * rpm's "ndb" backend (`Packages.db`, SUSE 15 SP3+), as written by rpm's
 * lib/backend/ndb/rpmpkg.c. All integers little-endian.
 * - Bytes 0..31: header `'RpmP'`, version 0, generation, slot page count, next pkg index.
 * - Slot pages of 4096 bytes follow from offset 0 (the header takes the first two 16-byte
 *   slots): each slot is `'Slot'`, pkgidx, blkoff, blkcnt; blkoff 0 marks a free slot.
 * - A blob starts at blkoff × 16: head `'BlbS'`, pkgidx, timestamp, bloblen; then the rpm
 *   header blob; zero padding; tail adler32 (over head, blob and padding), bloblen, `'BlbE'`.
 *   blkcnt = ceil((16 + bloblen + 12) / 16).
 */
const MAGIC = 0x506d7052; // 'RpmP'
const SLOT_MAGIC = 0x746f6c53; // 'Slot'
const BLOB_MAGIC = 0x53626c42; // 'BlbS'
const TAIL_MAGIC = 0x45626c42; // 'BlbE'
const PAGE_SIZE = 4096;
const SLOT_SIZE = 16;
const BLK_SIZE = 16;
const HEAD_SIZE = 16;
const TAIL_SIZE = 12;

export function readNdb(content: Buffer): DbRead {
  const blobs: Buffer[] = [];
  const errors: string[] = [];
  let slotPages: number;
  try {
    slotPages = readHeader(content);
  } catch (err) {
    return { blobs, errors: [messageOf(err)], ...(err instanceof UnsupportedError ? { unsupported: err.message } : {}) };
  }
  const fileBlks = Math.floor(content.length / BLK_SIZE);
  const firstDataBlk = slotPages * (PAGE_SIZE / BLK_SIZE);
  const slots: Slot[] = [];
  // Slots 0 and 1 hold the database header.
  for (let slotNo = 2; slotNo < slotPages * (PAGE_SIZE / SLOT_SIZE); slotNo++) {
    const at = slotNo * SLOT_SIZE;
    if (content.readUInt32LE(at) !== SLOT_MAGIC) {
      errors.push(`slot ${slotNo} has a bad magic; slot table is corrupt`);
      break;
    }
    const slot = { slotNo, pkgIdx: content.readUInt32LE(at + 4), blkOff: content.readUInt32LE(at + 8), blkCnt: content.readUInt32LE(at + 12) };
    if (slot.blkOff === 0) continue;
    if (slot.pkgIdx === 0 || slot.blkCnt === 0 || slot.blkOff < firstDataBlk || slot.blkOff + slot.blkCnt > fileBlks) {
      errors.push(`slot ${slotNo} points to blocks ${slot.blkOff}+${slot.blkCnt} outside the data area ${firstDataBlk}..${fileBlks}`);
      continue;
    }
    slots.push(slot);
  }
  // Blobs never overlap in a sound database; refusing overlaps keeps the work linear in the file size.
  slots.sort((x, y) => x.blkOff - y.blkOff);
  let usedUpTo = firstDataBlk;
  for (const slot of slots) {
    if (slot.blkOff < usedUpTo) {
      errors.push(`slot ${slot.slotNo} (package index ${slot.pkgIdx}) overlaps another blob`);
      continue;
    }
    usedUpTo = slot.blkOff + slot.blkCnt;
    try {
      blobs.push(readBlob(content, slot.pkgIdx, slot.blkOff, slot.blkCnt));
    } catch (err) {
      errors.push(`slot ${slot.slotNo} (package index ${slot.pkgIdx}): ${messageOf(err)}`);
    }
  }
  return { blobs, errors };
}

interface Slot {
  readonly slotNo: number;
  readonly pkgIdx: number;
  readonly blkOff: number;
  readonly blkCnt: number;
}

function readHeader(buf: Buffer): number {
  if (buf.length < 32) throw new FormatError(`file of ${buf.length} bytes is too short for an ndb header`);
  if (buf.readUInt32LE(0) !== MAGIC) throw new FormatError('not an rpm ndb Packages.db (bad magic)');
  const version = buf.readUInt32LE(4);
  if (version !== 0) throw new UnsupportedError(`unsupported ndb version ${version}`);
  const slotPages = buf.readUInt32LE(12);
  if (slotPages < 1 || slotPages * PAGE_SIZE > buf.length) {
    throw new FormatError(`header names ${slotPages} slot pages but the file holds ${Math.floor(buf.length / PAGE_SIZE)}`);
  }
  return slotPages;
}

function readBlob(buf: Buffer, pkgIdx: number, blkOff: number, blkCnt: number): Buffer {
  const start = blkOff * BLK_SIZE;
  const end = start + blkCnt * BLK_SIZE;
  if (blkCnt * BLK_SIZE < HEAD_SIZE + TAIL_SIZE) throw new FormatError(`blob of ${blkCnt} blocks is too small`);
  if (buf.readUInt32LE(start) !== BLOB_MAGIC) throw new FormatError('blob has a bad magic');
  if (buf.readUInt32LE(start + 4) !== pkgIdx) throw new FormatError(`blob belongs to package index ${buf.readUInt32LE(start + 4)}`);
  const blobLen = buf.readUInt32LE(start + 12);
  if (blkCnt !== Math.ceil((HEAD_SIZE + blobLen + TAIL_SIZE) / BLK_SIZE)) throw new FormatError(`blob length ${blobLen} does not match ${blkCnt} blocks`);
  const tail = end - TAIL_SIZE;
  if (buf.readUInt32LE(tail + 8) !== TAIL_MAGIC || buf.readUInt32LE(tail + 4) !== blobLen) throw new FormatError('blob tail is corrupt');
  if (adler32(buf.subarray(start, tail)) !== buf.readUInt32LE(tail)) throw new FormatError('blob checksum (adler32) does not match');
  return buf.subarray(start + HEAD_SIZE, start + HEAD_SIZE + blobLen);
}

/** RFC 1950 adler32, as rpmpkg.c computes it. */
export function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  // 5552 is the largest run before the sums can overflow 2^32 (zlib's NMAX); JS numbers are exact far beyond that anyway.
  for (let i = 0; i < data.length; ) {
    const stop = Math.min(i + 5552, data.length);
    for (; i < stop; i++) {
      a += data[i] ?? 0;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}
