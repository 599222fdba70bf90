import { PortcullisError, type ErrorContext } from '../../core/errors.js';
import { sha256Digest } from '../digest.js';
import type { ImageSourceOptions } from '../types.js';
import { answerChallenge, authorize, type RepositoryActions } from './auth.js';
import { getAuthed, repoUrl, type RepoEndpoint } from './blobs.js';
import { resolveCredentials } from './credentials.js';
import { DEFAULT_LIMITS, readCapped, statusError, type RegistryLimits } from './http.js';
import { isLoopbackHost, type ImageReference, parseReference } from './reference.js';

/** A repository opened for reading (pull) or for reading and writing (pull,push). */
export interface OpenedRepository {
  readonly ref: ImageReference;
  readonly endpoint: RepoEndpoint;
}

/**
 * Resolves credentials and authorises against the repository that `ref` names, for the
 * given actions. Used by code that reads or writes artifacts beside an image (signatures),
 * where `openRegistryImage` would insist on an image config.
 */
export async function openRepository(
  ref: string,
  opts: ImageSourceOptions,
  actions: RepositoryActions = 'pull',
  limits: Partial<RegistryLimits> = {},
): Promise<OpenedRepository> {
  const parsed = parseReference(ref);
  const ctx: ErrorContext = { reference: ref };
  if (opts.insecure && !isLoopbackHost(parsed.apiHost)) {
    throw new PortcullisError('REGISTRY_INSECURE', `--insecure (plain HTTP) is allowed only for loopback registries, not ${parsed.apiHost}`, ctx);
  }
  const transport = { insecure: opts.insecure === true, limits: { ...DEFAULT_LIMITS, ...limits }, signal: opts.signal };
  const base = new URL(`${opts.insecure ? 'http' : 'https'}://${parsed.apiHost}/`);
  const creds = await resolveCredentials(parsed.registry, opts);
  const authorization = await authorize(base, parsed.repository, creds, transport, ctx, actions);
  const reauthorize = (challenge: string) => answerChallenge(challenge, parsed.repository, creds, transport, ctx, actions);
  return { ref: parsed, endpoint: { base, repository: parsed.repository, authorization, transport, reauthorize } };
}

/** A manifest as stored: its exact bytes (what digests and signatures cover) and type. */
export interface RawManifest {
  readonly bytes: Buffer;
  readonly digest: string;
  readonly mediaType: string | undefined;
}

/**
 * GETs a manifest by tag or digest, size-capped and digest-checked (against `reference` when
 * it is a digest, and against Docker-Content-Digest). A 404 answers undefined: for
 * signature tags "absent" is an answer, not an error.
 */
export async function fetchRawManifest(ep: RepoEndpoint, reference: string, accept: string, ctx: ErrorContext): Promise<RawManifest | undefined> {
  const reply = await getAuthed(ep, repoUrl(ep, 'manifests', reference), { accept }, ctx);
  if (reply.res.status === 404) {
    await reply.res.body?.cancel().catch(() => undefined);
    return undefined;
  }
  if (!reply.res.ok) {
    reply.abort.abort();
    throw statusError(reply.res, `manifest ${reference}`, ctx);
  }
  const bytes = await readCapped(reply, ep.transport.limits.maxDocumentBytes, ep.transport, `manifest ${reference}`, ctx);
  const digest = sha256Digest(bytes);
  const header = reply.res.headers.get('docker-content-digest');
  if (reference.startsWith('sha256:') && digest !== reference) {
    throw new PortcullisError('DIGEST_MISMATCH', `manifest should be ${reference} but hashes to ${digest}`, ctx);
  }
  if (header?.startsWith('sha256:') && header !== digest) {
    throw new PortcullisError('DIGEST_MISMATCH', `Docker-Content-Digest says ${header} but the manifest hashes to ${digest}`, ctx);
  }
  const mediaType = reply.res.headers.get('content-type')?.split(';')[0]?.trim() || undefined;
  return { bytes, digest, mediaType };
}
