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
  /** Absolute, normalized path. */
  wants(path: string): boolean;
  /** Largest file it wants captured; larger ones become a FILE_TOO_LARGE problem. */
  readonly maxFileSize?: number;
  catalog(view: CatalogView): CatalogResult;
}

export function emptyResult(): CatalogResult {
  return { packages: [], relationships: [], problems: [] };
}
