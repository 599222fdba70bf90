import type { Readable } from 'node:stream';
import type { Problem } from '../core/problem.js';

/** One layer as the image's manifest and config describe it. */
export interface LayerMeta {
  readonly index: number;
  /** sha256 of the uncompressed tar, from the config's rootfs.diff_ids. */
  readonly diffId: string;
  /** Blob digest (usually of the compressed bytes), when the source has one. */
  readonly digest?: string;
  readonly mediaType?: string;
  /** Blob size in bytes, when known. */
  readonly size?: number;
  /** `created_by` of the history entry that made this layer (empty_layer entries skipped). */
  readonly createdBy?: string;
}

/** The parts of an OCI/Docker image config that Portcullis reads. */
export interface ImageConfigInfo {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
  readonly created?: string;
  readonly user?: string;
  readonly env: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
  readonly workingDir?: string;
  readonly exposedPorts?: readonly string[];
  readonly healthcheck?: readonly string[];
  readonly history: readonly { readonly createdBy?: string; readonly created?: string; readonly emptyLayer: boolean }[];
}

export type SourceKind = 'docker-archive' | 'oci-dir' | 'oci-archive' | 'registry' | 'docker' | 'dir';

export interface ImageMetadata {
  readonly source: SourceKind;
  /** What the user asked for, e.g. `registry:127.0.0.1:5000/app:1`. */
  readonly reference: string;
  /** Tags the source knows, e.g. `app:1`. */
  readonly tags: readonly string[];
  /** Digest of the image manifest, when there is one. */
  readonly manifestDigest?: string;
  /** Digest of the config blob (the image id). */
  readonly configDigest?: string;
  /** Repository digests (`name@sha256:…`) known for the image. */
  readonly repoDigests?: readonly string[];
  readonly config: ImageConfigInfo;
  readonly layers: readonly LayerMeta[];
}

/**
 * Callback that receives one layer's raw blob bytes (possibly compressed). `meta` is
 * undefined when the source cannot tell which layer it is before reading it (a daemon's
 * `docker save` stream); the reader then identifies the layer by the diffID it computes.
 */
export type LayerVisitor = (blob: Readable, meta: LayerMeta | undefined) => Promise<void>;

/** An image opened from a source: metadata known, layers readable once each. */
export interface OpenedImage {
  readonly metadata: ImageMetadata;
  /**
   * Streams each wanted layer's blob through `visit`, once. Order may differ from layer
   * order. Digests the source can check (blob digests) are verified by the source; the
   * visitor verifies diffIDs.
   */
  readLayers(wanted: (layer: LayerMeta) => boolean, visit: LayerVisitor): Promise<void>;
  /** For `dir:` sources, the root directory (no layers); undefined otherwise. */
  readonly rootDir?: string;
  /** Problems met while opening (e.g. an ignored odd manifest entry). */
  readonly problems: readonly Problem[];
  close(): Promise<void>;
}

export interface ImageSourceOptions {
  /** `os/arch[/variant]`, default `linux/amd64`. */
  readonly platform?: string;
  /** Allow plain HTTP to loopback registries. */
  readonly insecure?: boolean;
  readonly username?: string;
  readonly password?: string;
  /** Path to a docker config.json (default ~/.docker/config.json or $DOCKER_CONFIG). */
  readonly dockerConfig?: string;
  /** Docker Engine API endpoint, default $DOCKER_HOST or unix:///var/run/docker.sock. */
  readonly dockerHost?: string;
  /** Extra headers for the Docker Engine API (the authz plugin's mark on its own reads). */
  readonly dockerHeaders?: Readonly<Record<string, string>>;
  /** Private temp dir root (always removed after use). */
  readonly tmpDir?: string;
  readonly signal?: AbortSignal;
}
