import type { Problem } from '../../core/problem.js';

export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'device' | 'fifo' | 'other';

/** Who wanted a captured file and what the summarizing ones made of it. */
export interface CaptureInfo {
  readonly wantedBy: readonly string[];
  readonly summaries?: Readonly<Record<string, { readonly [key: string]: unknown } | null>>;
}

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
  /** Contents of the files some cataloger wanted (empty when every wanter summarized it). */
  readonly captured: Map<string, Buffer>;
  /** Per captured path: which catalogers wanted it, and their summaries (JSON). */
  readonly capturedBy: Map<string, CaptureInfo>;
  readonly problems: Problem[];
}
