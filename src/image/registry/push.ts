import { PortcullisError, type ErrorContext } from '../../core/errors.js';
import { sha256Digest } from '../digest.js';
import { parseChallenge } from './auth.js';
import { authHeaders, repoUrl, type RepoEndpoint } from './blobs.js';
import { checkScheme, statusError } from './http.js';

// Pushing per the OCI distribution spec (https://github.com/opencontainers/distribution-spec/
// blob/main/spec.md#pushing-blobs): a blob is uploaded with POST (open a session) then PUT
// `?digest=` (monolithic); a manifest with PUT /manifests/<tag>. Only small documents are
// pushed here (signatures, configs), so bodies are Buffers and a retry can resend them.

type Method = 'HEAD' | 'POST' | 'PUT';

async function sendOnce(ep: RepoEndpoint, method: Method, url: URL, headers: Record<string, string>, body: Buffer | undefined, ctx: ErrorContext): Promise<Response> {
  const t = ep.transport;
  checkScheme(url, t.insecure, ctx);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), t.limits.requestTimeoutMs);
  const signal = t.signal ? AbortSignal.any([abort.signal, t.signal]) : abort.signal;
  // The token is for the registry's origin; an upload URL elsewhere (storage) must not see it.
  const sameOrigin = url.origin === ep.base.origin;
  const hdrs = sameOrigin ? authHeaders(ep, headers) : headers;
  try {
    const res = await fetch(url, { method, headers: hdrs, ...(body ? { body } : {}), redirect: 'manual', signal });
    // Writes are not redirected by the registries we know; a 3xx is reported, not followed.
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel().catch(() => undefined);
      throw new PortcullisError('REGISTRY_PROTOCOL', `${method} ${url.pathname} was redirected (${res.status}); refusing to resend a write`, ctx);
    }
    return res;
  } catch (err) {
    if (err instanceof PortcullisError) throw err;
    const why = abort.signal.aborted ? `no answer within ${t.limits.requestTimeoutMs} ms` : ((err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message);
    throw new PortcullisError('REGISTRY_UNREACHABLE', `cannot reach ${url.host}: ${why}`, ctx, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

/** One write with the repository's authorization, re-authorising once on a bearer challenge. */
async function send(ep: RepoEndpoint, method: Method, url: URL, headers: Record<string, string>, body: Buffer | undefined, ctx: ErrorContext): Promise<Response> {
  const res = await sendOnce(ep, method, url, headers, body, ctx);
  const header = res.headers.get('www-authenticate');
  const challenge = header ? parseChallenge(header) : undefined;
  if (res.status !== 401 || !header || !challenge || !ep.reauthorize) return res;
  if (challenge.scheme === 'basic' && ep.authorization?.startsWith('Basic ')) return res;
  await res.body?.cancel().catch(() => undefined);
  ep.authorization = await ep.reauthorize(header);
  return sendOnce(ep, method, url, headers, body, ctx);
}

async function discard(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => undefined);
}

/** Whether the repository already holds the blob (HEAD; 404 means no). */
export async function blobExists(ep: RepoEndpoint, digest: string, ctx: ErrorContext): Promise<boolean> {
  const res = await send(ep, 'HEAD', repoUrl(ep, 'blobs', digest), {}, undefined, ctx);
  await discard(res);
  if (res.status === 404) return false;
  if (!res.ok) throw statusError(res, `blob ${digest}`, ctx);
  return true;
}

/** Uploads `bytes` as a blob unless the repository has it already; returns its digest. */
export async function pushBlob(ep: RepoEndpoint, bytes: Buffer, ctx: ErrorContext): Promise<string> {
  const digest = sha256Digest(bytes);
  if (await blobExists(ep, digest, ctx)) return digest;
  const start = await send(ep, 'POST', new URL(`/v2/${ep.repository}/blobs/uploads/`, ep.base), { 'content-length': '0' }, undefined, ctx);
  await discard(start);
  if (start.status !== 202) throw statusError(start, 'blob upload session', ctx);
  const location = start.headers.get('location');
  if (!location) throw new PortcullisError('REGISTRY_PROTOCOL', 'blob upload session answered without a Location', ctx);
  let url: URL;
  try {
    url = new URL(location, ep.base);
  } catch {
    throw new PortcullisError('REGISTRY_PROTOCOL', `blob upload Location "${location.slice(0, 200)}" is not a URL`, ctx);
  }
  if (url.username || url.password) throw new PortcullisError('REGISTRY_PROTOCOL', 'blob upload Location carries credentials', ctx);
  url.searchParams.set('digest', digest);
  const put = await send(ep, 'PUT', url, { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) }, bytes, ctx);
  await discard(put);
  if (put.status !== 201) throw statusError(put, `blob upload ${digest}`, ctx);
  return digest;
}

/** PUTs a manifest under `tag` (or digest); returns the digest the registry reports, checked against ours. */
export async function pushManifest(ep: RepoEndpoint, tag: string, bytes: Buffer, mediaType: string, ctx: ErrorContext): Promise<string> {
  const digest = sha256Digest(bytes);
  const res = await send(ep, 'PUT', repoUrl(ep, 'manifests', tag), { 'content-type': mediaType, 'content-length': String(bytes.length) }, bytes, ctx);
  await discard(res);
  if (res.status !== 201) throw statusError(res, `manifest ${tag}`, ctx);
  const reported = res.headers.get('docker-content-digest');
  if (reported?.startsWith('sha256:') && reported !== digest) {
    throw new PortcullisError('DIGEST_MISMATCH', `registry stored manifest ${tag} as ${reported}, but we sent ${digest}`, ctx);
  }
  return digest;
}
