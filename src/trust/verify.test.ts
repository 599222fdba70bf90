// Signing and verification against a real registry (Debian's docker-registry with token auth,
// so pushes need a pull,push token): every way an image's signatures can be wrong.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchRawManifest, fetchSmallBlob, openRepository, pushBlob, pushManifest } from '../image/registry/index.js';
import { pushImage, type RunningRegistry, startRegistry, writeOciLayout } from '../../test/helpers/registry.js';
import { tmpDirPool } from '../../test/helpers/tmp.js';
import type { SignatureFacts as PolicySignatureFacts } from '../policy/input.js';
import { OCI_MANIFEST, SignatureManifestSchema, signatureTag } from './cosign/format.js';
import { generateSigningKeyPair, parsePrivateKey, signImage, verifyImageSignatures } from './index.js';

const dirs = tmpDirPool('trust-verify');
let reg: RunningRegistry;
let creds: { insecure: true; username: string; password: string };
const ecdsa = generateSigningKeyPair();
const ed = generateKeyPairSync('ed25519');
const edPem = { priv: ed.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), pub: ed.publicKey.export({ type: 'spki', format: 'pem' }).toString() };
const stranger = generateSigningKeyPair();

/** Pushes a one-layer image whose content is `text` to `repoTag`; returns its manifest digest. */
async function push(repoTag: string, text: string): Promise<string> {
  const dir = await dirs.make();
  const { images } = await writeOciLayout(dir, 'v1', [{ layers: [{ files: { 'app/id.txt': text } }] }]);
  await pushImage(`oci:${dir}:v1`, reg, repoTag);
  return images[0]?.manifestDigest as string;
}

const ref = (repoTag: string) => `${reg.host}/${repoTag}`;
const verify = (repoTag: string, digest: string, keys: string[], extra: object = {}) => verifyImageSignatures(ref(repoTag), digest, { ...creds, publicKeys: keys, ...extra });

/** The signature manifest and its first payload, as stored. */
async function readSignature(repo: string, digest: string) {
  const { endpoint } = await openRepository(ref(repo), creds, 'pull,push');
  const raw = await fetchRawManifest(endpoint, signatureTag(digest), OCI_MANIFEST, {});
  const manifest = SignatureManifestSchema.parse(JSON.parse(raw?.bytes.toString() ?? 'null'));
  const layer = manifest.layers[0];
  if (!layer) throw new Error('no signature layer');
  const payload = await fetchSmallBlob(endpoint, layer.digest, layer.size, 'payload', {});
  return { endpoint, raw: raw?.bytes as Buffer, manifest, layer, payload };
}

beforeAll(async () => {
  reg = await startRegistry({ auth: 'token' });
  creds = { insecure: true, username: reg.username as string, password: reg.password as string };
});
afterAll(async () => {
  await reg?.stop();
  await dirs.removeAll();
});

