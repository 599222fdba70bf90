import type { BodyNeed } from './route-spec.js';

/**
 * Is the body the plugin got the body dockerd will act on? What dockerd 20.10 (Debian
 * 20.10.24+dfsg1-1+deb12u1, with the CVE-2024-41110 fix) forwards, from moby
 * pkg/authorization/authz.go and confirmed by the captures in testdata/:
 *  - a body only when the Content-Type's media type is application/json (parameters such
 *    as `; charset=utf-8` allowed: raw-charset-create.json) and the path does not end in /auth;
 *  - a Content-Length body only when 0 < Content-Length < 1 MiB, a chunked body only when it
 *    is under 1 MiB; a larger one is dropped silently and the request still runs with it
 *    (CVE-2026-34040: raw-oversize-create.json, raw-oversize-chunked-create.json);
 *  - Go removes Transfer-Encoding (and Content-Length, for chunked requests) from the headers
 *    the plugin sees (raw-chunked-privileged-create.json), so "chunked" itself is invisible:
 *    a withheld chunked body looks like a request with a JSON Content-Type, no
 *    Content-Length and no body, and is refused as such.
 * And dockerd's handlers read form parameters from an application/x-www-form-urlencoded
 * body, which is never forwarded: `POST /images/create?fromImage=allowed` with the form
 * body `fromImage=evil` pulls evil (raw-form-body-pull.json). So form bodies are refused on
 * every endpoint.
 */
export interface BodyCheck {
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer | undefined;
  /** What the route needs, if it reads its body at all. */
  readonly need: BodyNeed | undefined;
  readonly maxBodyBytes: number;
}

const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data']);

/** The media type of a Content-Type value, lower-cased, without parameters. */
export function mediaType(contentType: string | undefined): string | undefined {
  const t = contentType?.split(';')[0]?.trim().toLowerCase();
  return t === '' ? undefined : t;
}

/** A reason to refuse the request, or undefined when its body is what dockerd will act on. */
export function checkBody({ headers, body, need, maxBodyBytes }: BodyCheck): string | undefined {
  const type = mediaType(headers.get('content-type'));
  if (type !== undefined && FORM_TYPES.has(type)) return `a ${type} body is never shown to the plugin, yet dockerd reads request parameters from it`;
  const rawLength = headers.get('content-length');
  if (rawLength !== undefined && !/^\d{1,15}$/.test(rawLength)) return `Content-Length "${rawLength.slice(0, 40)}" is not a number`;
  const length = rawLength === undefined ? undefined : Number(rawLength);
  const got = body?.length ?? 0;
  if (got > maxBodyBytes) return `the body has ${got} bytes, over the ${maxBodyBytes}-byte limit`;
  if (body !== undefined && length !== undefined && got !== length) {
    return `the body has ${got} bytes but Content-Length says ${length}: truncated or padded`;
  }
  if (need === undefined) return undefined;
  if (length !== undefined && length > maxBodyBytes) return `Content-Length ${length} is over the ${maxBodyBytes}-byte limit; dockerd did not forward the body`;
  if (got > 0) return undefined;
  if (length !== undefined && length > 0) return `Content-Length is ${length} but dockerd forwarded no body (over its 1 MiB limit, or not application/json)`;
  if (need === 'required') return 'this endpoint needs a JSON body and the request has none';
  // Optional: only a request that says it has no body passes. A JSON Content-Type without
  // Content-Length is the shape of a chunked body dockerd withheld.
  if (length === undefined && type !== undefined) return 'the request has a Content-Type but neither a Content-Length nor a body (a withheld chunked body?)';
  return undefined;
}

/**
 * Request headers keyed by lower-cased name. dockerd sends Go's canonical names, one value
 * each; two names that differ only in case cannot come from it, so they refuse the request.
 */
export function headerMap(headers: Readonly<Record<string, string>> | null | undefined): Map<string, string> | string {
  const map = new Map<string, string>();
  for (const [k, v] of Object.entries(headers ?? {})) {
    const key = k.toLowerCase();
    if (map.has(key)) return `the header ${k} appears twice`;
    map.set(key, v);
  }
  return map;
}
