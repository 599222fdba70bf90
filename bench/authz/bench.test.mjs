// The bench's own pieces: `node --test bench/authz/`. The measurement itself needs root and
// dockerd (run.sh); these check what it computes from.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requestBytes, responseParser } from './load.mjs';
import { areaOf, windowProfile } from './profile.mjs';
import { latencySummary, quantile } from './stats.mjs';
import { buildMix, groupsYaml, SCENARIOS } from './workload.mjs';

test('nearest-rank quantiles', () => {
  const s = Float64Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(quantile(s, 0.5), 50);
  assert.equal(quantile(s, 0.99), 99);
  assert.equal(quantile(s, 1), 100);
  assert.ok(Number.isNaN(quantile(new Float64Array(0), 0.5)));
  assert.deepEqual(latencySummary(Float64Array.of(1, 2, 3, 4)), { n: 4, p50: 2, p90: 4, p99: 4, max: 4, mean: 2.5 });
});

test('the response parser frames by Content-Length across and within chunks', () => {
  const one = (body) => `HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.plugins.v1.2+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  const parse = responseParser();
  const text = one('{"Allow":true}') + one('{"Allow":false,"Msg":"[AUTHZ_DENIED] é"}');
  const bytes = Buffer.from(text);
  const got = [];
  for (let i = 0; i < bytes.length; i += 7) got.push(...parse(bytes.subarray(i, i + 7)));
  assert.deepEqual(
    got.map((r) => [r.status, JSON.parse(r.body).Allow]),
    [
      [200, true],
      [200, false],
    ],
  );
  assert.throws(() => responseParser()(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n')), /unframed/);
});

test('requests carry the exchange as JSON with its length', () => {
  const b = requestBytes('response', { RequestMethod: 'GET', RequestUri: '/_ping' });
  const [head, body] = b.toString().split('\r\n\r\n');
  assert.match(head, /^POST \/AuthZPlugin\.AuthZRes HTTP\/1\.1\r\n/);
  assert.match(head, new RegExp(`Content-Length: ${Buffer.byteLength(body)}`));
});

test('the mix: TLS users, the denials the policy implies and nothing after a denial', () => {
  const mix = buildMix();
  const denied = mix.filter((m) => !m.allow);
  assert.equal(denied.length, SCENARIOS.filter((s) => s.deny).reduce((n, s) => n + s.weight, 0));
  assert.ok(mix.every((m) => m.body.UserAuthNMethod === 'TLS' && m.body.User && m.body.RequestPeerCertificates?.length === 1));
  assert.ok(denied.every((m) => m.phase === 'request'));
  assert.deepEqual(denied.map((m) => `${m.body.User} ${m.body.RequestUri}`).sort(), ['dave /v1.41/containers/create', 'dave /v1.41/containers/create', 'mallory /_ping']);
  // Both phases are replayed, as dockerd asks about allowed requests' responses too.
  assert.ok(mix.filter((m) => m.phase === 'response').length > mix.length / 3);
});

test('the group file names the bench users and 2,000 more', () => {
  const y = groupsYaml(2000);
  assert.match(y, /^ {2}dave: \[devs\]$/m);
  assert.match(y, /^ {2}ci: \[ci-bot\]$/m);
  assert.doesNotMatch(y, /mallory/);
  assert.equal((y.match(/^ {2}user\d{5}:/gm) ?? []).length, 2000);
});

test('a profile window keeps only the samples inside it', () => {
  const prof = { startTime: 1000, endTime: 2000, nodes: [], samples: [1, 2, 3, 4], timeDeltas: [100, 100, 100, 100] };
  const w = windowProfile(prof, 1150, 1350);
  assert.deepEqual(w.samples, [2, 3]);
  assert.deepEqual(w.timeDeltas, [100, 100]);
});

test('profile areas', () => {
  assert.equal(areaOf('file:///work/main/bench/.work/authz/dist/src/authz/request/parse.js', 'toFacts'), 'src/authz/request');
  assert.equal(areaOf('file:///work/main/node_modules/zod/v4/core/schemas.js', 'x'), 'npm:zod');
  assert.equal(areaOf('node:internal/streams/readable', 'x'), 'node:streams/readable');
  assert.equal(areaOf('', '(garbage collector)'), '(gc)');
  assert.equal(areaOf('', 'RegExp: ^a$'), '(native) RegExp');
});
