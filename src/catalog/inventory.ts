import type { OsInfo } from '../core/os.js';
import type { LayerRef, Package, Relationship } from '../core/package.js';
import type { Problem } from '../core/problem.js';
import type { ImageMetadata } from '../image/types.js';

/** Everything one scan learned about an image: the input of SBOM encoders and matching. */
export interface Inventory {
  readonly tool: { readonly name: 'portcullis'; readonly version: string };
  /** ISO 8601 timestamp of the scan. */
  readonly createdAt: string;
  readonly image: ImageMetadata;
  readonly os: OsInfo | undefined;
  readonly layers: readonly LayerRef[];
  readonly packages: readonly Package[];
  readonly relationships: readonly Relationship[];
  readonly problems: readonly Problem[];
  /** The catalogers that ran, `{ id, version }`. */
  readonly catalogers: readonly { readonly id: string; readonly version: string }[];
}
