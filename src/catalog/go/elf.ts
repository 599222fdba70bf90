/**
 * A small, bounds-checked ELF reader: just enough to find a named section and translate
 * virtual addresses, for Go buildinfo (§3.7) and cargo-auditable `.dep-v0`.
 * Spec: System V ABI, "Object Files" (https://refspecs.linuxfoundation.org/elf/gabi4+/ch4.eheader.html).
 * Every offset read from the file is checked against the buffer: hostile headers yield
 * `undefined`, never an exception or a huge allocation.
 */

export interface ElfSection {
  readonly name: string;
  readonly type: number;
  readonly addr: bigint;
  readonly offset: number;
  readonly size: number;
}

export interface ElfSegment {
  readonly type: number;
  readonly flags: number;
  readonly offset: number;
  readonly vaddr: bigint;
  readonly filesz: number;
}

export interface ElfFile {
  readonly is64: boolean;
  readonly littleEndian: boolean;
  readonly sections: readonly ElfSection[];
  readonly segments: readonly ElfSegment[];
}

export const PT_LOAD = 1;
export const PF_W = 2;
const SHT_NOBITS = 8;
/** Real binaries have < 100 sections / segments; beyond this the header is hostile. */
const MAX_HEADERS = 4096;

export function isElf(buf: Buffer): boolean {
  return buf.length >= 16 && buf[0] === 0x7f && buf[1] === 0x45 && buf[2] === 0x4c && buf[3] === 0x46;
}

/** A reader of fixed-width integers that returns undefined past the end. */
class Reader {
  constructor(
    private readonly buf: Buffer,
    readonly le: boolean,
  ) {}

  u16(at: number): number | undefined {
    if (at < 0 || at + 2 > this.buf.length) return undefined;
    return this.le ? this.buf.readUInt16LE(at) : this.buf.readUInt16BE(at);
  }

  u32(at: number): number | undefined {
    if (at < 0 || at + 4 > this.buf.length) return undefined;
    return this.le ? this.buf.readUInt32LE(at) : this.buf.readUInt32BE(at);
  }

  u64(at: number): bigint | undefined {
    if (at < 0 || at + 8 > this.buf.length) return undefined;
    return this.le ? this.buf.readBigUInt64LE(at) : this.buf.readBigUInt64BE(at);
  }

  /** An address-sized field, as bigint (64-bit addresses exceed 2^53). */
  addr(at: number, is64: boolean): bigint | undefined {
    if (is64) return this.u64(at);
    const v = this.u32(at);
    return v === undefined ? undefined : BigInt(v);
  }

  /** An offset/size field as a safe number; undefined when larger than any buffer. */
  off(at: number, is64: boolean): number | undefined {
    const v = this.addr(at, is64);
    return v === undefined || v > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(v);
  }
}

/** Parses the ELF header, program headers and section headers; undefined when not ELF or corrupt. */
export function parseElf(buf: Buffer): ElfFile | undefined {
  if (!isElf(buf)) return undefined;
  const cls = buf[4];
  const data = buf[5];
  if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2)) return undefined;
  const is64 = cls === 2;
  const r = new Reader(buf, data === 1);
  const w = is64 ? 8 : 4;
  // e_phoff / e_shoff follow e_entry at 0x18; layout differs by class.
  const phoff = r.off(0x18 + w, is64);
  const shoff = r.off(0x18 + 2 * w, is64);
  const base = 0x18 + 3 * w + 4; // after e_flags
  const phentsize = r.u16(base + 2);
  const phnum = r.u16(base + 4);
  const shentsize = r.u16(base + 6);
  const shnum = r.u16(base + 8);
  const shstrndx = r.u16(base + 10);
  if (phoff === undefined || shoff === undefined || phentsize === undefined || phnum === undefined) return undefined;
  if (shentsize === undefined || shnum === undefined || shstrndx === undefined) return undefined;
  const segments = readSegments(r, is64, phoff, phentsize, phnum);
  const sections = readSections(buf, r, is64, shoff, shentsize, shnum, shstrndx);
  return { is64, littleEndian: r.le, sections, segments };
}

