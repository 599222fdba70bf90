import type { OsInfo } from '../core/os.js';
import type { Package, Relationship } from '../core/package.js';
import type { Problem } from '../core/problem.js';

/** A file whose content was captured for cataloging, as seen in one squashed view. */
export interface CapturedFile {
  /** Absolute path inside the image, normalized (`/var/lib/dpkg/status`). */
  readonly path: string;
  readonly content: Buffer;
  /** diffID of the layer that last wrote this file; undefined for `dir:` sources. */
  readonly layerDiffId?: string;
  /** Ids of the catalogers that wanted this file. */
  readonly wantedBy: readonly string[];
  /**
   * Per cataloger id, what its `summarize` made of the file at read time. When every
   * cataloger that wanted a file summarizes it, `content` is empty: the bytes were dropped.
   */
  readonly summaries?: Readonly<Record<string, FileSummary>>;
}

/** JSON-serializable (it is cached with the layer); null when the file held nothing useful. */
export type FileSummary = { readonly [key: string]: unknown } | null;

/** Metadata of a tar entry, for catalogers that choose files by more than their path. */
export interface EntryInfo {
  readonly mode: number;
  readonly size: number;
}

/** What a cataloger sees: the squashed image at some layer, restricted to what it wanted. */
export interface CatalogView {
  /** The captured files this cataloger wanted, visible in this view, sorted by path. */
  files(): readonly CapturedFile[];
  /** A captured file by absolute path (only files some cataloger wanted are captured). */
  read(path: string): CapturedFile | undefined;
  /** True when a path (any file, captured or not) exists in this view. */
  exists(path: string): boolean;
  readonly os: OsInfo | undefined;
}

export interface CatalogResult {
  readonly packages: Package[];
  readonly relationships: Relationship[];
  readonly problems: Problem[];
}

/**
 * A cataloger plugin. It declares the paths it needs (`wants`, called for every path of
 * every layer: keep it cheap) and turns a view of those files into packages. It reads no
 * sockets and no disk: IO stays in the image layer.
 */
export interface Cataloger {
  /** Same as its folder name, e.g. `dpkg`. */
  readonly id: string;
  /** Bumped whenever output can change; enters cache keys and `foundBy`. */
  readonly version: string;
  /**
   * Absolute, normalized path; `info` is given when the reader knows the entry (mode bits
   * for executables, size). Must be cheap: it is called for every file of every layer.
   */
  wants(path: string, info?: EntryInfo): boolean;
  /**
   * Optional: reduces a wanted file to a small summary while its layer is read, so large
   * files (binaries, archives) are never kept in memory or in the cache. Must not throw
   * for bad input: return a summary that records the problem instead.
   */
  summarize?(file: { readonly path: string; readonly content: Buffer }): FileSummary;
  /** Largest file it wants captured; larger ones become a FILE_TOO_LARGE problem. */
  readonly maxFileSize?: number;
  catalog(view: CatalogView): CatalogResult;
}

export function emptyResult(): CatalogResult {
  return { packages: [], relationships: [], problems: [] };
}
