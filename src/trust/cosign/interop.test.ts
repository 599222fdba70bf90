// Interoperability with the real cosign. testdata/cosign/ holds what cosign v2.4.1 stored when
// it signed an image (scripts/fixtures/cosign/make-fixtures.sh); those checks run everywhere.
// When a cosign binary is present, live round trips run too: cosign verifies what we sign,
// and we verify what cosign signs, in the same signature manifest.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Digest } from '../../image/digest.js';
import { openRepository, parseReference, pushBlob, pushManifest } from '../../image/registry/index.js';
import { runCli } from '../../../test/helpers/cli.js';
import { exec } from '../../../test/helpers/exec.js';
import { pushImage, type RunningRegistry, startRegistry, writeOciLayout } from '../../../test/helpers/registry.js';
import { tmpDirPool } from '../../../test/helpers/tmp.js';
import { parsePrivateKey, parsePublicKey, signImage, verifyImageSignatures } from '../index.js';
import { verifyPayload } from '../keys.js';
import { signatureConfig } from '../sign.js';
import { buildPayload, OCI_MANIFEST, SignatureManifestSchema, signatureTag } from './format.js';

const FIX = join(import.meta.dirname, '../testdata/cosign');
const read = (name: string) => readFileSync(join(FIX, name));
const meta = JSON.parse(read('meta.json').toString()) as { repository: string; digest: string; signatures: number };
const sigManifest = SignatureManifestSchema.parse(JSON.parse(read('signature-manifest.json').toString()));
const cosignPub = read('cosign.pub').toString();
const edPub = read('ed25519.pub').toString();
const bundle = read('image-manifest.sigstore.json').toString();