describe('signing then verifying', () => {
  let digest: string;
  beforeAll(async () => {
    digest = await push('team/app:1', 'app one');
  });

  it('verifies a fresh ECDSA P-256 signature, by tag or by digest reference', async () => {
    const res = await signImage(ref('team/app:1'), parsePrivateKey(ecdsa.privateKeyPem), creds);
    expect(res).toMatchObject({ digest, added: true, signatures: 1, keyId: ecdsa.keyId, signatureRef: `${reg.host}/team/app:${signatureTag(digest)}` });
    // Typed as the policy engine declares the contract (src/policy/input.ts): it must fit as is.
    const facts: PolicySignatureFacts = await verify('team/app:1', digest, [ecdsa.publicKeyPem]);
    expect(facts).toEqual({ checked: true, verified: [{ keyId: ecdsa.keyId, digest }], errors: [] });
    expect((await verify(`team/app@${digest}`, digest, [ecdsa.publicKeyPem])).verified).toHaveLength(1);
    expect((await verifyImageSignatures(`registry:${ref('team/app:1')}`, digest, { ...creds, publicKeys: [ecdsa.publicKeyPem] })).verified).toHaveLength(1);
    // The stored payload is cosign's simple-signing document for this digest and repository.
    const { payload, layer } = await readSignature('team/app', digest);
    expect(JSON.parse(payload.toString())).toEqual({
      critical: { identity: { 'docker-reference': `${reg.host}/team/app` }, image: { 'docker-manifest-digest': digest }, type: 'cosign container image signature' },
      optional: null,
    });
    expect(layer.mediaType).toBe('application/vnd.dev.cosign.simplesigning.v1+json');
  });

  it('appends an Ed25519 signature like cosign, and does not duplicate an identical one', async () => {
    const signer = parsePrivateKey(edPem.priv);
    const added = await signImage(ref('team/app:1'), signer, { ...creds, annotations: { team: 'sec' } });
    expect(added).toMatchObject({ added: true, signatures: 2 });
    const again = await signImage(ref('team/app:1'), signer, { ...creds, annotations: { team: 'sec' } });
    expect(again).toMatchObject({ added: false, signatures: 2, signatureManifestDigest: added.signatureManifestDigest });
    const both = await verify('team/app:1', digest, [ecdsa.publicKeyPem, edPem.pub]);
    expect(both.verified.map((v) => v.keyId).sort()).toEqual([ecdsa.keyId, signer.keyId].sort());
    expect(both.errors).toEqual([]);
    // Only the Ed25519 key: one verifies, the other signature is someone else's and not an error.
    const onlyEd = await verify('team/app:1', digest, [edPem.pub]);
    expect(onlyEd).toEqual({ checked: true, verified: [{ keyId: signer.keyId, digest }], errors: [] });
  });

  it('fails with the wrong key', async () => {
    const facts = await verify('team/app:1', digest, [stranger.publicKeyPem]);
    expect(facts.checked).toBe(true);
    expect(facts.verified).toEqual([]);
    expect(facts.errors.map((e) => e.code)).toEqual(['SIGNATURE_INVALID', 'SIGNATURE_INVALID']);
    expect(facts.errors[0]?.message).toMatch(/does not verify with any of the 1 given key/);
  });

  it('reports an unsigned image as checked, with nothing verified and no error', async () => {
    const other = await push('team/unsigned:1', 'nobody signs me');
    expect(await verify('team/unsigned:1', other, [ecdsa.publicKeyPem])).toEqual({ checked: true, verified: [], errors: [] });
  });

  it('does not check at all without keys or a trusted root', async () => {
    expect(await verifyImageSignatures(ref('team/app:1'), digest, creds)).toEqual({ checked: false, verified: [], errors: [] });
  });
});

