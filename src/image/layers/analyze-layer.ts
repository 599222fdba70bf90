import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { PortcullisError, toPortcullisError } from '../../core/errors.js';
import { problem, type Problem } from '../../core/problem.js';
import type { CaptureInfo, EntryType, LayerAnalysis, LayerEntry } from './analysis.js';
import { decompressor, sniffCompression } from './decompress.js';
import { normalizeMemberName, symlinkEscapes, whiteoutOf } from './paths.js';
import type { TarEntry } from './tar-parser.js';
import { TarParser } from './tar-parser.js';

export interface AnalyzeOptions {
  /** Should the content of this (normalized, absolute) path be captured? */
  wants(path: string, info: { mode: number; size: number }): boolean;
  /**
   * Turns a captured file into what is kept: the bytes (or an empty buffer when every
   * wanter summarized it) and who wanted it. Default: keep the bytes, no attribution.
   */
  onCapture?(path: string, data: Buffer, entry: { mode: number; size: number }): { keep: Buffer; info: CaptureInfo };
  /** Largest capture allowed for this path. */
  maxFileSize(path: string, info?: { mode: number; size: number }): number;
  /**
   * False when `onCapture` will keep none of this file's bytes (every wanter summarizes it):
   * it is then read into one reused buffer instead of a fresh one. Default: true.
   */
  keepsBytes?(path: string, info: { mode: number; size: number }): boolean;
  /** Uncompressed bytes after which the layer is treated as a decompression bomb. */
  readonly maxLayerBytes: number;
  /** Name used in errors and problems (the layer's digest or diffID). */
  readonly label: string;
  /**
   * The diffID to report instead of hashing the tar: set it only when the source has
   * verified the (compressed) blob digest, which already binds the content. Hashing every
   * uncompressed byte again costs about a fifth of a scan.
   */
  readonly trustedDiffId?: string;
  /** Called with uncompressed byte counts as they arrive (progress). */
  readonly onBytes?: (n: number) => void;
}

export const DEFAULT_MAX_LAYER_BYTES = 64 * 1024 ** 3;

/** Larger summarize-only files get a buffer of their own (rare), so the shared one stays small. */
const SCRATCH_MAX = 8 * 1024 * 1024;

const ENTRY_TYPES: Partial<Record<TarEntry['type'], EntryType>> = {
  file: 'file', dir: 'dir', symlink: 'symlink', hardlink: 'hardlink', char: 'device', block: 'device', fifo: 'fifo',
};

/**
 * Reads one layer blob once: sniffs and decompresses it, hashes the tar (the diffID), parses
 * entries, applies nothing yet (whiteouts are recorded for the squash), and captures wanted
 * files. Unsafe entries become problems; a corrupt stream rejects with a coded error.
 */
