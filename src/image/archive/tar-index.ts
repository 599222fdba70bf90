import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { PortcullisError } from '../../core/errors.js';
import { decodeHeader, isZeroBlock, parsePax } from '../layers/tar-header.js';

/**
 * Random-access index over an outer image tar (`docker save`, `oci-archive`). Headers are
 * read once (ustar, GNU long names, pax path/linkpath/size); members are then opened as
 * byte ranges of the file, so only the layers a scan wants are ever read.
 * Format: https://pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html#tag_20_92_13
 */

export interface TarMember {
  readonly name: string;
  readonly type: 'file' | 'hardlink' | 'symlink' | 'dir' | 'other';
  /** Byte offset of the member's data in the outer file. */
  readonly offset: number;
  readonly size: number;
  readonly linkname: string;
}

export interface TarIndexLimits {
  /** Most members indexed; image archives have a handful per layer. */
  readonly maxMembers?: number;
  /** Largest pax / GNU long-name record accepted. */
  readonly maxMetaBytes?: number;
}

const DEFAULT_MAX_MEMBERS = 200_000;
const DEFAULT_MAX_META = 1024 * 1024;
const MAX_LINK_HOPS = 16;

/** Member names as archives write them (`./manifest.json`, `/blobs/…`) → `manifest.json`. */
export function cleanMemberName(name: string): string {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  return parts.join('/');
}

export class TarIndex {
  private constructor(
    readonly path: string,
    private readonly members: ReadonlyMap<string, TarMember>,
  ) {}

  /** Reads every header of the tar at `path`; IMAGE_FORMAT when it is not a complete tar. */
  static async open(path: string, limits: TarIndexLimits = {}): Promise<TarIndex> {
    const fh = await open(path, 'r');
    try {
      const members = await indexHeaders(fh, path, limits);
      return new TarIndex(path, members);
    } finally {
      await fh.close();
    }
  }

  names(): string[] {
    return [...this.members.keys()];
  }

  has(name: string): boolean {
    return this.resolve(name) !== undefined;
  }

  /** Follows hard and symbolic links between members; undefined when absent or not a file. */
  resolve(name: string): TarMember | undefined {
    let current = this.members.get(cleanMemberName(name));
    for (let hop = 0; current && hop <= MAX_LINK_HOPS; hop++) {
      if (current.type === 'file') return current;
      if (current.type === 'hardlink') current = this.members.get(cleanMemberName(current.linkname));
      else if (current.type === 'symlink') {
        // Symlink targets are relative to the link's own directory (absolute ones to the root).
        const target = current.linkname.startsWith('/') ? current.linkname : posix.join(posix.dirname(current.name), current.linkname);
        current = this.members.get(cleanMemberName(posix.normalize(target)));
      } else return undefined;
    }
    return undefined;
  }

  /** A stream of the member's bytes; IMAGE_FORMAT when it is missing. */
  openMember(name: string): Readable {
    const m = this.require(name);
    if (m.size === 0) return Readable.from([]);
    return createReadStream(this.path, { start: m.offset, end: m.offset + m.size - 1, highWaterMark: 1 << 20 });
  }

  /** The whole member, refused (IMAGE_FORMAT) when larger than `cap` bytes. */
  async readMember(name: string, cap: number): Promise<Buffer> {
    const m = this.require(name);
    if (m.size > cap) {
      throw new PortcullisError('IMAGE_FORMAT', `${name} is ${m.size} bytes, more than the ${cap}-byte limit`, { path: this.path, entry: name });
    }
    const fh = await open(this.path, 'r');
    try {
      const buf = Buffer.alloc(m.size);
      const { bytesRead } = await fh.read(buf, 0, m.size, m.offset);
      if (bytesRead !== m.size) throw truncated(this.path, name);
      return buf;
    } finally {
      await fh.close();
    }
  }

  private require(name: string): TarMember {
    const m = this.resolve(name);
    if (!m) throw new PortcullisError('IMAGE_FORMAT', `archive has no member ${name}`, { path: this.path, entry: name });
    return m;
  }
}

function truncated(path: string, entry?: string): PortcullisError {
  return new PortcullisError('IMAGE_FORMAT', 'archive is truncated', { path, ...(entry ? { entry } : {}) });
}

async function readExact(fh: FileHandle, length: number, position: number, path: string): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  if (bytesRead !== length) throw truncated(path);
  return buf;
}

function kindOf(type: string): TarMember['type'] {
  if (type === 'file' || type === 'hardlink' || type === 'symlink' || type === 'dir') return type;
  return 'other';
}

async function indexHeaders(fh: FileHandle, path: string, limits: TarIndexLimits): Promise<Map<string, TarMember>> {
  const maxMembers = limits.maxMembers ?? DEFAULT_MAX_MEMBERS;
  const maxMeta = limits.maxMetaBytes ?? DEFAULT_MAX_META;
  const fileSize = (await fh.stat()).size;
  const members = new Map<string, TarMember>();
  let pos = 0;
  // Overrides carried from a preceding pax `x` or GNU `L`/`K` header to the next real one.
  let pending: { path?: string; linkpath?: string; size?: number } = {};
  let sawEnd = false;
  while (pos + 512 <= fileSize) {
    const block = await readExact(fh, 512, pos, path);
    if (isZeroBlock(block, 0)) {
      sawEnd = true;
      break;
    }
    const h = decodeHeader(block, 0);
    if (!h) throw new PortcullisError('IMAGE_FORMAT', `invalid tar header at byte ${pos}`, { path });
    const dataStart = pos + 512;
    const size = h.type === 'file' && pending.size !== undefined ? pending.size : h.size;
    if (dataStart + size > fileSize) throw truncated(path, h.name);
    const next = dataStart + Math.ceil(size / 512) * 512;
    if (h.type === 'pax' || h.type === 'gnu-longname' || h.type === 'gnu-longlink') {
      if (h.size > maxMeta) throw new PortcullisError('IMAGE_FORMAT', `tar metadata record of ${h.size} bytes is too large`, { path });
      const data = await readExact(fh, h.size, dataStart, path);
      if (h.type === 'pax') {
        const rec = parsePax(data);
        const p = rec.get('path');
        const l = rec.get('linkpath');
        const s = rec.get('size');
        if (p !== undefined) pending.path = p;
        if (l !== undefined) pending.linkpath = l;
        if (s !== undefined && /^\d+$/.test(s)) pending.size = Number(s);
      } else {
        const text = data.toString('utf8').replace(/\0.*$/s, '');
        if (h.type === 'gnu-longname') pending.path = text;
        else pending.linkpath = text;
      }
    } else if (h.type !== 'pax-global') {
      const name = cleanMemberName(pending.path ?? h.name);
      if (members.size >= maxMembers) throw new PortcullisError('IMAGE_FORMAT', `archive has more than ${maxMembers} members`, { path });
      members.set(name, { name, type: kindOf(h.type), offset: dataStart, size: h.type === 'file' ? size : 0, linkname: pending.linkpath ?? h.linkname });
      pending = {};
    }
    pos = next;
  }
  // A tar ends with zero blocks; running out of bytes mid-archive means it was cut short.
  if (!sawEnd && pos !== fileSize) throw truncated(path);
  if (!sawEnd && members.size === 0) throw new PortcullisError('IMAGE_FORMAT', 'file is not a tar archive', { path });
  return members;
}
