import { PassThrough, Transform, type TransformCallback } from 'node:stream';
import { finished } from 'node:stream/promises';
import { PortcullisError, toPortcullisError, type ErrorContext } from '../../core/errors.js';
import { DigestVerifier, verifyDigest } from '../digest.js';
import type { LayerMeta, LayerVisitor } from '../types.js';
import { parseChallenge } from './auth.js';
import { bodyStream, get, readCapped, statusError, type Reply, type Transport } from './http.js';

/** Where one repository's blobs and manifests live, and how to authorise requests there. */
export interface RepoEndpoint {
  readonly base: URL;
  readonly repository: string;
  /** Replaced when a bearer token expires and `reauthorize` fetches a new one. */
  authorization: string | undefined;
  readonly transport: Transport;
  /** Fetches a fresh Authorization value (bearer tokens expire during long pulls). */
  readonly reauthorize?: (challenge: string) => Promise<string>;
}

export function repoUrl(ep: RepoEndpoint, kind: 'blobs' | 'manifests', ref: string): URL {
  return new URL(`/v2/${ep.repository}/${kind}/${ref}`, ep.base);
}

export function authHeaders(ep: RepoEndpoint, extra: Record<string, string> = {}): Record<string, string> {
  return ep.authorization ? { ...extra, authorization: ep.authorization } : extra;
}

/**
 * GET with the repository's authorization. A 401 carrying a challenge gets one retry with a
 * fresh answer to it: bearer tokens often live only minutes, a pull can last longer, and some
 * registries open /v2/ to all but challenge per repository. A Basic challenge to Basic
 * credentials is final (the password is wrong).
 */
export async function getAuthed(ep: RepoEndpoint, url: URL, extra: Record<string, string>, ctx: ErrorContext): Promise<Reply> {
  const reply = await get(url, authHeaders(ep, extra), ep.transport, ctx);
  const header = reply.res.headers.get('www-authenticate');
  const challenge = header ? parseChallenge(header) : undefined;
  if (reply.res.status !== 401 || !header || !challenge || !ep.reauthorize) return reply;
  if (challenge.scheme === 'basic' && ep.authorization?.startsWith('Basic ')) return reply;
  reply.abort.abort();
  ep.authorization = await ep.reauthorize(header);
  return get(url, authHeaders(ep, extra), ep.transport, ctx);
}

/** GETs a small blob (a config), capped in size and digest-verified. */
export async function fetchSmallBlob(ep: RepoEndpoint, digest: string, size: number, what: string, ctx: ErrorContext): Promise<Buffer> {
  const max = ep.transport.limits.maxDocumentBytes;
  if (size > max) throw new PortcullisError('REGISTRY_PROTOCOL', `${what} is ${size} bytes, above the ${max}-byte limit`, ctx);
  const reply = await getAuthed(ep, repoUrl(ep, 'blobs', digest), {}, ctx);
  if (!reply.res.ok) {
    reply.abort.abort();
    throw statusError(reply.res, what, ctx);
  }
  const bytes = await readCapped(reply, max, ep.transport, what, ctx);
  verifyDigest(bytes, digest, ctx);
  return bytes;
}

/** Fails once more bytes arrive than the descriptor announced: a blob cannot be endless. */
function sizeGuard(size: number | undefined, ctx: ErrorContext): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      seen += chunk.length;
      if (size !== undefined && seen > size) {
        cb(new PortcullisError('DIGEST_MISMATCH', `blob is larger than the ${size} bytes its descriptor declares`, ctx));
        return;
      }
      cb(null, chunk);
    },
  });
}

/**
 * Streams one layer blob to `visit`, verifying its digest on the way. The raw (compressed)
 * bytes go to the visitor; whatever the visitor does, the whole blob is hashed, so the
 * promise rejects with DIGEST_MISMATCH for a lying blob, or REGISTRY_UNREACHABLE for a cut
 * connection, rather than with the visitor's own decompression error.
 */
export async function streamLayer(ep: RepoEndpoint, meta: LayerMeta, visit: LayerVisitor, ctx: ErrorContext): Promise<void> {
  const digest = meta.digest ?? '';
  const lctx: ErrorContext = { ...ctx, layer: digest };
  const reply = await getAuthed(ep, repoUrl(ep, 'blobs', digest), {}, lctx);
  if (!reply.res.ok) {
    reply.abort.abort();
    throw statusError(reply.res, `layer ${digest}`, lctx);
  }
  const declared = reply.res.headers.get('content-length');
  if (declared !== null && meta.size !== undefined && Number(declared) !== meta.size) {
    reply.abort.abort();
    throw new PortcullisError('DIGEST_MISMATCH', `registry sends ${declared} bytes for a blob of ${meta.size} bytes`, lctx);
  }
  const body = bodyStream(reply, ep.transport, lctx);
  const guard = sizeGuard(meta.size, lctx);
  const verifier = new DigestVerifier(digest, lctx);
  const out = new PassThrough();
  let streamError: PortcullisError | undefined;
  const fail = (err: unknown) => {
    streamError ??= toPortcullisError(err, 'REGISTRY_PROTOCOL', lctx);
    verifier.destroy(streamError);
  };
  body.on('error', fail);
  guard.on('error', fail);
  // pipe() does not forward errors: the visitor must see ours, not a silent end.
  verifier.on('error', (err) => {
    streamError ??= toPortcullisError(err, 'REGISTRY_PROTOCOL', lctx);
    body.destroy();
    out.destroy(streamError);
  });
  const verified = finished(verifier);
  verified.catch(() => undefined); // awaited below; this only keeps it from being "unhandled" meanwhile
  body.pipe(guard).pipe(verifier).pipe(out);

  let visitError: unknown;
  try {
    await visit(out, meta);
  } catch (err) {
    visitError = err;
  }
  // The visitor may stop early (end-of-archive padding) or fail: drain the rest so the digest
  // check covers every byte, and so backpressure cannot stall us.
  verifier.unpipe(out);
  out.destroy();
  verifier.resume();
  try {
    await verified;
  } catch (err) {
    throw streamError ?? toPortcullisError(err, 'REGISTRY_PROTOCOL', lctx);
  }
  if (visitError !== undefined) throw visitError;
}