function readSegments(r: Reader, is64: boolean, phoff: number, entsize: number, num: number): ElfSegment[] {
  const out: ElfSegment[] = [];
  if (phoff === 0 || entsize < (is64 ? 56 : 32) || num > MAX_HEADERS) return out;
  for (let i = 0; i < num; i++) {
    const at = phoff + i * entsize;
    const type = r.u32(at);
    // Elf64_Phdr puts p_flags second; Elf32_Phdr puts it after p_memsz.
    const flags = is64 ? r.u32(at + 4) : r.u32(at + 24);
    const offset = is64 ? r.off(at + 8, true) : r.off(at + 4, false);
    const vaddr = is64 ? r.addr(at + 16, true) : r.addr(at + 8, false);
    const filesz = is64 ? r.off(at + 32, true) : r.off(at + 16, false);
    if (type === undefined || flags === undefined || offset === undefined || vaddr === undefined || filesz === undefined) break;
    out.push({ type, flags, offset, vaddr, filesz });
  }
  return out;
}

function readSections(
  buf: Buffer,
  r: Reader,
  is64: boolean,
  shoff: number,
  entsize: number,
  num: number,
  strndx: number,
): ElfSection[] {
  if (shoff === 0 || entsize < (is64 ? 64 : 40) || num > MAX_HEADERS) return [];
  const raw: { nameOff: number; type: number; addr: bigint; offset: number; size: number }[] = [];
  for (let i = 0; i < num; i++) {
    const at = shoff + i * entsize;
    const nameOff = r.u32(at);
    const type = r.u32(at + 4);
    const addr = r.addr(at + (is64 ? 16 : 12), is64);
    const offset = r.off(at + (is64 ? 24 : 16), is64);
    const size = r.off(at + (is64 ? 32 : 20), is64);
    if (nameOff === undefined || type === undefined || addr === undefined || offset === undefined || size === undefined) {
      return [];
    }
    raw.push({ nameOff, type, addr, offset, size });
  }
  const strtab = raw[strndx];
  const names = strtab ? slice(buf, strtab.offset, strtab.size) : undefined;
  return raw.map((s) => ({
    name: names ? cString(names, s.nameOff) : '',
    type: s.type,
    addr: s.addr,
    offset: s.offset,
    // NOBITS (.bss) occupies no file bytes.
    size: s.type === SHT_NOBITS ? 0 : s.size,
  }));
}

function cString(buf: Buffer, at: number): string {
  if (at >= buf.length) return '';
  const end = buf.indexOf(0, at);
  return buf.toString('latin1', at, end < 0 ? Math.min(buf.length, at + 256) : end);
}

/** buf[offset, offset+size) or undefined when it lies outside the buffer. */
export function slice(buf: Buffer, offset: number, size: number): Buffer | undefined {
  if (offset < 0 || size < 0 || offset > buf.length || size > buf.length - offset) return undefined;
  return buf.subarray(offset, offset + size);
}

/** The file bytes of a named section, or undefined when absent or out of bounds. */
export function sectionData(buf: Buffer, elf: ElfFile, name: string): Buffer | undefined {
  const s = elf.sections.find((x) => x.name === name);
  return s ? slice(buf, s.offset, s.size) : undefined;
}

/** Up to `size` file bytes at virtual address `addr`, via the PT_LOAD segment that maps it. */
export function readVirtual(buf: Buffer, elf: ElfFile, addr: bigint, size: number): Buffer | undefined {
  for (const seg of elf.segments) {
    if (seg.type !== PT_LOAD) continue;
    if (addr < seg.vaddr || addr >= seg.vaddr + BigInt(seg.filesz)) continue;
    const delta = Number(addr - seg.vaddr);
    if (size > seg.filesz - delta) return undefined;
    return slice(buf, seg.offset + delta, size);
  }
  return undefined;
}
