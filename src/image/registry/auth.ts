import { z } from 'zod';
import { PortcullisError, type ErrorContext } from '../../core/errors.js';
import type { Credentials } from './credentials.js';
import { checkScheme, get, readCapped, statusError, type Reply, type Transport } from './http.js';

/** One parsed `WWW-Authenticate` challenge (RFC 7235 §4.1). */
export interface Challenge {
  readonly scheme: 'basic' | 'bearer';
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Parses `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`. Returns undefined
 * for schemes we do not speak. Quoted values may contain commas and `\"` escapes.
 */
export function parseChallenge(header: string): Challenge | undefined {
  const m = /^\s*([A-Za-z][\w-]*)\s*(.*)$/s.exec(header);
  const scheme = m?.[1]?.toLowerCase();
  if (scheme !== 'basic' && scheme !== 'bearer') return undefined;
  const params: Record<string, string> = {};
  const re = /([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?\s*/gy;
  const rest = m?.[2] ?? '';
  re.lastIndex = 0;
  for (let p = re.exec(rest); p; p = re.exec(rest)) {
    const key = (p[1] ?? '').toLowerCase();
    params[key] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? '');
    if (re.lastIndex >= rest.length) break;
  }
  return { scheme, params };
}

/**
 * A token realm is a URL the registry tells us to call, so it is an SSRF vector
 * (go-containerregistry validates it too): https only, unless loopback with --insecure, and
 * never with credentials embedded.
 */
export function checkRealm(realm: string | undefined, insecure: boolean, ctx: ErrorContext): URL {
  let url: URL;
  try {
    url = new URL(realm ?? '');
  } catch {
    throw new PortcullisError('REGISTRY_PROTOCOL', `bearer challenge has an invalid realm "${String(realm).slice(0, 200)}"`, ctx);
  }
  if (url.username || url.password) throw new PortcullisError('REGISTRY_PROTOCOL', 'token realm URL carries credentials', ctx);
  checkScheme(url, insecure, { ...ctx, realm: url.origin });
  return url;
}

// Token reply (https://distribution.github.io/distribution/spec/auth/token/): `token`, or the
// OAuth2 name `access_token`.
const TokenReply = z.object({ token: z.string().min(1).optional(), access_token: z.string().min(1).optional() });

function basic(creds: Credentials): string {
  return `Basic ${Buffer.from(`${creds.username ?? ''}:${creds.password ?? ''}`).toString('base64')}`;
}

async function readToken(body: Buffer, ctx: ErrorContext): Promise<string> {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new PortcullisError('REGISTRY_PROTOCOL', 'token endpoint did not answer JSON', ctx);
  }
  const parsed = TokenReply.safeParse(json);
  const token = parsed.success ? (parsed.data.token ?? parsed.data.access_token) : undefined;
  if (!token) throw new PortcullisError('REGISTRY_PROTOCOL', 'token reply has neither "token" nor "access_token"', ctx);
  return token;
}

/** What a token is asked for: reading, or reading and writing (signatures are pushed). */
export type RepositoryActions = 'pull' | 'pull,push';

/** Fetches a token for `repository` (pull, or pull and push) from a bearer challenge. */
export async function fetchToken(challenge: Challenge, repository: string, creds: Credentials | undefined, t: Transport, ctx: ErrorContext, actions: RepositoryActions = 'pull'): Promise<string> {
  const realm = checkRealm(challenge.params.realm, t.insecure, ctx);
  const scope = `repository:${repository}:${actions}`;
  const limit = Math.min(t.limits.maxDocumentBytes, 1024 * 1024);
  if (creds?.identityToken) {
    // Docker's OAuth2 refresh-token flow for identity tokens.
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identityToken, service: challenge.params.service ?? '', scope, client_id: 'portcullis' });
    const reply = await postForm(realm, form, t, ctx);
    if (!reply.res.ok) {
      reply.abort.abort();
      throw statusError(reply.res, 'token request', ctx);
    }
    return readToken(await readCapped(reply, limit, t, 'token reply', ctx), ctx);
  }
  const url = new URL(realm);
  if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
  url.searchParams.set('scope', scope);
  const headers: Record<string, string> = creds?.username !== undefined ? { authorization: basic(creds) } : {};
  const reply = await get(url, headers, t, { ...ctx, realm: realm.origin });
  if (!reply.res.ok) {
    await reply.res.body?.cancel().catch(() => undefined);
    throw statusError(reply.res, 'token request', ctx);
  }
  return readToken(await readCapped(reply, limit, t, 'token reply', ctx), ctx);
}

async function postForm(url: URL, form: URLSearchParams, t: Transport, ctx: ErrorContext): Promise<Reply> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), t.limits.requestTimeoutMs);
  const signal = t.signal ? AbortSignal.any([abort.signal, t.signal]) : abort.signal;
  try {
    const res = await fetch(url, { method: 'POST', body: form, redirect: 'error', signal });
    return { res, url, abort };
  } catch (err) {
    throw new PortcullisError('REGISTRY_UNREACHABLE', `token endpoint ${url.host} unreachable: ${(err as Error).message}`, ctx, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Answers a `WWW-Authenticate` challenge: Basic with our credentials, or Bearer with a token
 * from the realm. Throws REGISTRY_AUTH when we cannot.
 */
export async function answerChallenge(header: string, repository: string, creds: Credentials | undefined, t: Transport, ctx: ErrorContext, actions: RepositoryActions = 'pull'): Promise<string> {
  const challenge = parseChallenge(header);
  if (!challenge) throw new PortcullisError('REGISTRY_AUTH', `registry asks for an unsupported authentication scheme "${header.slice(0, 100)}"`, ctx);
  if (challenge.scheme === 'basic') {
    if (creds?.username === undefined) throw new PortcullisError('REGISTRY_AUTH', 'registry requires credentials and none were given', ctx);
    return basic(creds);
  }
  return `Bearer ${await fetchToken(challenge, repository, creds, t, ctx, actions)}`;
}

/**
 * Pings `/v2/` and works out the Authorization header for this repository: none (anonymous
 * registry), Basic (htpasswd-style) or Bearer (token service).
 */
export async function authorize(base: URL, repository: string, creds: Credentials | undefined, t: Transport, ctx: ErrorContext, actions: RepositoryActions = 'pull'): Promise<string | undefined> {
  const reply = await get(new URL('/v2/', base), {}, t, ctx);
  await reply.res.body?.cancel().catch(() => undefined);
  if (reply.res.ok) return creds?.username !== undefined ? basic(creds) : undefined;
  if (reply.res.status !== 401) throw new PortcullisError('REGISTRY_PROTOCOL', `GET /v2/ answered ${reply.res.status}; is this a registry?`, ctx);
  return answerChallenge(reply.res.headers.get('www-authenticate') ?? '', repository, creds, t, ctx, actions);
}
