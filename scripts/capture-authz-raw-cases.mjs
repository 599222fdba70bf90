/**
 * Hand-made HTTP requests that scripts/capture-authz-fixtures.mjs sends byte for byte to the
 * capture dockerd, to record which of them reach the AuthZ plugin and with what body:
 * the CVE-2024-41110 and CVE-2026-34040 shapes, path and query tricks, and a form body that
 * dockerd's handlers would read but never forward. Each `bytes(image)` is the whole request.
 */
const json = (o) => Buffer.from(JSON.stringify(o));
const privileged = (image) => ({ Image: image, Cmd: ['true'], HostConfig: { Privileged: true, NetworkMode: 'none' } });

function request(line, headers, body) {
  const head = [line, 'Host: docker', 'Connection: close', ...headers].join('\r\n');
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), body ?? Buffer.alloc(0)]);
}
const withLength = (line, type, body) => request(line, [`Content-Type: ${type}`, `Content-Length: ${body.length}`], body);
const chunked = (line, body) => {
  const framed = Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
  return request(line, ['Content-Type: application/json', 'Transfer-Encoding: chunked'], framed);
};
// Padding in a label pushes a privileged create over dockerd's 1 MiB forwarding limit.
const oversized = (image) => json({ ...privileged(image), Labels: { pad: 'x'.repeat(1024 * 1024 + 16) } });

export const RAW_CASES = [
  { id: 'chunked-privileged-create', note: 'POST /containers/create, Transfer-Encoding: chunked, privileged body (CVE-2024-41110 shape)', bytes: (i) => chunked('POST /v1.41/containers/create HTTP/1.1', json(privileged(i))) },
  { id: 'cl0-privileged-create', note: 'POST /containers/create with Content-Length: 0 and the privileged body sent after it anyway', bytes: (i) => Buffer.concat([request('POST /v1.41/containers/create HTTP/1.1', ['Content-Type: application/json', 'Content-Length: 0']), json(privileged(i))]) },
  { id: 'no-body-create', note: 'POST /containers/create without any body or Content-Type', bytes: () => request('POST /v1.41/containers/create HTTP/1.1', ['Content-Length: 0']) },
  { id: 'charset-create', note: 'POST /containers/create with Content-Type: application/json; charset=utf-8', bytes: (i) => withLength('POST /v1.41/containers/create HTTP/1.1', 'application/json; charset=utf-8', json(privileged(i))) },
  { id: 'text-plain-create', note: 'POST /containers/create with Content-Type: text/plain and a JSON body', bytes: (i) => withLength('POST /v1.41/containers/create HTTP/1.1', 'text/plain', json(privileged(i))) },
  { id: 'auth-suffix-create', note: 'POST /containers/create?x=/auth: does the /auth exception (no body for /auth) look at the query too? (it does not)', bytes: (i) => withLength('POST /v1.41/containers/create?x=/auth HTTP/1.1', 'application/json', json(privileged(i))) },
  { id: 'oversize-create', note: 'POST /containers/create, privileged body over 1 MiB with Content-Length (CVE-2026-34040 shape)', bytes: (i) => withLength('POST /v1.41/containers/create HTTP/1.1', 'application/json', oversized(i)) },
  { id: 'oversize-chunked-create', note: 'POST /containers/create, privileged body over 1 MiB, chunked', bytes: (i) => chunked('POST /v1.41/containers/create HTTP/1.1', oversized(i)) },
  { id: 'toplevel-hostconfig-create', note: 'POST /containers/create with Privileged at the top level (no HostConfig key): dockerd reads the deprecated embedded HostConfig', bytes: (i) => withLength('POST /v1.41/containers/create HTTP/1.1', 'application/json', json({ Image: i, Cmd: ['true'], Privileged: true, NetworkMode: 'none' })) },
  { id: 'lowercase-keys-create', note: 'POST /containers/create with lower-case JSON keys (Go matches struct fields case-insensitively)', bytes: (i) => withLength('POST /v1.41/containers/create HTTP/1.1', 'application/json', json({ image: i, cmd: ['true'], hostconfig: { privileged: true, networkmode: 'none' } })) },
  { id: 'percent-slash-create', note: 'POST /v1.41/containers%2Fcreate (an encoded slash)', bytes: (i) => withLength('POST /v1.41/containers%2Fcreate HTTP/1.1', 'application/json', json({ Image: i, Cmd: ['true'], HostConfig: { NetworkMode: 'none' } })) },
  { id: 'dotdot-path', note: 'GET /v1.41/containers/x/../json', bytes: () => request('GET /v1.41/containers/x/../json HTTP/1.1', []) },
  { id: 'encoded-dotdot-path', note: 'GET /v1.41/containers/x%2F..%2Fjson', bytes: () => request('GET /v1.41/containers/x%2F..%2Fjson HTTP/1.1', []) },
  { id: 'double-slash-path', note: 'GET /v1.41//containers/json', bytes: () => request('GET /v1.41//containers/json HTTP/1.1', []) },
  { id: 'trailing-slash-path', note: 'GET /v1.41/info/', bytes: () => request('GET /v1.41/info/ HTTP/1.1', []) },
  { id: 'slash-in-name', note: 'GET /v1.41/containers/a/b/json (a name with a slash)', bytes: () => request('GET /v1.41/containers/a/b/json HTTP/1.1', []) },
  { id: 'lowercase-method', note: 'get /v1.41/info', bytes: () => request('get /v1.41/info HTTP/1.1', []) },
  { id: 'absolute-form', note: 'GET http://docker/v1.41/info (absolute-form request target)', bytes: () => request('GET http://docker/v1.41/info HTTP/1.1', []) },
  { id: 'hash-in-target', note: 'GET /v1.41/info#x', bytes: () => request('GET /v1.41/info#x HTTP/1.1', []) },
  { id: 'nul-in-name', note: 'GET /v1.41/containers/a%00b/json', bytes: () => request('GET /v1.41/containers/a%00b/json HTTP/1.1', []) },
  { id: 'semicolon-query', note: 'GET /v1.41/containers/json?all=1;limit=2', bytes: () => request('GET /v1.41/containers/json?all=1;limit=2 HTTP/1.1', []) },
  { id: 'future-version', note: 'GET /v9.99/info (a version dockerd does not speak)', bytes: () => request('GET /v9.99/info HTTP/1.1', []) },
  { id: 'unversioned', note: 'GET /info without a version prefix', bytes: () => request('GET /info HTTP/1.1', []) },
  { id: 'unknown-endpoint', note: 'GET /v1.41/nosuch (no route)', bytes: () => request('GET /v1.41/nosuch HTTP/1.1', []) },
  { id: 'head-ping', note: 'HEAD /_ping', bytes: () => request('HEAD /_ping HTTP/1.1', []) },
  { id: 'options', note: 'OPTIONS /v1.41/containers/json (the CORS route)', bytes: () => request('OPTIONS /v1.41/containers/json HTTP/1.1', []) },
  {
    id: 'form-body-pull',
    note: 'POST /images/create?fromImage=capture/allowed with a form body fromImage=127.0.0.1:9/evil: dockerd reads the form body, the plugin never sees it',
    bytes: () => withLength('POST /v1.41/images/create?fromImage=capture%2Fallowed&tag=1 HTTP/1.1', 'application/x-www-form-urlencoded', Buffer.from('fromImage=127.0.0.1%3A9%2Fevil&tag=x')),
  },
];
