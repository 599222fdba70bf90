/**
 * Builds small little-endian ELF64 files for tests (hostile and synthetic cases the Go
 * toolchain will not produce): an ELF header, one writable PT_LOAD segment mapping all
 * section bytes at VADDR_BASE + file offset, the sections, `.shstrtab` and section headers.
 */
export const VADDR_BASE = 0x400000n;

export interface SectionSpec {
  readonly name: string;
  readonly data: Buffer;
}

export interface ElfSpec {
  readonly sections: readonly SectionSpec[];
  /** Leave out section headers (shoff = 0), as a binary stripped of them. */
  readonly noSectionHeaders?: boolean;
}

const EH = 64;
const PH = 56;
const SH = 64;

function align16(n: number): number {
  return (n + 15) & ~15;
}

export function buildElf(spec: ElfSpec): { file: Buffer; offsets: number[] } {
  const names = Buffer.concat([Buffer.from([0]), ...[...spec.sections.map((s) => s.name), '.shstrtab'].map((n) => Buffer.from(`${n}\0`))]);
  const offsets: number[] = [];
  let at = align16(EH + PH);
  for (const s of spec.sections) {
    offsets.push(at);
    at = align16(at + s.data.length);
  }
  const strOff = at;
  const shoff = align16(strOff + names.length);
  const nsec = spec.sections.length + 2;
  const file = Buffer.alloc(shoff + nsec * SH);
  file.write('\x7fELF', 0, 'latin1');
  file[4] = 2; // ELFCLASS64
  file[5] = 1; // little endian
  file[6] = 1;
  file.writeUInt16LE(2, 16); // ET_EXEC
  file.writeUInt16LE(62, 18); // x86-64
  file.writeUInt32LE(1, 20);
  file.writeBigUInt64LE(BigInt(EH), 32); // e_phoff
  file.writeBigUInt64LE(spec.noSectionHeaders ? 0n : BigInt(shoff), 40);
  file.writeUInt16LE(EH, 52);
  file.writeUInt16LE(PH, 54);
  file.writeUInt16LE(1, 56);
  file.writeUInt16LE(SH, 58);
  file.writeUInt16LE(spec.noSectionHeaders ? 0 : nsec, 60);
  file.writeUInt16LE(spec.noSectionHeaders ? 0 : nsec - 1, 62);
  // PT_LOAD, PF_R|PF_W, mapping from the first section to the end of .shstrtab.
  const segStart = offsets[0] ?? strOff;
  file.writeUInt32LE(1, EH);
  file.writeUInt32LE(6, EH + 4);
  file.writeBigUInt64LE(BigInt(segStart), EH + 8);
  file.writeBigUInt64LE(VADDR_BASE + BigInt(segStart), EH + 16);
  file.writeBigUInt64LE(BigInt(strOff - segStart), EH + 32);
  file.writeBigUInt64LE(BigInt(strOff - segStart), EH + 40);
  spec.sections.forEach((s, i) => s.data.copy(file, offsets[i] as number));
  names.copy(file, strOff);
  let nameOff = 1;
  const sh = (i: number, name: number, type: number, off: number, size: number, addr: bigint) => {
    const b = shoff + i * SH;
    file.writeUInt32LE(name, b);
    file.writeUInt32LE(type, b + 4);
    file.writeBigUInt64LE(addr, b + 16);
    file.writeBigUInt64LE(BigInt(off), b + 24);
    file.writeBigUInt64LE(BigInt(size), b + 32);
  };
  spec.sections.forEach((s, i) => {
    const off = offsets[i] as number;
    sh(i + 1, nameOff, 1, off, s.data.length, VADDR_BASE + BigInt(off));
    nameOff += s.name.length + 1;
  });
  sh(nsec - 1, nameOff, 3, strOff, names.length, 0n);
  return { file, offsets };
}

/** The section header table offset of a buildElf file (for corrupting headers). */
export function sectionHeaderOffset(file: Buffer): number {
  return Number(file.readBigUInt64LE(40));
}

/** uvarint encoding, as Go's encoding/binary.PutUvarint. */
export function uvarint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Buffer.from(out);
}
