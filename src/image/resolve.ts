import { closeSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { PortcullisError, isPortcullisError } from '../core/errors.js';
import { openDockerArchive } from './archive/docker-archive.js';
import { openOciArchive } from './archive/oci-archive.js';
import { cleanMemberName } from './archive/tar-index.js';
import { openDockerDaemon } from './daemon/docker-daemon.js';
import { decodeHeader, isZeroBlock } from './layers/tar-header.js';
import { openOciDir } from './oci/oci-dir.js';
import { openRegistryImage } from './registry/index.js';
import { openRootfsDir } from './rootfs/rootfs-dir.js';
import type { ImageSourceOptions, OpenedImage, SourceKind } from './types.js';

/**
 * Turns what the user typed into a source. Prefixes follow Syft's scheme names
 * (https://github.com/anchore/syft#supported-sources); without one, an existing path is
 * sniffed and anything else is an image reference.
 */
export interface SourceRef {
  readonly kind: SourceKind;
  readonly target: string;
  /** Tag (or digest) picking one image inside an archive or layout: `oci-dir:DIR:tag`. */
  readonly selector?: string;
  /** True when no prefix was given: a `docker` reference then falls back to the registry. */
  readonly detected?: boolean;
}

const PREFIXES: readonly SourceKind[] = ['docker-archive', 'oci-archive', 'oci-dir', 'registry', 'docker', 'dir'];
const PATH_KINDS: ReadonlySet<SourceKind> = new Set(['docker-archive', 'oci-archive', 'oci-dir']);
const SNIFF_MAX_MEMBERS = 100_000;

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** `PATH` when it exists, else `PATH:selector` split at the last colon when that prefix exists. */
function splitSelector(target: string): { target: string; selector?: string } {
  if (statOf(target)) return { target };
  const colon = target.lastIndexOf(':');
  if (colon > 0 && statOf(target.slice(0, colon))) return { target: target.slice(0, colon), selector: target.slice(colon + 1) };
  return { target };
}

/** Which top-level layout files a tar holds, reading headers only (sizes skip the data). */
function sniffTar(path: string): Set<string> {
  const found = new Set<string>();
  const fd = openSync(path, 'r');
  try {
    const block = Buffer.alloc(512);
    let pos = 0;
    for (let i = 0; i < SNIFF_MAX_MEMBERS; i++) {
      if (readSync(fd, block, 0, 512, pos) !== 512 || isZeroBlock(block, 0)) break;
      const h = decodeHeader(block, 0);
      if (!h) break;
      const name = cleanMemberName(h.name);
      if (name === 'manifest.json' || name === 'oci-layout' || name === 'index.json') found.add(name);
      pos += 512 + Math.ceil(h.size / 512) * 512;
    }
  } finally {
    closeSync(fd);
  }
  return found;
}

function detectPath(input: string, st: Stats): SourceRef {
  if (st.isDirectory()) {
    return { kind: statOf(join(input, 'oci-layout'))?.isFile() ? 'oci-dir' : 'dir', target: input, detected: true };
  }
  const names = sniffTar(input);
  if (names.has('manifest.json')) return { kind: 'docker-archive', target: input, detected: true };
  if (names.has('oci-layout') || names.has('index.json')) return { kind: 'oci-archive', target: input, detected: true };
  throw new PortcullisError('IMAGE_FORMAT', `${input} is neither a docker archive nor an OCI archive`, { path: input });
}

function looksLikePath(input: string): boolean {
  return input.startsWith('/') || input.startsWith('./') || input.startsWith('../') || input.startsWith('~') || /\.tar(\.gz)?$/.test(input);
}

export function parseSourceRef(input: string): SourceRef {
  for (const kind of PREFIXES) {
    if (!input.startsWith(`${kind}:`)) continue;
    const rest = input.slice(kind.length + 1);
    if (rest === '') throw new PortcullisError('IMAGE_REF_INVALID', `nothing after "${kind}:"`, { reference: input });
    return PATH_KINDS.has(kind) ? { kind, ...splitSelector(rest) } : { kind, target: rest };
  }
  const st = statOf(input);
  if (st) return detectPath(input, st);
  // `layout-dir:tag` without a prefix, as skopeo's `oci:` transport writes it.
  const split = splitSelector(input);
  const dirSt = split.selector !== undefined ? statOf(split.target) : undefined;
  if (dirSt?.isDirectory() && statOf(join(split.target, 'oci-layout'))) return { kind: 'oci-dir', ...split, detected: true };
  if (looksLikePath(input)) throw new PortcullisError('IMAGE_NOT_FOUND', `no such file or directory: ${input}`, { path: input });
  return { kind: 'docker', target: input, detected: true };
}

/** Opens any source; an unprefixed reference tries the daemon first, then the registry. */
export async function openImage(input: string, opts: ImageSourceOptions): Promise<OpenedImage> {
  const ref = parseSourceRef(input);
  switch (ref.kind) {
    case 'docker-archive':
      return openDockerArchive(ref.target, opts, ref.selector);
    case 'oci-archive':
      return openOciArchive(ref.target, opts, ref.selector);
    case 'oci-dir':
      return openOciDir(ref.target, opts, ref.selector);
    case 'dir':
      return openRootfsDir(ref.target, opts);
    case 'registry':
      return openRegistryImage(ref.target, opts);
    case 'docker':
      if (!ref.detected) return openDockerDaemon(ref.target, opts);
      try {
        return await openDockerDaemon(ref.target, opts);
      } catch (err) {
        // Syft's order: the local daemon when it has the image, else the registry.
        if (isPortcullisError(err, 'IMAGE_NOT_FOUND') || isPortcullisError(err, 'DAEMON_UNREACHABLE')) return openRegistryImage(ref.target, opts);
        throw err;
      }
  }
}
