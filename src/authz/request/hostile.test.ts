import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_BODY_BYTES, parseAuthzRequest, parseAuthzResponse, type ParseOptions } from './parse.js';

/**
 * Hostile and malformed AuthZ requests → AUTHZ_REQUEST with a reason, never a crash, never
 * facts. Each case is a wire request as dockerd would shape it (canonical header names,
 * base64 body), changed in one way.
 */
const opts: ParseOptions = { maxBodyBytes: DEFAULT_MAX_BODY_BYTES };
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const PRIVILEGED = JSON.stringify({ Image: 'busybox', Cmd: ['true'], HostConfig: { Privileged: true } });

function wire(method: string, uri: string, body?: string | Buffer, headers: Record<string, string> = {}): Record<string, unknown> {
  const h: Record<string, string> = { 'User-Agent': 'Docker-Client/20.10.24+dfsg1 (linux)', ...headers };
  if (body !== undefined && !('Content-Length' in headers)) h['Content-Length'] = String(Buffer.byteLength(body));
  if (body !== undefined && !('Content-Type' in headers)) h['Content-Type'] = 'application/json';
  return { RequestMethod: method, RequestUri: uri, RequestHeaders: h, ...(body !== undefined ? { RequestBody: b64(body) } : {}) };
}
const create = (body?: string | Buffer, headers?: Record<string, string>) => wire('POST', '/v1.41/containers/create', body, headers);

function refused(raw: unknown, why: RegExp, o: ParseOptions = opts): void {
  const r = parseAuthzRequest(raw, o);
  expect(r.ok, JSON.stringify(r.ok && r.facts)).toBe(false);
  if (!r.ok) {
    expect(r.code).toBe('AUTHZ_REQUEST');
    expect(r.message).toMatch(why);
  }
}

function facts(raw: unknown, o: ParseOptions = opts) {
  const r = parseAuthzRequest(raw, o);
  if (!r.ok) throw new Error(r.message);
  return r.facts;
}

describe('missing, withheld and truncated bodies (CVE-2024-41110, CVE-2026-34040)', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['Content-Length 0, the privileged body never forwarded', { ...create(), RequestHeaders: { 'Content-Length': '0', 'Content-Type': 'application/json' } }, /needs a JSON body/],
    ['a create with no body and no headers', { RequestMethod: 'POST', RequestUri: '/v1.41/containers/create' }, /needs a JSON body/],
    ['RequestBody null', { ...create(PRIVILEGED), RequestBody: null }, /forwarded no body/],
    ['RequestBody empty', { ...create(PRIVILEGED), RequestBody: '' }, /forwarded no body/],
    ['Content-Length over 1 MiB and no body', { ...create(), RequestHeaders: { 'Content-Length': String(2 * 1024 * 1024), 'Content-Type': 'application/json' } }, /over the 1048576-byte limit/],
    ['a body over 1 MiB', create(Buffer.alloc(DEFAULT_MAX_BODY_BYTES + 1, 0x20)), /over the 1048576-byte limit/],
    ['Content-Length larger than the body', create(PRIVILEGED, { 'Content-Length': String(PRIVILEGED.length + 10) }), /truncated or padded/],
    ['Content-Length smaller than the body', create(PRIVILEGED, { 'Content-Length': '10' }), /truncated or padded/],
    ['truncated JSON', create(PRIVILEGED.slice(0, 40)), /not valid JSON/],
    ['a Content-Length that is not a number', create(PRIVILEGED, { 'Content-Length': '12, 12' }), /not a number/],
    ['a JSON Content-Type but neither length nor body, on an optional body', wire('POST', '/v1.41/commit?container=web', undefined, { 'Content-Type': 'application/json' }), /withheld chunked body/],
    ['text/plain with a length but no body (not forwarded)', create(undefined, { 'Content-Type': 'text/plain', 'Content-Length': '98' }), /forwarded no body/],
    ['an exec create without body', wire('POST', '/v1.41/containers/web/exec', undefined, { 'Content-Length': '0' }), /needs a JSON body/],
    ['a container update without body', wire('POST', '/v1.41/containers/web/update', undefined, { 'Content-Length': '0' }), /needs a JSON body/],
    ['a service create without body', wire('POST', '/v1.41/services/create', undefined, { 'Content-Length': '0' }), /needs a JSON body/],
    ['a plugin install whose privileges are not an array', wire('POST', '/v1.41/plugins/pull?remote=x', '{}'), /not a JSON array/],
    ['a form body (dockerd reads parameters from it)', wire('POST', '/v1.41/images/create?fromImage=ok', 'fromImage=evil', { 'Content-Type': 'application/x-www-form-urlencoded' }), /x-www-form-urlencoded/],
    ['a form Content-Type on a GET', wire('GET', '/v1.41/info', undefined, { 'Content-Type': 'Application/X-WWW-Form-Urlencoded; charset=utf-8' }), /x-www-form-urlencoded/],
    ['a multipart body', wire('POST', '/v1.41/build?t=x', undefined, { 'Content-Type': 'multipart/form-data; boundary=x' }), /multipart\/form-data/],
  ];
  it.each(cases)('refuses %s', (_, raw, why) => refused(raw, why));

  it('honours a configured limit both ways', () => {
    const big = JSON.stringify({ Image: 'busybox', Labels: { pad: 'x'.repeat(1_200_000) } });
    refused(create(big), /over the 1048576-byte limit/);
    expect(facts(create(big), { maxBodyBytes: 2 * 1024 * 1024 }).create?.image).toBe('busybox');
    refused(create(PRIVILEGED), /over the 16-byte limit/, { maxBodyBytes: 16 });
  });

  it('accepts bodiless requests where the body is optional or never read', () => {
    expect(facts(wire('POST', '/v1.41/commit?container=web', undefined, { 'Content-Length': '0' })).object).toBe('web');
    expect(facts(wire('POST', '/v1.41/commit?container=web', 'null')).action).toBe('container.commit');
    // docker import streams its tar chunked, text/plain: nothing to read, nothing withheld.
    expect(facts(wire('POST', '/v1.41/images/create?fromSrc=-&repo=x', undefined, { 'Content-Type': 'text/plain' })).action).toBe('image.import');
  });
});

