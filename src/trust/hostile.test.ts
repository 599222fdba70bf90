// A lying registry on 127.0.0.1 serving signature data: whatever it sends, verification ends
// in recorded SIGNATURE_* errors (never a throw, a hang or an unbounded read).
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPayload, signatureTag } from './cosign/format.js';
import { generateSigningKeyPair, parsePrivateKey, verifyImageSignatures } from './index.js';
import { signPayload } from './keys.js';
import { parseReference } from '../image/registry/index.js';

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const DIGEST = sha('the image manifest');
const pair = generateSigningKeyPair();
const signer = parsePrivateKey(pair.privateKeyPem);
const FAST = { requestTimeoutMs: 1500, idleTimeoutMs: 500, retryBaseMs: 10, retries: 1 };

type Route = (res: ServerResponse, req: IncomingMessage) => void;
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** Serves `routes` by exact path; `/v2/` answers 200 and everything else 404. */
async function serve(routes: Record<string, Route>): Promise<string> {
  const server = createServer((req, res) => {
    const route = routes[req.url ?? ''];
    if (route) return route(res, req);
    if (req.url === '/v2/') return void res.writeHead(200).end('{}');
    res.writeHead(404).end();
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const json = (body: unknown, type = 'application/vnd.oci.image.manifest.v1+json'): Route => (res) => res.writeHead(200, { 'content-type': type }).end(typeof body === 'string' ? body : JSON.stringify(body));
const bytes = (body: Buffer): Route => (res) => res.writeHead(200, { 'content-length': body.length }).end(body);

function layer(payload: Buffer, signature: string | undefined, extra: object = {}) {
  return { mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', digest: sha(payload), size: payload.length, ...(signature !== undefined ? { annotations: { 'dev.cosignproject.cosign/signature': signature } } : {}), ...extra };
}
const sigManifest = (layers: object[]) => ({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha('{}'), size: 2 }, layers });
const sigPath = `/v2/app/manifests/${signatureTag(DIGEST)}`;
const blobPath = (b: Buffer) => `/v2/app/blobs/${sha(b)}`;
const sign = (payload: Buffer) => signPayload(signer, payload).toString('base64');

async function check(routes: Record<string, Route>, opts: object = {}) {
  const host = await serve(routes);
  return verifyImageSignatures(`${host}/app:v1`, DIGEST, { insecure: true, publicKeys: [pair.publicKeyPem], referrers: false, limits: FAST, ...opts });
}

describe('hostile signature storage', () => {
  it('sanity: an honest signature verifies', async () => {
    // The payload names the repository, host and port included, so it is made once the port is known.
    const routes: Record<string, Route> = {};
    const host = await serve(routes);
    const payload = buildPayload(parseReference(`${host}/app`), DIGEST);
    routes[sigPath] = json(sigManifest([layer(payload, sign(payload))]));
    routes[blobPath(payload)] = bytes(payload);
    const facts = await verifyImageSignatures(`${host}/app:v1`, DIGEST, { insecure: true, publicKeys: [pair.publicKeyPem], referrers: false, limits: FAST });
    expect(facts).toEqual({ checked: true, verified: [{ keyId: pair.keyId, digest: DIGEST }], errors: [] });
  });

  it('a signature manifest that is not JSON, or not a manifest, is SIGNATURE_INVALID', async () => {
    for (const body of ['{{{', '[]', JSON.stringify({ schemaVersion: 2, layers: 'x' }), JSON.stringify(sigManifest(Array.from({ length: 300 }, () => layer(Buffer.from('x'), 'AA==')))) ]) {
      const facts = await check({ [sigPath]: json(body) });
      expect(facts.checked).toBe(true);
      expect(facts.errors.map((e) => e.code)).toEqual(['SIGNATURE_INVALID']);
    }
  });

  it('a manifest whose Docker-Content-Digest lies is SIGNATURE_INVALID', async () => {
    const facts = await check({ [sigPath]: (res) => res.writeHead(200, { 'docker-content-digest': sha('other') }).end(JSON.stringify(sigManifest([]))) });
    expect(facts.errors).toEqual([{ code: 'SIGNATURE_INVALID', message: expect.stringContaining('DIGEST_MISMATCH') }]);
  });

  it('missing, non-base64 or oversized signature annotations are SIGNATURE_INVALID without fetching', async () => {
    const p = Buffer.from('{}');
    const facts = await check({ [sigPath]: json(sigManifest([layer(p, undefined), layer(p, 'not base64!'), layer(p, 'A'.repeat(9000)), layer(p, 'AA==', { size: 10_000_000 })])) });
    expect(facts.errors.map((e) => e.code)).toEqual(['SIGNATURE_INVALID', 'SIGNATURE_INVALID', 'SIGNATURE_INVALID', 'SIGNATURE_INVALID']);
    expect(facts.errors[3]?.message).toMatch(/too large/);
  });

  it('a payload blob whose bytes do not match its digest spoils that signature only', async () => {
    const payload = buildPayload(parseReference('127.0.0.1:1/app'), DIGEST);
    const facts = await check({ [sigPath]: json(sigManifest([layer(payload, sign(payload))])), [blobPath(payload)]: bytes(Buffer.from(payload.toString().replace('app', 'evil'))) });
    expect(facts.errors).toEqual([{ code: 'SIGNATURE_INVALID', message: expect.stringContaining('DIGEST_MISMATCH') }]);
  });

  it('a payload blob that never ends is cut off', async () => {
    const payload = Buffer.from('{"critical":{}}');
    const endless: Route = (res) => {
      res.writeHead(200);
      const timer = setInterval(() => res.write(Buffer.alloc(65536, 0x20)), 1);
      res.on('close', () => clearInterval(timer));
    };
    const facts = await check({ [sigPath]: json(sigManifest([layer(payload, sign(payload))])), [blobPath(payload)]: endless });
    expect(facts.errors.map((e) => e.code)).toEqual(['SIGNATURE_INVALID']);
  });

  it('payloads the trusted key signed but that are not cosign simple-signing documents', async () => {
    const docs = [
      Buffer.from('not json'),
      Buffer.from('{"critical":"x"}'),
      Buffer.from(JSON.stringify({ critical: { identity: { 'docker-reference': 'x/app' }, image: { 'docker-manifest-digest': DIGEST }, type: 'atomic container signature' } })),
      Buffer.from(JSON.stringify({ critical: { identity: { 'docker-reference': '::bad::' }, image: { 'docker-manifest-digest': DIGEST }, type: 'cosign container image signature' } })),
    ];
    const routes: Record<string, Route> = { [sigPath]: json(sigManifest(docs.map((d) => layer(d, sign(d))))) };
    for (const d of docs) routes[blobPath(d)] = bytes(d);
    const facts = await check(routes);
    expect(facts.verified).toEqual([]);
    const messages = facts.errors.map((e) => e.message);
    expect(messages).toHaveLength(4);
    expect(messages[0]).toMatch(/signed payload is not JSON$/);
    expect(messages[1]).toMatch(/signed payload is not a simple-signing document \(critical\)$/);
    expect(messages[2]).toMatch(/payload type is "atomic container signature", not "cosign container image signature"$/);
    expect(messages[3]).toMatch(/names repository "::bad::", not 127\.0\.0\.1:\d+\/app$/);
  });

  it('a registry that answers 5xx, or never answers, is SIGNATURE_UNREACHABLE', async () => {
    const down = await check({ [sigPath]: (res) => res.writeHead(503).end() });
    expect(down.errors.map((e) => e.code)).toEqual(['SIGNATURE_UNREACHABLE']);
    const silent = await check({ [sigPath]: () => undefined });
    expect(silent.errors.map((e) => e.code)).toEqual(['SIGNATURE_UNREACHABLE']);
    expect(silent.checked).toBe(false);
  });

  it('garbage referrers are ignored, a garbage attached bundle is SIGNATURE_INVALID', async () => {
    const bundle = Buffer.from('{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}');
    const artifact = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json', config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha('{}'), size: 2 }, layers: [{ mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json', digest: sha(bundle), size: bundle.length }] };
    const artifactBytes = Buffer.from(JSON.stringify(artifact));
    const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json', digest: sha(artifactBytes), size: artifactBytes.length }] };
    const junkIndex = await check({ [`/v2/app/referrers/${DIGEST}`]: json('not json', 'application/vnd.oci.image.index.v1+json') }, { referrers: true });
    expect(junkIndex).toEqual({ checked: true, verified: [], errors: [] });
    const facts = await check({
      [`/v2/app/referrers/${DIGEST}`]: json(index, 'application/vnd.oci.image.index.v1+json'),
      [`/v2/app/manifests/${sha(artifactBytes)}`]: json(artifact),
      [blobPath(bundle)]: bytes(bundle),
    }, { referrers: true });
    expect(facts.errors).toEqual([{ code: 'SIGNATURE_INVALID', message: expect.stringContaining('attached bundle 1 is not a valid Sigstore bundle') }]);
  });

  it('bad arguments become errors, never throws', async () => {
    const host = await serve({});
    const base = { insecure: true, limits: FAST };
    expect(await verifyImageSignatures(`${host}/app`, 'sha256:short', { ...base, publicKeys: [pair.publicKeyPem] })).toMatchObject({ checked: false, errors: [{ code: 'SIGNATURE_INVALID' }] });
    expect(await verifyImageSignatures('UPPER/Case', DIGEST, { ...base, publicKeys: [pair.publicKeyPem] })).toMatchObject({ checked: false, errors: [{ code: 'SIGNATURE_INVALID' }] });
    expect(await verifyImageSignatures(`${host}/app`, DIGEST, { ...base, publicKeys: ['garbage'] })).toMatchObject({ checked: false, errors: [{ code: 'SIGNATURE_INVALID', message: expect.stringContaining('public key 1') }] });
    expect(await verifyImageSignatures(`${host}/app`, DIGEST, { ...base, trustedRoot: '{"tlogs": 5}' })).toMatchObject({ checked: false, errors: [{ code: 'SIGNATURE_INVALID', message: expect.stringContaining('trusted root') }] });
    // One bad key among good ones: reported, and the good ones still used.
    const mixed = await verifyImageSignatures(`${host}/app`, DIGEST, { ...base, publicKeys: ['garbage', pair.publicKeyPem] });
    expect(mixed).toMatchObject({ checked: true, verified: [], errors: [{ code: 'SIGNATURE_INVALID' }] });
  });
});