export async function analyzeLayer(blob: Readable, opts: AnalyzeOptions): Promise<LayerAnalysis> {
  const hash = createHash('sha256');
  const entries: LayerEntry[] = [];
  const whiteouts: string[] = [];
  const opaqueDirs: string[] = [];
  const captured = new Map<string, Buffer>();
  const capturedBy = new Map<string, CaptureInfo>();
  const problems: Problem[] = [];
  const devices: string[] = [];
  const layer = opts.label;
  let capturePath = '';
  // Summarized-only files (executables, archives: most of the bytes captured) share one
  // buffer that grows to the largest of them (up to SCRATCH_MAX), instead of one allocation
  // each left to the GC.
  let scratch: Buffer | undefined;
  let inScratch = false;

  const parser = new TarParser({
    entry(e) {
      const norm = normalizeMemberName(e.name);
      if (norm.kind === 'root') return false;
      if (norm.kind === 'unsafe') {
        problems.push(problem('TAR_ENTRY_UNSAFE', `skipped tar entry "${e.name}": ${norm.reason}`, { layer, path: e.name }));
        return false;
      }
      if (norm.wasAbsolute) {
        problems.push(problem('TAR_ENTRY_UNSAFE', `tar entry "${e.name}" has an absolute path; confined to the image root`, { layer, path: e.name }));
      }
      const path = norm.path;
      const wh = whiteoutOf(path);
      if (wh.kind === 'file') {
        whiteouts.push(wh.target);
        return false;
      }
      if (wh.kind === 'opaque') {
        opaqueDirs.push(wh.dir);
        return false;
      }
      if (wh.kind === 'meta') return false;
      const type = ENTRY_TYPES[e.type] ?? 'other';
      let link: string | undefined;
      if (type === 'symlink') {
        link = e.linkname;
        if (symlinkEscapes(path, e.linkname)) {
          problems.push(problem('TAR_ENTRY_UNSAFE', `symlink "${path}" -> "${e.linkname}" points outside the image; it is never followed`, { layer, path }));
        }
      } else if (type === 'hardlink') {
        const target = normalizeMemberName(e.linkname);
        if (target.kind !== 'ok') {
          problems.push(problem('TAR_ENTRY_UNSAFE', `skipped hardlink "${path}" -> "${e.linkname}": target outside the image`, { layer, path }));
          return false;
        }
        link = target.path;
        const data = captured.get(target.path);
        const by = capturedBy.get(target.path);
        if (data && by && opts.wants(path, { mode: e.mode, size: e.size })) {
          captured.set(path, data);
          capturedBy.set(path, by);
        }
      } else if (type === 'device') {
        devices.push(path);
      }
      entries.push({ path, type, mode: e.mode & 0o7777, uid: e.uid, gid: e.gid, size: e.size, ...(link !== undefined ? { link } : {}) });
      if (type !== 'file' || !opts.wants(path, { mode: e.mode, size: e.size })) {
        // A later write of a captured path with something we did not capture must hide it.
        if (captured.has(path) && type !== 'hardlink') {
          captured.delete(path);
          capturedBy.delete(path);
        }
        return false;
      }
      const max = opts.maxFileSize(path, { mode: e.mode, size: e.size });
      if (e.size > max) {
        captured.delete(path);
        capturedBy.delete(path);
        problems.push(problem('FILE_TOO_LARGE', `"${path}" is ${e.size} bytes, over the ${max}-byte limit for cataloging`, { layer, path }));
        return false;
      }
      capturePath = path;
      inScratch = e.size <= SCRATCH_MAX && opts.onCapture !== undefined && opts.keepsBytes?.(path, { mode: e.mode, size: e.size }) === false;
      if (!inScratch) return true;
      if (!scratch || scratch.length < e.size) scratch = Buffer.allocUnsafeSlow(Math.min(SCRATCH_MAX, Math.max(e.size, 2 * (scratch?.length ?? 1 << 19))));
      return scratch;
    },
    file(e, data) {
      const kept = opts.onCapture ? opts.onCapture(capturePath, data, { mode: e.mode, size: e.size }) : { keep: data, info: { wantedBy: [] } };
      // The scratch buffer is reused: a capture that keeps bytes after all gets its own copy.
      captured.set(capturePath, inScratch && kept.keep.length > 0 ? Buffer.from(kept.keep) : kept.keep);
      capturedBy.set(capturePath, kept.info);
    },
  });

  let total = 0;
  const consume = (chunk: Buffer): void => {
    total += chunk.length;
    if (total > opts.maxLayerBytes) {
      throw new PortcullisError('LAYER_TOO_LARGE', `layer expands beyond ${opts.maxLayerBytes} bytes`, { layer });
    }
    if (!opts.trustedDiffId) hash.update(chunk);
    parser.push(chunk);
    opts.onBytes?.(chunk.length);
  };

  try {
    await readDecompressed(blob, consume, layer);
    parser.finish();
  } catch (err) {
    blob.destroy();
    throw toPortcullisError(err, 'LAYER_CORRUPT', { layer });
  }
  if (devices.length > 0) {
    problems.push(
      problem('TAR_ENTRY_DEVICE', `${devices.length} device file(s) recorded but never read (first: ${devices[0]})`, { layer, path: devices[0] as string }),
    );
  }
  return { diffId: opts.trustedDiffId ?? `sha256:${hash.digest('hex')}`, size: total, entries, whiteouts, opaqueDirs, captured, capturedBy, problems };
}

/** Streams the blob through the right decompressor into `consume`, synchronously per chunk. */
async function readDecompressed(blob: Readable, consume: (chunk: Buffer) => void, layer: string): Promise<void> {
  const iterator = blob[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  let done = false;
  while (head.length < 4 && !done) {
    const next = await iterator.next();
    if (next.done) done = true;
    else head = Buffer.concat([head, next.value as Buffer]);
  }
  if (head.length === 0) throw new PortcullisError('LAYER_CORRUPT', 'layer blob is empty', { layer });
  const decoder = decompressor(sniffCompression(head));
  if (!decoder) {
    consume(head);
    for (let n = await iterator.next(); !n.done; n = await iterator.next()) consume(n.value as Buffer);
    return;
  }
  let stopped = false;
  // Feeds the compressed bytes in, honouring backpressure, while the loop below drains the output.
  const feed = (async (): Promise<void> => {
    if (!decoder.write(head)) await once(decoder, 'drain');
    for (let n = await iterator.next(); !n.done && !stopped; n = await iterator.next()) {
      if (!decoder.write(n.value as Buffer)) await once(decoder, 'drain');
    }
    decoder.end();
  })();
  feed.catch(() => undefined); // its failure surfaces through the decoder or is rethrown below
  try {
    for await (const chunk of decoder) consume(chunk as Buffer);
    await feed;
  } catch (err) {
    stopped = true;
    decoder.destroy();
    if (err instanceof PortcullisError) throw err;
    throw new PortcullisError('LAYER_CORRUPT', `decompression failed: ${(err as Error).message}`, { layer });
  }
}

function once(emitter: NodeJS.EventEmitter, event: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onEvent = (): void => {
      emitter.off('error', onError);
      resolve();
    };
    const onError = (err: Error): void => {
      emitter.off(event, onEvent);
      reject(err);
    };
    emitter.once(event, onEvent);
    emitter.once('error', onError);
  });
}
