import { FormatError, messageOf } from './db-read.js';

/**
 * The rpm header blob as the package databases store it (no 8-byte magic/reserved intro,
 * unlike headers inside .rpm files): `int32 il`, `int32 dl`, `il` index entries of 16 bytes
 * `{tag, type, offset, count}`, then `dl` bytes of data. Everything is big-endian.
 * Spec: https://rpm-software-management.github.io/rpm/manual/format_header.html and
 * rpm's docs/manual/hregions.md (immutable regions).
 */
export const TAG = {
  HEADERIMAGE: 61,
  HEADERSIGNATURES: 62,
  HEADERIMMUTABLE: 63,
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  SIZE: 1009,
  VENDOR: 1011,
  LICENSE: 1014,
  ARCH: 1022,
  OLDFILENAMES: 1027,
  SOURCERPM: 1044,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
  LONGSIZE: 5009,
  MODULARITYLABEL: 5096,
} as const;

const TYPE = { INT32: 4, INT64: 5, STRING: 6, BIN: 7, STRING_ARRAY: 8, I18NSTRING: 9 } as const;
const MAX_TYPE = 9;

/** rpm's own sanity limits (`hdrchkTags`, `hdrchkData` in lib/header.c). */
const MAX_INDEX_ENTRIES = 0xffff;
const MAX_DATA_LENGTH = 0xffffff;
/**
 * Joining dirnames and basenames can multiply a small blob into a huge list (one long
 * dirname shared by many basenames), so the joined paths get a budget of their own.
 */
export const MAX_FILE_PATH_CHARS = 64 * 1024 * 1024;

export interface RpmHeader {
  readonly name: string;
  readonly version: string;
  readonly release?: string;
  readonly epoch?: number;
  readonly arch?: string;
  readonly sourceRpm?: string;
  readonly license?: string;
  readonly vendor?: string;
  readonly size?: number;
  readonly modularityLabel?: string;
  readonly files: string[];
}

export type HeaderParse =
  | { readonly ok: true; readonly header: RpmHeader; readonly warnings: string[] }
  | { readonly ok: false; readonly error: string };

interface Entry {
  readonly type: number;
  readonly offset: number;
  readonly count: number;
}

/** Parses one header blob; a malformed blob gives `ok: false` with the reason. */
export function parseHeader(blob: Buffer): HeaderParse {
  try {
    const reader = new HeaderReader(blob);
    const warnings: string[] = [];
    const header = readFields(reader, warnings);
    return { ok: true, header, warnings };
  } catch (err) {
    if (err instanceof FormatError) return { ok: false, error: err.message };
    return { ok: false, error: `unexpected header structure: ${messageOf(err)}` };
  }
}

function readFields(r: HeaderReader, warnings: string[]): RpmHeader {
  const name = r.string(TAG.NAME);
  const version = r.string(TAG.VERSION);
  if (!name) throw new FormatError('header has no NAME');
  if (version === undefined) throw new FormatError(`header of ${name} has no VERSION`);
  const epoch = r.int32(TAG.EPOCH);
  const size = r.int64(TAG.LONGSIZE) ?? r.int32(TAG.SIZE);
  return {
    name,
    version,
    ...optional('release', r.string(TAG.RELEASE)),
    ...optional('epoch', epoch),
    ...optional('arch', r.string(TAG.ARCH)),
    ...optional('sourceRpm', r.string(TAG.SOURCERPM)),
    ...optional('license', r.string(TAG.LICENSE)),
    ...optional('vendor', r.string(TAG.VENDOR)),
    ...optional('size', size),
    ...optional('modularityLabel', r.string(TAG.MODULARITYLABEL)),
    files: readFiles(r, name, warnings),
  };
}

/** Spreads `{ key: value }` only when value is defined (exactOptionalPropertyTypes). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** Installed paths are `dirnames[dirindexes[i]] + basenames[i]`; very old headers use OLDFILENAMES. */
function readFiles(r: HeaderReader, name: string, warnings: string[]): string[] {
  const basenames = r.stringArray(TAG.BASENAMES);
  if (!basenames) return r.stringArray(TAG.OLDFILENAMES) ?? [];
  const dirIndexes = r.int32Array(TAG.DIRINDEXES) ?? [];
  const dirnames = r.stringArray(TAG.DIRNAMES) ?? [];
  if (dirIndexes.length !== basenames.length) {
    throw new FormatError(`header of ${name} has ${basenames.length} BASENAMES but ${dirIndexes.length} DIRINDEXES`);
  }
  const files: string[] = [];
  let budget = MAX_FILE_PATH_CHARS;
  for (let i = 0; i < basenames.length; i++) {
    const dir = dirnames[dirIndexes[i] ?? -1];
    if (dir === undefined) throw new FormatError(`header of ${name}: DIRINDEXES[${i}] points outside DIRNAMES`);
    const path = dir + (basenames[i] ?? '');
    budget -= path.length;
    if (budget < 0) {
      warnings.push(`file list of ${name} exceeds ${MAX_FILE_PATH_CHARS} characters; truncated after ${files.length} files`);
      break;
    }
    files.push(path);
  }
  return files;
}

class HeaderReader {
  private readonly data: Buffer;
  private readonly entries = new Map<number, Entry>();