describe('bodies dockerd would read differently', () => {
  const cases: [string, string, RegExp][] = [
    ['Privileged as a string', '{"Image":"b","HostConfig":{"Privileged":"true"}}', /Privileged/],
    ['CapAdd as a number', '{"Image":"b","HostConfig":{"CapAdd":5}}', /CapAdd/],
    ['Binds as a string', '{"Image":"b","HostConfig":{"Binds":"/:/host"}}', /Binds/],
    ['HostConfig as an array', '{"Image":"b","HostConfig":[]}', /HostConfig is not an object/],
    ['a Mounts entry that is not an object', '{"Image":"b","HostConfig":{"Mounts":[1]}}', /Mounts\[0\]/],
    ['no Image', '{"HostConfig":{}}', /Image is missing/],
    ['an exact duplicate key', '{"Image":"b","HostConfig":{"Privileged":false,"Privileged":true}}', /"Privileged" twice/],
    ['keys that Go folds into one field', '{"Image":"b","HostConfig":{"Privileged":false,"privileged":true}}', /both "Privileged" and "privileged"/],
    ['two HostConfig keys', '{"Image":"b","HostConfig":{},"hostconfig":{"Privileged":true}}', /both/],
    ['a second JSON value after the first', '{"Image":"b"} {"HostConfig":{"Privileged":true}}', /not valid JSON/],
    ['a byte order mark', '\uFEFF{"Image":"b"}', /not valid JSON/],
    ['an array body', '[{"Image":"b"}]', /not a JSON object/],
  ];
  it.each(cases)('refuses %s', (_, body, why) => refused(create(body), why));

  it('reads keys the way Go folds them, Kelvin sign and long s included', () => {
    const body = '{"image":"b","hostconfig":{"NetworKMode":"host","ſecurityOpt":["seccomp=unconfined"],"PRIVILEGED":true}}';
    const c = facts(create(body)).create;
    expect(c).toMatchObject({ privileged: true, hostNamespaces: ['network'], securityOpt: ['seccomp=unconfined'] });
  });

  it('refuses an exec create whose Cmd is a string (ExecConfig.Cmd is a []string)', () => {
    refused(wire('POST', '/v1.41/containers/web/exec', '{"Cmd":"sh"}'), /Cmd/);
  });
});