describe('attacks on signatures', () => {
  it('a signature copied onto another image fails: the signed digest is not the image digest', async () => {
    const signed = await push('shop/web:1', 'web one');
    await signImage(ref('shop/web:1'), parsePrivateKey(ecdsa.privateKeyPem), creds);
    const evil = await push('shop/web:evil', 'web evil');
    // The attacker replays the valid signature manifest under the other image's signature tag.
    const { endpoint, raw } = await readSignature('shop/web', signed);
    await pushManifest(endpoint, signatureTag(evil), raw, OCI_MANIFEST, {});
    const facts = await verify('shop/web:evil', evil, [ecdsa.publicKeyPem]);
    expect(facts.verified).toEqual([]);
    expect(facts.errors).toEqual([{ code: 'SIGNATURE_INVALID', message: expect.stringContaining(`was made for ${signed}, not for ${evil}`) }]);
  });

  it('a tag moved to an unsigned image resolves to that image, which has no signature', async () => {
    const signed = await push('shop/api:1', 'api one');
    await signImage(ref('shop/api:1'), parsePrivateKey(ecdsa.privateKeyPem), creds);
    const second = await push('shop/api:2', 'api two');
    await push('shop/api:1', 'api two'); // re-tag: :1 now names the second image
    const facts = await verify('shop/api:1', second, [ecdsa.publicKeyPem]);
    expect(facts).toEqual({ checked: true, verified: [], errors: [] });
    // Asking about the old digest through a reference pinned to the new one is refused.
    const pinned = await verify(`shop/api@${second}`, signed, [ecdsa.publicKeyPem]);
    expect(pinned.errors[0]?.message).toMatch(/pins sha256:.*but signatures for sha256:/);
  });

  it('an edited payload (re-pushed as a new layer blob) fails', async () => {
    const digest = await push('shop/db:1', 'db one');
    await signImage(ref('shop/db:1'), parsePrivateKey(ecdsa.privateKeyPem), creds);
    const { endpoint, manifest, layer, payload } = await readSignature('shop/db', digest);
    const edited = Buffer.from(payload.toString().replace('"optional":null', '"optional":{"approved":"yes"}'));
    expect(edited.equals(payload)).toBe(false);
    const blob = await pushBlob(endpoint, edited, {});
    const forged = { ...manifest, mediaType: OCI_MANIFEST, layers: [{ ...layer, digest: blob, size: edited.length }] };
    await pushManifest(endpoint, signatureTag(digest), Buffer.from(JSON.stringify(forged)), OCI_MANIFEST, {});
    const facts = await verify('shop/db:1', digest, [ecdsa.publicKeyPem]);
    expect(facts.verified).toEqual([]);
    expect(facts.errors).toEqual([{ code: 'SIGNATURE_INVALID', message: expect.stringMatching(/does not verify with any/) }]);
  });

  it('a signature for the same digest in another repository names that repository', async () => {
    const digest = await push('mirror/src:1', 'mirrored');
    await signImage(ref('mirror/src:1'), parsePrivateKey(ecdsa.privateKeyPem), creds);
    await push('mirror/dst:1', 'mirrored');
    const { raw, payload, layer } = await readSignature('mirror/src', digest);
    const dst = (await openRepository(ref('mirror/dst:1'), creds, 'pull,push')).endpoint;
    expect(await pushBlob(dst, payload, {})).toBe(layer.digest);
    const configDigest = SignatureManifestSchema.parse(JSON.parse(raw.toString())).config;
    const src = (await openRepository(ref('mirror/src:1'), creds, 'pull')).endpoint;
    await pushBlob(dst, await fetchSmallBlob(src, configDigest.digest, configDigest.size, 'config', {}), {});
    await pushManifest(dst, signatureTag(digest), raw, OCI_MANIFEST, {});
    const facts = await verify('mirror/dst:1', digest, [ecdsa.publicKeyPem]);
    expect(facts.errors[0]?.message).toContain(`names repository "${reg.host}/mirror/src"`);
    const accepted = await verify('mirror/dst:1', digest, [ecdsa.publicKeyPem], { acceptRepositories: [`${reg.host}/mirror/src`] });
    expect(accepted).toEqual({ checked: true, verified: [{ keyId: ecdsa.keyId, digest }], errors: [] });
  });
});

describe('storage failures', () => {
  it('a stopped registry is SIGNATURE_UNREACHABLE, not "unsigned"', async () => {
    const gone = await startRegistry();
    await gone.stop();
    const facts = await verifyImageSignatures(`${gone.host}/team/app:1`, `sha256:${'a'.repeat(64)}`, { insecure: true, publicKeys: [ecdsa.publicKeyPem], limits: { retries: 0 } });
    expect(facts.checked).toBe(false);
    expect(facts.verified).toEqual([]);
    expect(facts.errors.map((e) => e.code)).toEqual(['SIGNATURE_UNREACHABLE']);
  });

  it('refused credentials are SIGNATURE_UNREACHABLE too', async () => {
    const facts = await verifyImageSignatures(ref('team/app:1'), `sha256:${'b'.repeat(64)}`, { ...creds, password: 'wrong', publicKeys: [ecdsa.publicKeyPem] });
    expect(facts.errors.map((e) => e.code)).toEqual(['SIGNATURE_UNREACHABLE']);
    expect(facts.errors[0]?.message).toContain('(REGISTRY_AUTH)');
  });

  it('plain HTTP to a non-loopback registry is refused before any request', async () => {
    const facts = await verifyImageSignatures(`registry.example.com/app:1`, `sha256:${'c'.repeat(64)}`, { insecure: true, publicKeys: [ecdsa.publicKeyPem] });
    expect(facts.errors).toEqual([{ code: 'SIGNATURE_UNREACHABLE', message: expect.stringContaining('(REGISTRY_INSECURE)') }]);
  });
});
