import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { problem, type Problem } from '../../core/problem.js';
import type { CaptureInfo, EntryType, LayerAnalysis, LayerEntry } from './analysis.js';

/** Bumped whenever the layer reader's output can change; part of every cache key. */
export const LAYER_READER_VERSION = '2';

const MAGIC = Buffer.from('PCLC1\n');
const TYPES: readonly EntryType[] = ['file', 'dir', 'symlink', 'hardlink', 'device', 'fifo', 'other'];

type CompactEntry = [string, number, number, number, number, number] | [string, number, number, number, number, number, string];

interface CacheHeader {
  diffId: string;
  size: number;
  entries: CompactEntry[];
  whiteouts: string[];
  opaqueDirs: string[];
  problems: Problem[];
  captured: [string, number, number, CaptureInfo?][];
}

/** Default location: $PORTCULLIS_CACHE_DIR, else $XDG_CACHE_HOME/portcullis, else ~/.cache/portcullis. */
export function defaultCacheDir(env: Record<string, string | undefined>): string {
  if (env.PORTCULLIS_CACHE_DIR) return env.PORTCULLIS_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(base, 'portcullis');
}

/**
 * Per-layer results on disk, keyed by the layer's digest and the versions of the reader and
 * of every cataloger that chose which files to capture. A corrupt entry is a problem and
 * a cache miss, never a failed scan. Writes are atomic (temp file + rename).
 */
export class LayerCache {
  private readonly dir: string;

  /** `root` also holds other caches of a scan (see src/inventory/scan-cache.ts). */
  constructor(readonly root: string) {
    this.dir = join(root, 'layers');
  }

  static key(layerDigest: string, catalogers: readonly { id: string; version: string }[]): string {
    const plugins = catalogers.map((c) => `${c.id}@${c.version}`).sort();
    return createHash('sha256').update(JSON.stringify({ reader: LAYER_READER_VERSION, layerDigest, plugins })).digest('hex');
  }

  /** Whether an entry exists (it may still turn out corrupt when read). */
  has(key: string): boolean {
    return existsSync(join(this.dir, `${key}.bin`));
  }

  get(key: string, problems: Problem[]): LayerAnalysis | undefined {
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(this.dir, `${key}.bin`));
    } catch {
      return undefined;
    }
    try {
      return decode(bytes);
    } catch (err) {
      problems.push(problem('CACHE_CORRUPT', `ignored corrupt layer cache entry ${key}: ${(err as Error).message}`));
      rmSync(join(this.dir, `${key}.bin`), { force: true });
      return undefined;
    }
  }

  put(key: string, analysis: LayerAnalysis): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const tmp = join(this.dir, `${key}.${process.pid}.${Date.now()}.tmp`);
    try {
      // Written part by part: concatenating a large layer's entries and captures first
      // would double the scan's peak memory.
      const fd = openSync(tmp, 'w', 0o600);
      try {
        for (const part of encode(analysis)) writeSync(fd, part);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, join(this.dir, `${key}.bin`));
    } catch {
      rmSync(tmp, { force: true }); // a read-only or full cache dir only costs speed
    }
  }
}

function encode(a: LayerAnalysis): Buffer[] {
  const blobs: Buffer[] = [];
  const captured: [string, number, number, CaptureInfo?][] = [];
  let offset = 0;
  for (const [path, data] of a.captured) {
    const by = a.capturedBy.get(path);
    captured.push(by ? [path, offset, data.length, by] : [path, offset, data.length]);
    blobs.push(data);
    offset += data.length;
  }
  const entries = a.entries.map((e): CompactEntry => {
    const base: [string, number, number, number, number, number] = [e.path, TYPES.indexOf(e.type), e.mode, e.uid, e.gid, e.size];
    return e.link !== undefined ? [...base, e.link] : base;
  });
  const header: CacheHeader = { diffId: a.diffId, size: a.size, entries, whiteouts: a.whiteouts, opaqueDirs: a.opaqueDirs, problems: a.problems, captured };
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(4);
  len.writeUInt32BE(json.length);
  return [MAGIC, len, json, ...blobs];
}

function decode(bytes: Buffer): LayerAnalysis {
  if (bytes.length < MAGIC.length + 4 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('bad magic');
  const len = bytes.readUInt32BE(MAGIC.length);
  const start = MAGIC.length + 4;
  if (start + len > bytes.length) throw new Error('truncated header');
  const h = JSON.parse(bytes.toString('utf8', start, start + len)) as CacheHeader;
  const dataStart = start + len;
  if (typeof h.diffId !== 'string' || !Array.isArray(h.entries) || !Array.isArray(h.captured)) throw new Error('bad header');
  const captured = new Map<string, Buffer>();
  const capturedBy = new Map<string, CaptureInfo>();
  for (const [path, off, n, by] of h.captured) {
    if (dataStart + off + n > bytes.length) throw new Error('truncated data');
    captured.set(path, bytes.subarray(dataStart + off, dataStart + off + n));
    if (by) {
      if (!Array.isArray(by.wantedBy)) throw new Error('bad capture info');
      capturedBy.set(path, by);
    }
  }
  const entries = h.entries.map((c): LayerEntry => {
    const type = TYPES[c[1]];
    if (!type) throw new Error('bad entry type');
    return { path: c[0], type, mode: c[2], uid: c[3], gid: c[4], size: c[5], ...(c[6] !== undefined ? { link: c[6] } : {}) };
  });
  return { diffId: h.diffId, size: h.size, entries, whiteouts: h.whiteouts, opaqueDirs: h.opaqueDirs, problems: h.problems, captured, capturedBy };
}