function findCosign(): string | undefined {
  for (const candidate of [process.env.COSIGN, join(homedir(), 'go/bin/cosign'), '/usr/local/bin/cosign', '/usr/bin/cosign']) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  try {
    return execFileSync('sh', ['-c', 'command -v cosign'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}
const COSIGN = findCosign();

describe('cosign fixtures, offline', () => {
  it('our payload is byte for byte the one cosign signed', () => {
    const ref = parseReference(meta.repository);
    expect(buildPayload(ref, meta.digest).equals(read('payload-1.json'))).toBe(true);
    expect(buildPayload(ref, meta.digest, { fixture: 'ed25519' }).equals(read('payload-2.json'))).toBe(true);
    expect(sha256Digest(read('image-manifest.json'))).toBe(meta.digest);
  });

  it('our signature-image config is byte for byte cosign\'s', () => {
    expect(signatureConfig(sigManifest.layers.map((l) => l.digest)).equals(read('signature-config.json'))).toBe(true);
  });

  it('cosign\'s ECDSA and Ed25519 signatures verify with the matching key only', () => {
    const [ecLayer, edLayer] = sigManifest.layers;
    const sig = (l: typeof ecLayer) => Buffer.from(l?.annotations?.['dev.cosignproject.cosign/signature'] ?? '', 'base64');
    const ec = parsePublicKey(cosignPub);
    const ed = parsePublicKey(edPub);
    expect([ec.algorithm, ed.algorithm]).toEqual(['ecdsa-p256-sha256', 'ed25519']);
    expect(verifyPayload(ec, read('payload-1.json'), sig(ecLayer))).toBe(true);
    expect(verifyPayload(ed, read('payload-2.json'), sig(edLayer))).toBe(true);
    expect(verifyPayload(ed, read('payload-1.json'), sig(ecLayer))).toBe(false);
    expect(verifyPayload(ec, read('payload-2.json'), sig(ecLayer))).toBe(false);
  });
});

describe('cosign fixtures and live cosign against a real registry', () => {
  const dirs = tmpDirPool('trust-cosign');
  let reg: RunningRegistry;
  let repoRef: string;

  beforeAll(async () => {
    reg = await startRegistry();
    repoRef = `${reg.host}/fixtures/app`;
    // Replay exactly what cosign stored: the image, the payloads, the config and the manifest.
    const { endpoint } = await openRepository(repoRef, { insecure: true }, 'pull,push');
    for (const name of ['image-layer.tar.gz', 'image-config.json', 'signature-config.json', 'payload-1.json', 'payload-2.json']) await pushBlob(endpoint, read(name), {});
    await pushManifest(endpoint, 'v1', read('image-manifest.json'), OCI_MANIFEST, {});
    await pushManifest(endpoint, signatureTag(meta.digest), read('signature-manifest.json'), OCI_MANIFEST, {});
  });
  afterAll(async () => {
    await reg?.stop();
    await dirs.removeAll();
  });

  it('verifies cosign\'s stored signatures and its Sigstore bundle', async () => {
    const opts = { insecure: true, publicKeys: [cosignPub, edPub], acceptRepositories: [meta.repository] };
    const facts = await verifyImageSignatures(`${repoRef}:v1`, meta.digest, { ...opts, bundles: [bundle] });
    expect(facts.errors).toEqual([]);
    expect(facts.verified).toEqual([
      { keyId: parsePublicKey(cosignPub).keyId, digest: meta.digest },
      { keyId: parsePublicKey(edPub).keyId, digest: meta.digest },
      { keyId: parsePublicKey(cosignPub).keyId, digest: meta.digest },
    ]);
    // Replayed into another registry, the payload still names cosign's original repository.
    const strict = await verifyImageSignatures(`${repoRef}:v1`, meta.digest, { insecure: true, publicKeys: [cosignPub] });
    expect(strict.verified).toEqual([]);
    expect(strict.errors[0]?.message).toContain(`names repository "${meta.repository}"`);
    // The bundle binds the manifest digest: offered for another image it is refused.
    const other = await verifyImageSignatures(`${repoRef}:v1`, sha256Digest('another image'), { insecure: true, publicKeys: [cosignPub], bundles: [bundle] });
    expect(other.errors).toEqual([{ code: 'SIGNATURE_INVALID', message: expect.stringContaining('bundle 1 is not about this image') }]);
    const wrongKey = await verifyImageSignatures(`${repoRef}:v1`, meta.digest, { insecure: true, publicKeys: [edPub], bundles: [bundle], acceptRepositories: [meta.repository] });
    expect(wrongKey.verified).toHaveLength(1); // the Ed25519 layer; the ECDSA layer and bundle are someone else's
  });

  it('finds cosign\'s bundle attached as an OCI 1.1 referrer (the referrers tag schema of BUNDLE_SPEC.md)', async () => {
    const { endpoint } = await openRepository(`${reg.host}/attached/app`, { insecure: true }, 'pull,push');
    for (const name of ['image-layer.tar.gz', 'image-config.json']) await pushBlob(endpoint, read(name), {});
    await pushManifest(endpoint, 'v1', read('image-manifest.json'), OCI_MANIFEST, {});
    const bundleBytes = Buffer.from(bundle);
    const empty = Buffer.from('{}');
    const bundleType = 'application/vnd.dev.sigstore.bundle.v0.3+json';
    await pushBlob(endpoint, bundleBytes, {});
    await pushBlob(endpoint, empty, {});
    const artifact = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: bundleType,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256Digest(empty), size: 2 },
      layers: [{ mediaType: bundleType, digest: sha256Digest(bundleBytes), size: bundleBytes.length }],
      subject: { mediaType: OCI_MANIFEST, digest: meta.digest, size: read('image-manifest.json').length },
    }));
    const artifactDigest = await pushManifest(endpoint, sha256Digest(artifact), artifact, OCI_MANIFEST, {});
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ mediaType: OCI_MANIFEST, digest: artifactDigest, size: artifact.length, artifactType: bundleType }] }));
    await pushManifest(endpoint, meta.digest.replace(':', '-'), index, 'application/vnd.oci.image.index.v1+json', {});
    const facts = await verifyImageSignatures(`${reg.host}/attached/app:v1`, meta.digest, { insecure: true, publicKeys: [cosignPub] });
    expect(facts).toEqual({ checked: true, verified: [{ keyId: parsePublicKey(cosignPub).keyId, digest: meta.digest }], errors: [] });
    expect((await verifyImageSignatures(`${reg.host}/attached/app:v1`, meta.digest, { insecure: true, publicKeys: [cosignPub], referrers: false })).verified).toEqual([]);
  });

  it.skipIf(!COSIGN)('cosign verifies signatures made by portcullis sign (ECDSA and Ed25519), and we verify cosign\'s', async () => {
    const cosign = COSIGN as string;
    const dir = await dirs.make();
    const layout = await dirs.make();
    const { images } = await writeOciLayout(layout, 'v1', [{ layers: [{ files: { 'srv/interop': 'both tools sign me' } }] }]);
    const digest = images[0]?.manifestDigest as string;
    await pushImage(`oci:${layout}:v1`, reg, 'interop/app:v1');
    const ref = `${reg.host}/interop/app`;
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const ed = generateKeyPairSync('ed25519');
    writeFileSync(join(dir, 'ec.pub'), ec.publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(dir, 'ed.pub'), ed.publicKey.export({ type: 'spki', format: 'pem' }));
    await signImage(`${ref}:v1`, parsePrivateKey(ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()), { insecure: true });
    await signImage(`${ref}:v1`, parsePrivateKey(ed.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()), { insecure: true });

    const cosignVerify = (pub: string) =>
      exec(cosign, ['verify', '--key', pub, '--insecure-ignore-tlog', '--allow-insecure-registry', '--output', 'json', `${ref}@${digest}`], { timeoutMs: 60_000, env: { COSIGN_EXPERIMENTAL: '0' } });
    for (const pub of ['ec.pub', 'ed.pub']) {
      const out = JSON.parse((await cosignVerify(join(dir, pub))).stdout) as { critical: { image: Record<string, string> } }[];
      expect(out.map((s) => s.critical.image['docker-manifest-digest'])).toContain(digest);
    }

    // cosign appends its own signature to the manifest we made; both tools still agree.
    await exec(cosign, ['generate-key-pair'], { cwd: dir, env: { COSIGN_PASSWORD: 'interop' }, timeoutMs: 60_000 });
    await exec(cosign, ['sign', '--yes', '--key', join(dir, 'cosign.key'), '--tlog-upload=false', '--allow-insecure-registry', `${ref}@${digest}`], { env: { COSIGN_PASSWORD: 'interop' }, timeoutMs: 60_000 });
    const pems = ['ec.pub', 'ed.pub', 'cosign.pub'].map((f) => readFileSync(join(dir, f), 'utf8'));
    const facts = await verifyImageSignatures(`${ref}:v1`, digest, { insecure: true, publicKeys: pems });
    expect(facts).toEqual({ checked: true, verified: pems.map((p) => ({ keyId: parsePublicKey(p).keyId, digest })), errors: [] });
    await cosignVerify(join(dir, 'ec.pub'));
    // cosign refuses a key that signed nothing, like we do.
    const stranger = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    writeFileSync(join(dir, 'stranger.pub'), stranger.publicKey.export({ type: 'spki', format: 'pem' }));
    await expect(cosignVerify(join(dir, 'stranger.pub'))).rejects.toThrow(/no matching signatures/);
  });

  it.skipIf(!COSIGN)('key files cross over: cosign signs with a key portcullis generated, portcullis with a cosign.key', async () => {
    const cosign = COSIGN as string;
    const dir = await dirs.make();
    const layout = await dirs.make();
    const { images } = await writeOciLayout(layout, 'v1', [{ layers: [{ files: { 'srv/keys': 'key interop' } }] }]);
    const digest = images[0]?.manifestDigest as string;
    await pushImage(`oci:${layout}:v1`, reg, 'keys/app:v1');
    const ref = `${reg.host}/keys/app`;
    const gen = await runCli(['sign', '--generate-key', '--key-format', 'cosign', '--output-key', 'ours.key', '--output-pub', 'ours.pub'], { cwd: dir, env: { COSIGN_PASSWORD: 'pw1' } });
    expect(gen.code, gen.stderr).toBe(0);
    await exec(cosign, ['sign', '--yes', '--key', join(dir, 'ours.key'), '--tlog-upload=false', '--allow-insecure-registry', `${ref}@${digest}`], { env: { COSIGN_PASSWORD: 'pw1' }, timeoutMs: 60_000 });
    await exec(cosign, ['generate-key-pair'], { cwd: dir, env: { COSIGN_PASSWORD: 'pw2' }, timeoutMs: 60_000 });
    const signed = await runCli(['sign', `${ref}:v1`, '--key', 'cosign.key', '--insecure'], { cwd: dir, env: { COSIGN_PASSWORD: 'pw2' } });
    expect(signed.code, signed.stderr).toBe(0);
    const pems = ['ours.pub', 'cosign.pub'].map((f) => readFileSync(join(dir, f), 'utf8'));
    const facts = await verifyImageSignatures(`${ref}:v1`, digest, { insecure: true, publicKeys: pems });
    expect(facts).toEqual({ checked: true, verified: pems.map((p) => ({ keyId: parsePublicKey(p).keyId, digest })), errors: [] });
  });
});
