import type { RequestFacts } from '../types.js';
import { containerCreateFacts, execCreateFacts, volumeCreateFacts } from './body-create.js';
import { findDuplicateKey, goField, isObject } from './go-json.js';
import { checkBody, headerMap } from './integrity.js';
import { matchRoute, UNKNOWN_ACTION } from './routes.js';
import { parseRequestTarget } from './uri.js';
import { AuthzWireRequestSchema, base64DecodedLength, type AuthzWireRequest } from './wire.js';

/** dockerd never forwards a body of 1 MiB or more (moby authz.go maxBodySize). */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface ParseOptions {
  /** Bodies larger than this are refused (default policy: 1 MiB, dockerd's own limit). */
  readonly maxBodyBytes: number;
  /** Longer request URIs are refused (default 64 KiB). */
  readonly maxUriBytes?: number;
  /** Header names and values larger than this in total are refused (default 256 KiB). */
  readonly maxHeaderBytes?: number;
  /** The daemon's answer in the response phase (default 16 MiB); only audited, never acted on. */
  readonly maxResponseBodyBytes?: number;
}

export type ParseFailure = { readonly ok: false; readonly code: 'AUTHZ_REQUEST'; readonly message: string };
export type ParsedRequest = { readonly ok: true; readonly facts: RequestFacts; readonly wire: AuthzWireRequest } | ParseFailure;
export type ParsedResponse =
  | { readonly ok: true; readonly facts: RequestFacts; readonly wire: AuthzWireRequest; readonly status?: number }
  | ParseFailure;

const fail = (message: string): ParseFailure => ({ ok: false, code: 'AUTHZ_REQUEST', message });
const METHOD = /^[A-Z]{1,16}$/;

function headerBytes(h: Readonly<Record<string, string>> | null | undefined): number {
  return Object.entries(h ?? {}).reduce((n, [k, v]) => n + k.length + v.length, 0);
}

/** Size checks before the schema runs, so an enormous string is refused without more work. */
function precheck(raw: unknown, opts: ParseOptions): string | undefined {
  if (!isObject(raw)) return 'the AuthZ request is not a JSON object';
  const limits = { RequestBody: opts.maxBodyBytes, ResponseBody: opts.maxResponseBodyBytes ?? 16 * 1024 * 1024 } as const;
  for (const [key, bytes] of Object.entries(limits)) {
    const v = raw[key];
    if (typeof v === 'string' && v.length > Math.ceil(bytes / 3) * 4) return `${key} is over the ${bytes}-byte limit`;
  }
  const uri = raw.RequestUri;
  if (typeof uri === 'string' && uri.length > (opts.maxUriBytes ?? 64 * 1024)) return `RequestUri is longer than ${opts.maxUriBytes ?? 64 * 1024} bytes`;
  const headers = raw.RequestHeaders;
  if (isObject(headers) && headerBytes(headers as Record<string, string>) > (opts.maxHeaderBytes ?? 256 * 1024)) return 'RequestHeaders are over the header size limit';
  return undefined;
}

