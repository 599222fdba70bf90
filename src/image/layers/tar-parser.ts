import { PortcullisError } from '../../core/errors.js';
import { decodeHeader, isZeroBlock, parsePax, type TarType } from './tar-header.js';

/** One tar entry after pax / GNU long-name overrides are applied. */
export interface TarEntry {
  /** The member name exactly as stored (not yet normalized). */
  readonly name: string;
  readonly type: TarType;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly linkname: string;
  /** Byte offset of the header in the uncompressed stream (for error messages). */
  readonly offset: number;
}

/**
 * Receives entries in order. `entry` returns true to have the entry's data delivered to
 * `file` as one Buffer; everything else is skipped without copying. It may instead return a
 * Buffer of at least the entry's size to read the data into (a reused scratch buffer); `file`
 * then gets a view of it, valid only until it returns.
 */
export interface TarSink {
  entry(e: TarEntry): boolean | Buffer;
  file(e: TarEntry, data: Buffer): void;
}

/** Metadata entries (pax headers, GNU long names) larger than this are hostile. */
const MAX_META = 1 << 20;

type State = 'header' | 'data' | 'end';

/**
 * A push parser over the uncompressed tar byte stream. It never buffers more than one
 * captured file (bounded by the sink's choice) plus one header, whatever the layer size.
 */
export class TarParser {
  private state: State = 'header';
  private readonly header = Buffer.alloc(512);
  private headerFill = 0;
  private offset = 0;
  private entryOffset = 0;
  private remaining = 0;
  private padding = 0;
  private current: TarEntry | undefined;
  /** The captured file's bytes, allocated once at its final size (no chunk list, no concat). */
  private capture: Buffer | undefined;
  private captureFill = 0;
  private meta: { kind: TarType; chunks: Buffer[] } | undefined;
  private paxLocal: Map<string, string> | undefined;
  private paxGlobal = new Map<string, string>();
  private longName: string | undefined;
  private longLink: string | undefined;
  private zeroBlocks = 0;
  entries = 0;

  constructor(private readonly sink: TarSink) {}

  push(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      if (this.state === 'end') return; // trailing bytes after the end-of-archive marker are ignored
      if (this.state === 'header') {
        const take = Math.min(512 - this.headerFill, chunk.length - pos);
        chunk.copy(this.header, this.headerFill, pos, pos + take);
        this.headerFill += take;
        pos += take;
        this.offset += take;
        if (this.headerFill === 512) {
          this.headerFill = 0;
          this.onHeader();
        }
        continue;
      }
      // data (including padding)
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - pos);
        if (this.capture) {
          chunk.copy(this.capture, this.captureFill, pos, pos + take);
          this.captureFill += take;
        } else if (this.meta) this.meta.chunks.push(Buffer.from(chunk.subarray(pos, pos + take)));
        this.remaining -= take;
        pos += take;
        this.offset += take;
        if (this.remaining === 0) this.onDataEnd();
        continue;
      }
      const skip = Math.min(this.padding, chunk.length - pos);
      this.padding -= skip;
      pos += skip;
      this.offset += skip;
      if (this.padding === 0) this.state = 'header';
    }
  }

  /** Call at end of stream; throws LAYER_CORRUPT when the archive stops mid-entry. */
  finish(): void {
    if (this.state === 'data' || (this.state === 'header' && this.headerFill !== 0)) {
      const where = this.current?.name ?? this.longName ?? '(header)';
      throw new PortcullisError('LAYER_CORRUPT', `tar stream is truncated inside entry "${where}" at byte ${this.entryOffset}`, { entry: where });
    }
  }

  private onHeader(): void {
    this.entryOffset = this.offset - 512;
    if (isZeroBlock(this.header, 0)) {
      this.zeroBlocks++;
      if (this.zeroBlocks >= 2) this.state = 'end';
      return;
    }
    this.zeroBlocks = 0;
    const raw = decodeHeader(this.header, 0);
    if (!raw) {
      throw new PortcullisError('LAYER_CORRUPT', `invalid tar header (bad checksum or fields) at byte ${this.entryOffset}`, { entry: `@${this.entryOffset}` });
    }
    this.padding = (512 - (raw.size % 512)) % 512;
    this.remaining = raw.size;
    if (raw.type === 'pax' || raw.type === 'pax-global' || raw.type === 'gnu-longname' || raw.type === 'gnu-longlink') {
      if (raw.size > MAX_META) {
        throw new PortcullisError('LAYER_CORRUPT', `tar ${raw.type} header of ${raw.size} bytes exceeds ${MAX_META}`, { entry: raw.name });
      }
      this.meta = { kind: raw.type, chunks: [] };
      this.startData();
      return;
    }
    const pax = this.paxLocal;
    const sizeText = pax?.get('size') ?? this.paxGlobal.get('size');
    const size = sizeText !== undefined && /^\d+$/.test(sizeText) ? Number(sizeText) : raw.size;
    if (size !== raw.size) {
      this.remaining = size;
      this.padding = (512 - (size % 512)) % 512;
    }
    const entry: TarEntry = {
      name: this.longName ?? pax?.get('path') ?? this.paxGlobal.get('path') ?? raw.name,
      type: raw.type,
      mode: raw.mode,
      uid: Number(pax?.get('uid') ?? raw.uid),
      gid: Number(pax?.get('gid') ?? raw.gid),
      // Links, dirs and devices carry no data even if the size field says otherwise.
      size: raw.type === 'file' ? size : 0,
      linkname: this.longLink ?? pax?.get('linkpath') ?? raw.linkname,
      offset: this.entryOffset,
    };
    this.paxLocal = undefined;
    this.longName = undefined;
    this.longLink = undefined;
    this.current = entry;
    this.entries++;
    const capture = this.sink.entry(entry);
    // Non-file entries with a size (seen in hostile tars) are skipped, never captured.
    if (!capture || entry.type !== 'file') this.capture = undefined;
    else if (capture === true || capture.length < entry.size) this.capture = Buffer.allocUnsafe(entry.size);
    else this.capture = capture.subarray(0, entry.size);
    this.captureFill = 0;
    this.startData();
  }

  private startData(): void {
    if (this.remaining === 0) {
      this.onDataEnd();
      return;
    }
    this.state = 'data';
  }

  private onDataEnd(): void {
    if (this.meta) {
      const data = Buffer.concat(this.meta.chunks);
      const kind = this.meta.kind;
      this.meta = undefined;
      if (kind === 'pax') this.paxLocal = parsePax(data);
      else if (kind === 'pax-global') for (const [k, v] of parsePax(data)) this.paxGlobal.set(k, v);
      else if (kind === 'gnu-longname') this.longName = data.toString('utf8').replace(/\0+$/, '');
      else this.longLink = data.toString('utf8').replace(/\0+$/, '');
    } else if (this.capture && this.current) {
      const data = this.capture;
      this.capture = undefined;
      this.sink.file(this.current, data);
    }
    this.state = this.padding > 0 ? 'data' : 'header';
  }
}
