import type { Problem } from '../../core/problem.js';

export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'device' | 'fifo' | 'other';

/** One path a layer writes. */
export interface LayerEntry {
  readonly path: string;
  readonly type: EntryType;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  /** Symlink target as written, or hardlink target as a normalized absolute path. */
  readonly link?: string;
}

/** What reading one layer once produced; cached by layer digest + reader and cataloger versions. */
export interface LayerAnalysis {
  /** sha256 of the uncompressed tar as computed while reading. */
  readonly diffId: string;
  /** Uncompressed size in bytes. */
  readonly size: number;
  readonly entries: LayerEntry[];
  /** Paths deleted from lower layers (`.wh.<name>`). */
  readonly whiteouts: string[];
  /** Directories whose lower-layer content is hidden (`.wh..wh..opq`). */
  readonly opaqueDirs: string[];
  /** Contents of the files some cataloger wanted. */
  readonly captured: Map<string, Buffer>;
  readonly problems: Problem[];
}
