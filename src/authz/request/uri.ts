import { posix } from 'node:path';

/**
 * The request target (`RequestUri`) as dockerd's router sees it, or a reason to refuse it.
 *
 * dockerd hands the plugin the raw, undecoded target, but routes on Go's decoded
 * `URL.Path` (gorilla/mux without UseEncodedPath): `/v1.41/containers%2Fcreate` IS a
 * container create (testdata/raw-percent-slash-create.json). So we decode exactly as Go's
 * url.ParseRequestURI does, then:
 *  - a decoded path that gorilla/mux's cleanPath would change (`//`, `/./`, `/../`, also
 *    when encoded as `%2F..%2F`) is refused: mux answers those with a 301 and never calls
 *    the plugin (raw-dotdot-path.json, raw-double-slash-path.json), so seeing one means
 *    something between dockerd and us differs, and we fail closed;
 *  - absolute-form targets (`http://host/v1.41/info`) reach the plugin with the whole URL
 *    (raw-absolute-form.json); no Docker client sends them, so they are refused;
 *  - control characters (NUL…) after decoding, raw bytes outside printable ASCII, invalid
 *    `%` escapes and invalid UTF-8 are refused (Go would 400 or 404 them);
 *  - a `;` in the query is refused: Go ≥ 1.17 rejects it, but only after authorization
 *    (raw-semicolon-query.json), and older parsers split on it: ambiguity, so no;
 *  - `#` has no special meaning in a request target (Go keeps it in the path), nor here;
 *  - `/v{version:[0-9.]+}` is stripped as dockerd's versionMatcher does; authorization runs
 *    before the version middleware (raw-future-version.json), so the version is recorded as
 *    sent, not validated.
 */
export interface RequestTarget {
  /** Decoded path without the version prefix: `/containers/create`. */
  readonly path: string;
  readonly apiVersion?: string;
  /** Decoded query, every value in order (Go's r.Form.Get reads the first). */
  readonly query: Readonly<Record<string, readonly string[]>>;
}

export type TargetResult = { readonly ok: true; readonly target: RequestTarget } | { readonly ok: false; readonly message: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });
const VERSIONED = /^\/v([0-9.]+)(\/.*)$/;

/** Percent-decoding as Go's url unescape: `%XX` only; `plus` turns `+` into space (query mode). */
function unescape(s: string, plus: boolean): string | undefined {
  if (!s.includes('%') && !(plus && s.includes('+'))) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else bytes.push(plus && c === 0x2b ? 0x20 : c);
  }
  try {
    return utf8.decode(Uint8Array.from(bytes));
  } catch {
    return undefined;
  }
}

/** url.ParseQuery, strict: any undecodable pair refuses the whole query (dockerd would 400). */
function parseQuery(raw: string): Record<string, string[]> | string {
  const query: Record<string, string[]> = Object.create(null);
  if (raw.includes(';')) return 'the query contains ";"';
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = unescape(eq < 0 ? pair : pair.slice(0, eq), true);
    const value = unescape(eq < 0 ? '' : pair.slice(eq + 1), true);
    if (key === undefined || value === undefined) return `the query pair "${pair.slice(0, 80)}" is not valid percent-encoded UTF-8`;
    if (key.includes('\0') || value.includes('\0')) return 'the query contains NUL';
    (query[key] ??= []).push(value);
  }
  return query;
}

/** gorilla/mux cleanPath: path.Clean, keeping one trailing slash. posix.normalize does the same for absolute paths. */
export function muxCleanPath(p: string): string {
  return posix.normalize(p);
}

export function parseRequestTarget(uri: string): TargetResult {
  // Go's server rejects CTL bytes in the request line; a space ends the target. Anything
  // outside printable ASCII must arrive percent-encoded from a real client.
  if (!/^[\x21-\x7e]+$/.test(uri)) return { ok: false, message: 'the request URI has characters outside printable ASCII' };
  if (!uri.startsWith('/')) return { ok: false, message: 'the request URI is not origin-form (absolute-form and * are refused)' };
  const q = uri.indexOf('?');
  const rawPath = q < 0 ? uri : uri.slice(0, q);
  const path = unescape(rawPath, false);
  if (path === undefined) return { ok: false, message: 'the request path has an invalid percent-escape or invalid UTF-8' };
  if (/[\x00-\x1f\x7f]/.test(path)) return { ok: false, message: 'the decoded request path contains control characters' };
  if (muxCleanPath(path) !== path) return { ok: false, message: `the decoded request path "${path.slice(0, 200)}" is not clean (//, /./ or /../); dockerd would redirect it` };
  const query = parseQuery(q < 0 ? '' : uri.slice(q + 1));
  if (typeof query === 'string') return { ok: false, message: query };
  const versioned = VERSIONED.exec(path);
  if (versioned?.[1] !== undefined && versioned[2] !== undefined) return { ok: true, target: { path: versioned[2], apiVersion: versioned[1], query } };
  return { ok: true, target: { path, query } };
}
