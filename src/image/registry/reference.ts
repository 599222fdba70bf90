import { isIP } from 'node:net';
import { PortcullisError } from '../../core/errors.js';

/**
 * A parsed image reference. Grammar from distribution's reference package
 * (https://github.com/distribution/reference/blob/main/reference.go):
 * `[domain[:port]/]path[:tag][@digest]`.
 */
export interface ImageReference {
  /** Registry as users name it: `docker.io`, `127.0.0.1:5000`, `[::1]:5000`. */
  readonly registry: string;
  /** host[:port] the distribution API is served on (`registry-1.docker.io` for Docker Hub). */
  readonly apiHost: string;
  /** Repository path, e.g. `library/alpine`. */
  readonly repository: string;
  /** Tag; `latest` when neither tag nor digest was given. */
  readonly tag?: string;
  /** `sha256:<hex>` when the reference pins a manifest digest. */
  readonly digest?: string;
}

const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_API = 'registry-1.docker.io';
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const HOST_LABEL = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/;

function invalid(ref: string, why: string): PortcullisError {
  return new PortcullisError('IMAGE_REF_INVALID', `invalid image reference "${ref}": ${why}`, { reference: ref });
}

/** A first path component is a domain when it has a dot, a port or is `localhost` (Docker's rule). */
function looksLikeDomain(part: string): boolean {
  return part.includes('.') || part.includes(':') || part === 'localhost' || part.startsWith('[');
}

function validDomain(domain: string): boolean {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(domain);
  if (!m?.[1]) return false;
  const host = m[1];
  if (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535)) return false;
  if (host.startsWith('[')) return isIP(host.slice(1, -1)) === 6;
  return host.split('.').every((label) => HOST_LABEL.test(label));
}

/** Parses a Docker image reference, applying Docker Hub's defaults. Throws IMAGE_REF_INVALID. */
export function parseReference(ref: string): ImageReference {
  if (ref.length === 0 || ref.length > 4096 || /\s/.test(ref)) throw invalid(ref, 'empty, too long or contains spaces');
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw invalid(ref, 'digest must be sha256:<64 lowercase hex>');
  }
  // A tag is the text after the last ':' when no '/' follows it (otherwise it is a port).
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/') && colon > rest.lastIndexOf(']')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw invalid(ref, `tag "${tag}" is not valid`);
  }
  const parts = rest.split('/');
  let registry = DOCKER_HUB;
  if (parts.length > 1 && looksLikeDomain(parts[0] ?? '')) {
    registry = parts.shift() ?? '';
    if (!validDomain(registry)) throw invalid(ref, `registry "${registry}" is not a valid host[:port]`);
  }
  if (parts.length === 0 || parts.some((p) => !COMPONENT.test(p))) {
    throw invalid(ref, 'repository path components must be lowercase letters, digits and separators');
  }
  let repository = parts.join('/');
  if (repository.length > 255) throw invalid(ref, 'repository name longer than 255 characters');
  if (registry === 'index.docker.io') registry = DOCKER_HUB;
  const apiHost = registry === DOCKER_HUB ? DOCKER_HUB_API : registry;
  if (registry === DOCKER_HUB && parts.length === 1) repository = `library/${repository}`;
  if (tag === undefined && digest === undefined) tag = 'latest';
  return { registry, apiHost, repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** The tag-or-digest part of the manifest URL; a digest wins when both are given. */
export function manifestReference(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

/** Short human name: `alpine` for Docker Hub library images, else `registry/repository`. */
export function displayName(ref: ImageReference): string {
  if (ref.registry !== DOCKER_HUB) return `${ref.registry}/${ref.repository}`;
  return ref.repository.startsWith('library/') ? ref.repository.slice('library/'.length) : ref.repository;
}

/** Whether host[:port] names a loopback address (127.0.0.0/8, ::1 or localhost). */
export function isLoopbackHost(hostPort: string): boolean {
  let host = hostPort;
  if (host.startsWith('[')) host = host.slice(1, host.indexOf(']'));
  else if (host.includes(':') && isIP(host) !== 6) host = host.slice(0, host.lastIndexOf(':'));
  host = host.toLowerCase();
  if (host === 'localhost' || host === '::1') return true;
  // URL canonicalises IPv6 spellings such as 0:0:0:0:0:0:0:1 to [::1].
  if (isIP(host) === 6) return new URL(`http://[${host}]/`).hostname === '[::1]';
  return isIP(host) === 4 && host.startsWith('127.');
}
