import { type Dirent, lstatSync, opendirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { PortcullisError } from '../core/errors.js';
import { problem, type Problem } from '../core/problem.js';
import type { CaptureInfo, EntryType, LayerAnalysis, LayerEntry } from '../image/layers/analysis.js';

export interface WalkOptions {
  wants(path: string, info: { mode: number; size: number }): boolean;
  onCapture?(path: string, data: Buffer, entry: { mode: number; size: number }): { keep: Buffer; info: CaptureInfo };
  maxFileSize(path: string, info?: { mode: number; size: number }): number;
  /** Stop after this many paths (a pathological tree must not exhaust memory). */
  readonly maxEntries?: number;
}

function typeOf(d: Dirent): EntryType {
  if (d.isDirectory()) return 'dir';
  if (d.isFile()) return 'file';
  if (d.isSymbolicLink()) return 'symlink';
  if (d.isCharacterDevice() || d.isBlockDevice()) return 'device';
  if (d.isFIFO()) return 'fifo';
  return 'other';
}

/**
 * Turns an unpacked root filesystem (`dir:` source) into one pseudo-layer analysis. Symlinks
 * are recorded, never followed, so nothing outside the directory is read.
 */
export function walkRootfs(root: string, opts: WalkOptions): LayerAnalysis {
  let top;
  try {
    top = lstatSync(root);
  } catch {
    throw new PortcullisError('IMAGE_NOT_FOUND', `directory ${root} does not exist`, { path: root });
  }
  if (!top.isDirectory()) throw new PortcullisError('IMAGE_FORMAT', `${root} is not a directory`, { path: root });
  const entries: LayerEntry[] = [];
  const captured = new Map<string, Buffer>();
  const capturedBy = new Map<string, CaptureInfo>();
  const problems: Problem[] = [];
  const max = opts.maxEntries ?? 5_000_000;
  const stack: string[] = ['/'];
  while (stack.length > 0) {
    const rel = stack.pop() as string;
    let dir;
    try {
      dir = opendirSync(join(root, rel));
    } catch (err) {
      problems.push(problem('IMAGE_FORMAT', `cannot read directory ${rel}: ${(err as Error).message}`, { path: rel }));
      continue;
    }
    for (let d = dir.readSync(); d; d = dir.readSync()) {
      const path = rel === '/' ? `/${d.name}` : `${rel}/${d.name}`;
      const type = typeOf(d);
      if (entries.length >= max) {
        dir.closeSync();
        throw new PortcullisError('IMAGE_FORMAT', `more than ${max} paths under ${root}`, { path: root });
      }
      let size = 0;
      let mode = 0;
      let uid = 0;
      let gid = 0;
      let link: string | undefined;
      try {
        const st = lstatSync(join(root, path));
        ({ size, uid, gid } = st);
        mode = st.mode & 0o7777;
        if (type === 'symlink') link = readlinkSync(join(root, path));
      } catch (err) {
        problems.push(problem('IMAGE_FORMAT', `cannot stat ${path}: ${(err as Error).message}`, { path }));
        continue;
      }
      entries.push({ path, type, mode, uid, gid, size: type === 'file' ? size : 0, ...(link !== undefined ? { link } : {}) });
      if (type === 'dir') stack.push(path);
      else if (type === 'file' && opts.wants(path, { mode, size })) {
        const limit = opts.maxFileSize(path, { mode, size });
        if (size > limit) problems.push(problem('FILE_TOO_LARGE', `"${path}" is ${size} bytes, over the ${limit}-byte limit`, { path }));
        else {
          try {
            const data = readFileSync(join(root, path));
            const kept = opts.onCapture ? opts.onCapture(path, data, { mode, size }) : { keep: data, info: { wantedBy: [] } };
            captured.set(path, kept.keep);
            capturedBy.set(path, kept.info);
          } catch (err) {
            problems.push(problem('IMAGE_FORMAT', `cannot read ${path}: ${(err as Error).message}`, { path }));
          }
        }
      }
    }
    dir.closeSync();
  }
  return { diffId: '', size: 0, entries, whiteouts: [], opaqueDirs: [], captured, capturedBy, problems };
}