describe('malformed wire requests', () => {
  const cases: [string, unknown, RegExp][] = [
    ['null', null, /not a JSON object/],
    ['an array', [create(PRIVILEGED)], /not a JSON object/],
    ['no RequestUri', { RequestMethod: 'GET' }, /RequestUri/],
    ['no RequestMethod', { RequestUri: '/v1.41/info' }, /RequestMethod/],
    ['a body that is not base64', { ...create(PRIVILEGED), RequestBody: '{"Image":"b"}' }, /base64/],
    ['base64 without padding', { ...create('ab'), RequestBody: 'YWI' }, /base64/],
    ['base64url', { ...create('\xfb\xff'), RequestBody: '-_8=' }, /base64/],
    ['headers that are not strings', { ...create(PRIVILEGED), RequestHeaders: { 'Content-Length': 12 } }, /RequestHeaders/],
    ['a header twice in different case', create(PRIVILEGED, { 'content-length': String(PRIVILEGED.length) }), /appears twice/],
    ['huge headers', wire('GET', '/v1.41/info', undefined, { 'X-Pad': 'x'.repeat(300 * 1024) }), /header size limit/],
    ['an overlong URI', wire('GET', `/v1.41/containers/json?filters=${'a'.repeat(70 * 1024)}`), /longer than/],
    ['a status that is not a number', { ...wire('GET', '/v1.41/info'), ResponseStatusCode: '200' }, /ResponseStatusCode/],
    ['a lower-case method', wire('post', '/v1.41/containers/create', PRIVILEGED), /upper-case HTTP method/],
    // Never decoded (dockerd verified the certificate), so only their shape is checked.
    ['peer certificates that are not strings', { ...wire('GET', '/v1.41/info'), RequestPeerCertificates: [42] }, /RequestPeerCertificates/],
  ];
  it.each(cases)('refuses %s', (_, raw, why) => refused(raw, why));

  it('bounds the response body too, by its own limit', () => {
    const answer = { ...wire('GET', '/v1.41/containers/json'), ResponseStatusCode: 200, ResponseBody: b64('x'.repeat(3000)) };
    expect(parseAuthzResponse(answer, opts).ok).toBe(true);
    const r = parseAuthzResponse(answer, { ...opts, maxResponseBodyBytes: 1000 });
    expect(r.ok || r.message).toMatch(/ResponseBody is over the 1000-byte limit/);
  });

  it('refuses a response-phase payload the same way', () => {
    const r = parseAuthzResponse({ ...create(PRIVILEGED), RequestBody: '***' }, opts);
    expect(r.ok || r.message).toMatch(/base64/);
  });
});

describe('hostile request targets', () => {
  const refusedTargets: [string, string, RegExp][] = [
    ['GET', '/v1.41/containers/create/../x', /not clean/],
    ['POST', '/v1.41/containers/x/../create', /not clean/],
    ['GET', '/v1.41/containers/x%2F..%2Fjson', /not clean/],
    ['GET', '/v1.41//containers/json', /not clean/],
    ['GET', '/v1.41/./info', /not clean/],
    ['GET', '/v1.41/info/', /ends with a slash/],
    ['DELETE', '/v1.41/containers/web/', /ends with a slash/],
    ['GET', '/v1.41/info?x=%zz', /percent-encoded/],
    ['GET', '/v1.41/containers/%ff/json', /invalid UTF-8/],
    ['GET', '/v1.41/containers/%4/json', /percent-escape/],
    ['GET', '/v1.41/containers/a%00b/json', /control characters/],
    ['GET', '/v1.41/containers/a%0Ab/json', /control characters/],
    ['GET', '/v1.41/images/json?filters=%00', /NUL/],
    ['GET', '/v1.41/containers/json?all=1;limit=2', /";"/],
    ['GET', 'http://docker/v1.41/info', /origin-form/],
    ['OPTIONS', '*', /origin-form/],
    ['GET', '/v1.41/info x', /printable ASCII/],
    ['GET', '/v1.41/containers/é/json', /printable ASCII/],
  ];
  it.each(refusedTargets)('refuses %s %s', (method, uri, why) => refused(wire(method, uri), why));

  it('decodes an encoded slash the way dockerd routes it', () => {
    const f = facts(wire('POST', '/v1.41/containers%2Fcreate', PRIVILEGED));
    expect([f.action, f.path, f.create?.privileged]).toEqual(['container.create', '/containers/create', true]);
  });

  const unknown: [string, string][] = [
    ['GET', '/v1.41/nosuch'],
    ['PATCH', '/v1.41/info'],
    ['HEAD', '/v1.41/info'],
    ['GET', '/v1.41/info#x'],
    ['GET', '/v1.41/services/a/b'],
    ['GET', '/v1.41/debug/vars'],
    ['POST', '/v1.41/containers'],
  ];
  it.each(unknown)('calls %s %s unknown, for the policy to deny', (method, uri) => expect(facts(wire(method, uri)).action).toBe('unknown'));
});