  constructor(blob: Buffer) {
    if (blob.length < 8) throw new FormatError(`header blob of ${blob.length} bytes is shorter than its 8-byte intro`);
    const il = blob.readUInt32BE(0);
    const dl = blob.readUInt32BE(4);
    if (il < 1 || il > MAX_INDEX_ENTRIES) throw new FormatError(`header index count ${il} is out of range`);
    if (dl > MAX_DATA_LENGTH) throw new FormatError(`header data length ${dl} is out of range`);
    const dataStart = 8 + il * 16;
    if (dataStart + dl > blob.length) {
      throw new FormatError(`header needs ${dataStart + dl} bytes (il ${il}, dl ${dl}) but the blob has ${blob.length}`);
    }
    this.data = blob.subarray(dataStart, dataStart + dl);
    let first: (Entry & { tag: number }) | undefined;
    for (let i = 0; i < il; i++) {
      const at = 8 + i * 16;
      const tag = blob.readUInt32BE(at);
      const entry = { type: blob.readUInt32BE(at + 4), offset: blob.readInt32BE(at + 8), count: blob.readUInt32BE(at + 12) };
      if (entry.type < 1 || entry.type > MAX_TYPE) throw new FormatError(`tag ${tag} has unknown type ${entry.type}`);
      if (entry.offset < 0 || entry.offset > dl) throw new FormatError(`tag ${tag} has data offset ${entry.offset} outside 0..${dl}`);
      if (entry.count === 0) throw new FormatError(`tag ${tag} has a zero count`);
      first ??= { tag, ...entry };
      // Entries appended after the immutable region ("dribble" entries) replace region ones.
      this.entries.set(tag, entry);
    }
    if (first) this.checkRegion(first, il);
  }

  /** An immutable region's trailer is a 16-byte entry whose negative offset spans the region's index. */
  private checkRegion(first: Entry & { tag: number }, il: number): void {
    if (first.tag !== TAG.HEADERIMAGE && first.tag !== TAG.HEADERSIGNATURES && first.tag !== TAG.HEADERIMMUTABLE) return;
    if (first.type !== TYPE.BIN || first.count !== 16 || first.offset + 16 > this.data.length) {
      throw new FormatError(`region tag ${first.tag} is malformed`);
    }
    const trailerType = this.data.readUInt32BE(first.offset + 4);
    const trailerOffset = this.data.readInt32BE(first.offset + 8);
    const regionEntries = -trailerOffset / 16;
    if (trailerType !== TYPE.BIN || !Number.isInteger(regionEntries) || regionEntries < 1 || regionEntries > il) {
      throw new FormatError(`region trailer of tag ${first.tag} is invalid`);
    }
  }

  private entry(tag: number, types: readonly number[]): Entry | undefined {
    const entry = this.entries.get(tag);
    if (!entry) return undefined;
    if (!types.includes(entry.type)) throw new FormatError(`tag ${tag} has type ${entry.type}, expected ${types.join(' or ')}`);
    return entry;
  }

  private cString(start: number, tag: number): { value: string; end: number } {
    const end = this.data.indexOf(0, start);
    if (end < 0) throw new FormatError(`string of tag ${tag} is not NUL-terminated inside the data store`);
    return { value: this.data.toString('utf8', start, end), end: end + 1 };
  }

  /** A string tag; for arrays and i18n tables, the first (default-locale) element. */
  string(tag: number): string | undefined {
    const entry = this.entry(tag, [TYPE.STRING, TYPE.STRING_ARRAY, TYPE.I18NSTRING]);
    return entry ? this.cString(entry.offset, tag).value : undefined;
  }

  stringArray(tag: number): string[] | undefined {
    const entry = this.entry(tag, [TYPE.STRING_ARRAY, TYPE.I18NSTRING, TYPE.STRING]);
    if (!entry) return undefined;
    const count = entry.type === TYPE.STRING ? 1 : entry.count;
    // Each string takes at least its terminator, so a count beyond the bytes left is a lie.
    if (count > this.data.length - entry.offset) throw new FormatError(`tag ${tag} claims ${count} strings in ${this.data.length - entry.offset} bytes`);
    const out: string[] = [];
    let at = entry.offset;
    for (let i = 0; i < count; i++) {
      const s = this.cString(at, tag);
      out.push(s.value);
      at = s.end;
    }
    return out;
  }

  int32Array(tag: number): number[] | undefined {
    const entry = this.entry(tag, [TYPE.INT32]);
    if (!entry) return undefined;
    if (entry.offset + entry.count * 4 > this.data.length) throw new FormatError(`tag ${tag} runs past the data store`);
    const out: number[] = [];
    for (let i = 0; i < entry.count; i++) out.push(this.data.readUInt32BE(entry.offset + i * 4));
    return out;
  }

  int32(tag: number): number | undefined {
    return this.int32Array(tag)?.[0];
  }

  int64(tag: number): number | undefined {
    const entry = this.entry(tag, [TYPE.INT64]);
    if (!entry) return undefined;
    if (entry.offset + 8 > this.data.length) throw new FormatError(`tag ${tag} runs past the data store`);
    return Number(this.data.readBigUInt64BE(entry.offset));
  }
}
