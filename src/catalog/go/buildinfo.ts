import { isElf, parseElf, PF_W, PT_LOAD, readVirtual, slice, type ElfFile } from './elf.js';

/**
 * Finds and decodes the Go build info blob, the algorithm of Go's `debug/buildinfo`
 * (SCANNER-NOTES.md §3.7, https://go.dev/src/debug/buildinfo/buildinfo.go).
 */

/** `\xff Go buildinf:` */
const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const ALIGN = 16;
const HEADER = 32;
/** Go reads at most this much of the data segment when searching for the magic. */
const SEARCH_SIZE = 64 * 1024;
/** Real modinfo of a big binary (kubelet) is ~30 KB; a longer string is hostile. */
export const MAX_STRING = 4 * 1024 * 1024;

export interface RawBuildInfo {
  readonly goVersion: string;
  readonly modinfo: string;
}

export type BuildInfoResult = { kind: 'found'; info: RawBuildInfo } | { kind: 'none' } | { kind: 'error'; message: string };

const MACHO = [0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe];

/** Reads the build info of an ELF binary, or of a PE / Mach-O one built by Go ≥ 1.18. */
export function readBuildInfo(buf: Buffer): BuildInfoResult {
  if (isElf(buf)) return fromElf(buf);
  const pe = buf.length >= 2 && buf[0] === 0x4d && buf[1] === 0x5a;
  const macho = buf.length >= 4 && MACHO.includes(buf.readUInt32BE(0));
  if (!pe && !macho) return { kind: 'none' };
  // Without a PE / Mach-O reader, search the whole file: Go ≥ 1.18 writes the strings
  // inline, so no address translation is needed. Pre-1.18 layouts are reported as errors.
  const at = buf.indexOf(MAGIC);
  if (at < 0) return { kind: 'none' };
  return decodeHeader(buf.subarray(at), undefined, buf);
}

function fromElf(buf: Buffer): BuildInfoResult {
  const elf = parseElf(buf);
  if (!elf) return { kind: 'error', message: 'corrupt ELF header' };
  const section = elf.sections.find((s) => s.name === '.go.buildinfo');
  if (section && section.size > 0 && section.offset < buf.length) {
    // The inline strings may run past the section's recorded size: read on to the file end.
    const data = buf.subarray(section.offset);
    if (!data.subarray(0, MAGIC.length).equals(MAGIC)) return { kind: 'none' };
    return decodeHeader(data, elf, buf);
  }
  // Section headers stripped: search the first writable PT_LOAD segment, as Go does.
  const seg = elf.segments.find((s) => s.type === PT_LOAD && (s.flags & PF_W) !== 0);
  if (!seg) return { kind: 'none' };
  const data = slice(buf, seg.offset, Math.min(seg.filesz, SEARCH_SIZE)) ?? slice(buf, seg.offset, Math.max(0, buf.length - seg.offset));
  if (!data) return { kind: 'none' };
  for (let at = data.indexOf(MAGIC); at >= 0; at = data.indexOf(MAGIC, at + 1)) {
    if (at % ALIGN === 0) return decodeHeader(data.subarray(at), elf, buf);
  }
  return { kind: 'none' };
}

function decodeHeader(data: Buffer, elf: ElfFile | undefined, file: Buffer): BuildInfoResult {
  if (data.length < HEADER) return { kind: 'error', message: 'truncated buildinfo header' };
  const ptrSize = data[14];
  const flags = data[15] ?? 0;
  const bigEndian = (flags & 1) !== 0;
  if ((flags & 2) !== 0) {
    const version = readVarString(data, HEADER);
    if (!version) return { kind: 'error', message: 'bad Go version string' };
    const mod = readVarString(data, version.next);
    if (!mod) return { kind: 'error', message: 'bad modinfo string' };
    return found(version.value.toString('utf8'), mod.value);
  }
  if (ptrSize !== 4 && ptrSize !== 8) return { kind: 'error', message: `bad pointer size ${ptrSize}` };
  if (!elf) return { kind: 'error', message: 'pre-Go 1.18 buildinfo outside ELF is not supported' };
  const ptr = (b: Buffer, at: number): bigint | undefined => {
    if (at + ptrSize > b.length) return undefined;
    if (ptrSize === 4) return BigInt(bigEndian ? b.readUInt32BE(at) : b.readUInt32LE(at));
    return bigEndian ? b.readBigUInt64BE(at) : b.readBigUInt64LE(at);
  };
  // Pre-1.18: two pointers to Go string headers (ptr, len) in the data segment.
  const readString = (addr: bigint | undefined): Buffer | undefined => {
    if (addr === undefined) return undefined;
    const hdr = readVirtual(file, elf, addr, ptrSize * 2);
    if (!hdr) return undefined;
    const p = ptr(hdr, 0);
    const len = ptr(hdr, ptrSize);
    if (p === undefined || len === undefined || len > BigInt(MAX_STRING)) return undefined;
    return readVirtual(file, elf, p, Number(len));
  };
  const version = readString(ptr(data, 16));
  const mod = readString(ptr(data, 16 + ptrSize));
  if (!version || !mod) return { kind: 'error', message: 'buildinfo pointers out of bounds' };
  return found(version.toString('utf8'), mod);
}

function found(goVersion: string, rawMod: Buffer): BuildInfoResult {
  // modinfo is wrapped in 16-byte sentinels; without them it is empty (as in Go).
  const len = rawMod.length;
  const mod = len >= 33 && rawMod[len - 17] === 0x0a ? rawMod.subarray(16, len - 16).toString('utf8') : '';
  return { kind: 'found', info: { goVersion, modinfo: mod } };
}

/** A uvarint-length-prefixed string at `at`; undefined when the length is absurd or truncated. */
function readVarString(data: Buffer, at: number): { value: Buffer; next: number } | undefined {
  let len = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    const b = data[i++];
    if (b === undefined || shift > 28) return undefined;
    len += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) break;
    shift += 7;
  }
  if (len > MAX_STRING || len > data.length - i) return undefined;
  return { value: data.subarray(i, i + len), next: i + len };
}