function decodeWire(raw: unknown, opts: ParseOptions): { wire: AuthzWireRequest } | ParseFailure {
  const pre = precheck(raw, opts);
  if (pre) return fail(pre);
  const parsed = AuthzWireRequestSchema.safeParse(raw);
  if (!parsed.success) return fail(`malformed AuthZ request: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return { wire: parsed.data };
}

/** The body as JSON, or why it cannot be read as dockerd would read it. */
function readJson(body: Buffer, shape: 'object' | 'array', nullable: boolean): { value: unknown } | string {
  const text = body.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return `the body is not valid JSON (${(err as Error).message.slice(0, 120)})`;
  }
  const dup = findDuplicateKey(text);
  if (dup !== undefined) return `the body has the key "${dup.slice(0, 80)}" twice in one object`;
  // `null` decodes to Go's zero value: fine where the body is optional (docker commit may send it).
  if (value === null && nullable) return { value };
  if (shape === 'array' ? !Array.isArray(value) : !isObject(value)) return `the body is not a JSON ${shape}`;
  return { value };
}

/** Wire request → facts; the whole of the work both phases share. */
function toFacts(wire: AuthzWireRequest, opts: ParseOptions, phase: 'request' | 'response' = 'request'): { facts: RequestFacts } | ParseFailure {
  const method = wire.RequestMethod;
  if (!METHOD.test(method)) return fail(`the method "${method.slice(0, 20)}" is not an upper-case HTTP method`);
  const t = parseRequestTarget(wire.RequestUri);
  if (!t.ok) return fail(t.message);
  const { path, query } = t.target;
  const headers = headerMap(wire.RequestHeaders);
  if (typeof headers === 'string') return fail(headers);
  const body = wire.RequestBody ? Buffer.from(wire.RequestBody, 'base64') : undefined;
  if (body && body.length !== base64DecodedLength(wire.RequestBody ?? '')) return fail('RequestBody does not decode cleanly');
  const base = { method, path, query, ...(t.target.apiVersion !== undefined ? { apiVersion: t.target.apiVersion } : {}) };

  const match = matchRoute(method, path, query, t.target.apiVersion !== undefined);
  // Refuse a trailing slash a route does not spell out: `DELETE /containers/web/` would
  // name "web/", and no client sends it (mux 404s /info/: raw-trailing-slash-path.json).
  if (path.length > 1 && path.endsWith('/') && !match?.route.path.endsWith('/')) return fail(`the path "${path.slice(0, 200)}" ends with a slash`);
  const need = match?.route.body;
  const why = checkBody({ headers, body, need, maxBodyBytes: opts.maxBodyBytes });
  if (why) return fail(`${method} ${path}: ${why}`);
  if (!match) return { facts: { ...base, action: UNKNOWN_ACTION } };

  let object = match.object;
  const facts: { -readonly [K in keyof RequestFacts]: RequestFacts[K] } = { ...base, action: match.action };
  // The response phase follows an allowed request: its body facts were judged then; only a
  // name carried in the body is read again, for the audit record's object.
  if (need && body && body.length > 0 && (phase === 'request' || match.route.nameInBody)) {
    const json = readJson(body, match.route.bodyShape ?? 'object', need === 'optional');
    if (typeof json === 'string') return fail(`${method} ${path}: ${json}`);
    try {
      if (isObject(json.value)) {
        if (phase === 'request') {
          if (match.action === 'container.create') facts.create = containerCreateFacts(json.value);
          if (match.action === 'container.exec') facts.exec = execCreateFacts(json.value);
          if (match.action === 'volume.create') facts.volume = volumeCreateFacts(json.value);
        }
        const name = match.route.nameInBody ? goField(json.value, 'Name') : undefined;
        if (name !== undefined && typeof name !== 'string') return fail(`${method} ${path}: Name is not a string`);
        if (name) object = name;
      }
    } catch (err) {
      return fail(`${method} ${path}: ${(err as Error).message}`);
    }
  }
  if (object !== undefined) facts.object = object;
  return { facts };
}

/**
 * An `/AuthZPlugin.AuthZReq` payload (already JSON-decoded) → the facts the policy decides
 * on, or AUTHZ_REQUEST with the reason, which the caller turns into a denial. An endpoint
 * outside routes.ts comes back as action `unknown`, which the policy also denies.
 */
export function parseAuthzRequest(raw: unknown, opts: ParseOptions): ParsedRequest {
  const decoded = decodeWire(raw, opts);
  if ('ok' in decoded) return decoded;
  const r = toFacts(decoded.wire, opts);
  return 'ok' in r ? r : { ok: true, facts: r.facts, wire: decoded.wire };
}

/**
 * An `/AuthZPlugin.AuthZRes` payload: the same request (dockerd resends it whole) plus the
 * daemon's status, for the audit record. `status` is absent when dockerd sent none (HEAD
 * /_ping, hijacked attach and exec streams).
 */
export function parseAuthzResponse(raw: unknown, opts: ParseOptions): ParsedResponse {
  const decoded = decodeWire(raw, opts);
  if ('ok' in decoded) return decoded;
  const r = toFacts(decoded.wire, opts, 'response');
  if ('ok' in r) return r;
  const status = decoded.wire.ResponseStatusCode;
  return { ok: true, facts: r.facts, wire: decoded.wire, ...(status !== undefined ? { status } : {}) };
}
