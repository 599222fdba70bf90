/**
 * Tar header decoding: POSIX ustar, GNU long names (`L`/`K`) and pax extended headers (`x`,
 * `g`). See https://pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html#tag_20_92_13
 * and GNU tar's format notes. Only what a container layer needs.
 */

export type TarType = 'file' | 'hardlink' | 'symlink' | 'char' | 'block' | 'dir' | 'fifo' | 'pax' | 'pax-global' | 'gnu-longname' | 'gnu-longlink' | 'other';

export interface RawHeader {
  readonly name: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly mtime: number;
  readonly type: TarType;
  readonly linkname: string;
}

const TYPES: Record<string, TarType> = {
  '0': 'file', '\0': 'file', '7': 'file', '1': 'hardlink', '2': 'symlink', '3': 'char', '4': 'block', '5': 'dir', '6': 'fifo',
  x: 'pax', g: 'pax-global', L: 'gnu-longname', K: 'gnu-longlink',
};

function cstring(buf: Buffer, start: number, len: number): string {
  let end = start;
  const stop = start + len;
  while (end < stop && buf[end] !== 0) end++;
  return buf.toString('utf8', start, end);
}

/** Octal or GNU base-256 numeric field; returns -1 when malformed. */
function numeric(buf: Buffer, start: number, len: number): number {
  const first = buf[start] ?? 0;
  if (first & 0x80) {
    // base-256: big-endian two's complement in the remaining bits; we only accept positives.
    if (first & 0x40) return -1;
    let value = first & 0x3f;
    for (let i = 1; i < len; i++) {
      value = value * 256 + (buf[start + i] ?? 0);
      if (value > Number.MAX_SAFE_INTEGER) return -1;
    }
    return value;
  }
  const text = cstring(buf, start, len).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) return -1;
  return Number.parseInt(text, 8);
}

export function isZeroBlock(buf: Buffer, off: number): boolean {
  for (let i = off; i < off + 512; i++) if (buf[i] !== 0) return false;
  return true;
}

/** Header checksum: sum of all bytes with the checksum field counted as spaces. */
function checksumOk(buf: Buffer, off: number): boolean {
  const stored = numeric(buf, off + 148, 8);
  if (stored < 0) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : (buf[off + i] ?? 0);
  return sum === stored;
}

/** Decodes the 512-byte header at `off`; returns undefined when it is not a valid header. */
export function decodeHeader(buf: Buffer, off: number): RawHeader | undefined {
  if (!checksumOk(buf, off)) return undefined;
  const size = numeric(buf, off + 124, 12);
  const mode = numeric(buf, off + 100, 8);
  const uid = numeric(buf, off + 108, 8);
  const gid = numeric(buf, off + 116, 8);
  const mtime = numeric(buf, off + 136, 12);
  if (size < 0 || mode < 0) return undefined;
  const typeflag = String.fromCharCode(buf[off + 156] ?? 0);
  let name = cstring(buf, off, 100);
  const magic = buf.toString('latin1', off + 257, off + 263);
  if (magic === 'ustar\0' || magic === 'ustar ') {
    const prefix = magic === 'ustar\0' ? cstring(buf, off + 345, 155) : '';
    if (prefix) name = `${prefix}/${name}`;
  }
  return {
    name,
    mode,
    uid: Math.max(uid, 0),
    gid: Math.max(gid, 0),
    size,
    mtime: Math.max(mtime, 0),
    type: TYPES[typeflag] ?? 'other',
    linkname: cstring(buf, off + 157, 100),
  };
}

/** Parses pax extended header records `LEN key=value\n`; malformed records end parsing. */
export function parsePax(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space < 0) break;
    const len = Number.parseInt(data.toString('latin1', pos, space), 10);
    if (!Number.isFinite(len) || len <= 0 || pos + len > data.length) break;
    const record = data.toString('utf8', space + 1, pos + len - 1);
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    pos += len;
  }
  return out;
}
