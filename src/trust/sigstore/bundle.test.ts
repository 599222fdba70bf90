// Sigstore bundles, verified offline: cosign's own key-based bundle (testdata), DSSE bundles,
// and a keyless (certificate) bundle whose CA, leaf certificate and RFC 3161 timestamp are made
// by openssl in the test, trusted through a TrustedRoot document.
import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleToJSON, toDSSEBundle, toMessageSignatureBundle } from '@sigstore/bundle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Digest } from '../../image/digest.js';
import { exec } from '../../../test/helpers/exec.js';
import { tmpDir, type TmpDir } from '../../../test/helpers/tmp.js';
import { parsePublicKey } from '../keys.js';
import { type BundleCheck, checkBundle, parseTrustedRoot } from './bundle.js';

const FIX = join(import.meta.dirname, '../testdata/cosign');
const manifest = readFileSync(join(FIX, 'image-manifest.json'));
const digest = sha256Digest(manifest);
const cosignKey = parsePublicKey(readFileSync(join(FIX, 'cosign.pub'), 'utf8'));
const cosignBundle = readFileSync(join(FIX, 'image-manifest.sigstore.json'), 'utf8');
const check = (over: Partial<BundleCheck> = {}): BundleCheck => ({ digest, keys: [cosignKey], manifest: async () => manifest, ...over });

/** DSSE pre-authentication encoding (https://github.com/secure-systems-lab/dsse/blob/master/protocol.md). */
const pae = (type: string, body: Buffer) => Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(type)} ${type} ${body.length} `), body]);

function dsseBundle(subjectHex: string, key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })) {
  const statement = Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'app', digest: { sha256: subjectHex } }], predicateType: 'https://example.com/p', predicate: {} }));
  const signature = sign('sha256', pae('application/vnd.in-toto+json', statement), key.privateKey);
  const text = JSON.stringify(bundleToJSON(toDSSEBundle({ artifact: statement, artifactType: 'application/vnd.in-toto+json', signature, keyHint: 'k' })));
  return { text, pub: parsePublicKey(key.publicKey.export({ type: 'spki', format: 'pem' }).toString()) };
}

describe('key-based bundles', () => {
  it('verifies cosign\'s message-signature bundle over the image manifest', async () => {
    expect(await checkBundle(cosignBundle, check(), 'b')).toEqual({ ok: true, verified: { keyId: cosignKey.keyId, digest } });
  });

  it('refuses it for another digest, with another key, or with its signature altered', async () => {
    expect(await checkBundle(cosignBundle, check({ digest: sha256Digest('x') }), 'b')).toMatchObject({ ok: false, keyMismatch: false, error: { message: expect.stringContaining('not about this image') } });
    const other = parsePublicKey(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'pem' }).toString());
    expect(await checkBundle(cosignBundle, check({ keys: [other] }), 'b')).toMatchObject({ ok: false, keyMismatch: true });
    const doc = JSON.parse(cosignBundle);
    const sig = Buffer.from(doc.messageSignature.signature, 'base64');
    sig.writeUInt8((sig.at(-1) ?? 0) ^ 1, sig.length - 1);
    doc.messageSignature.signature = sig.toString('base64');
    expect(await checkBundle(JSON.stringify(doc), check(), 'b')).toMatchObject({ ok: false, keyMismatch: true });
    // A manifest that is not the one digested (a lying registry) fails the signature too.
    expect(await checkBundle(cosignBundle, check({ manifest: async () => Buffer.from('{}') }), 'b')).toMatchObject({ ok: false });
  });

  it('verifies DSSE bundles whose in-toto subject is the image, and only those', async () => {
    const good = dsseBundle(digest.slice(7));
    expect(await checkBundle(good.text, check({ keys: [cosignKey, good.pub] }), 'b')).toEqual({ ok: true, verified: { keyId: good.pub.keyId, digest } });
    const elsewhere = dsseBundle('0'.repeat(64));
    expect(await checkBundle(elsewhere.text, check({ keys: [elsewhere.pub] }), 'b')).toMatchObject({ ok: false, error: { message: expect.stringContaining('no subject with digest') } });
    const doc = JSON.parse(good.text);
    doc.dsseEnvelope.payloadType = 'text/plain';
    expect(await checkBundle(JSON.stringify(doc), check({ keys: [good.pub] }), 'b')).toMatchObject({ ok: false, error: { message: expect.stringContaining('not an in-toto statement') } });
  });

  it('hostile bundles are SIGNATURE_INVALID, never a throw', async () => {
    const tooBig = JSON.stringify({ pad: 'x'.repeat(1024 * 1024) });
    const notDsse = JSON.parse(dsseBundle(digest.slice(7)).text);
    notDsse.dsseEnvelope.payload = Buffer.from('not json').toString('base64');
    const certJunk = JSON.parse(cosignBundle);
    certJunk.verificationMaterial = { certificate: { rawBytes: Buffer.from('junk').toString('base64') } };
    for (const text of ['', 'null', '{"mediaType":"nope"}', '[]', tooBig, JSON.stringify(notDsse), JSON.stringify(certJunk)]) {
      const res = await checkBundle(text, check({ trustedRoot: parseTrustedRoot(JSON.stringify({ mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1' })) }), 'b');
      expect(res.ok, text.slice(0, 40)).toBe(false);
      if (!res.ok) expect(res.error.code).toBe('SIGNATURE_INVALID');
    }
  });
});

describe('keyless bundles with a trusted root', () => {
  let dir: TmpDir;
  let root: string;
  let keyless: string;
  const ssl = (args: string[]) => exec('openssl', args, { cwd: dir.path });
  const der = (pem: string) => Buffer.from(readFileSync(join(dir.path, pem), 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64');

  beforeAll(async () => {
    dir = await tmpDir('trust-keyless');
    const p = (name: string) => join(dir.path, name);
    // A CA, a Fulcio-like leaf (email SAN, OIDC issuer extension) and a timestamping authority.
    await ssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/O=test/CN=test-ca', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    const issuerHex = Buffer.from('https://issuer.example').toString('hex');
    writeFileSync(p('leaf.ext'), `subjectAltName=email:dev@example.com\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\n1.3.6.1.4.1.57264.1.1=DER:${issuerHex}\n`);
    writeFileSync(p('tsa.ext'), 'keyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n');
    for (const name of ['leaf', 'tsa']) {
      await ssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/O=test/CN=${name}`]);
      await ssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', `${name}.ext`, '-out', `${name}.pem`]);
    }
    writeFileSync(p('tsa.cnf'), `[ tsa ]\ndefault_tsa = t\n[ t ]\ndir = ${dir.path}\nserial = ${p('tsaserial')}\nsigner_cert = ${p('tsa.pem')}\ncerts = ${p('ca.pem')}\nsigner_key = ${p('tsa.key')}\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha256\naccuracy = secs:1\nordering = yes\ntsa_name = no\ness_cert_id_chain = no\ness_cert_id_alg = sha256\n`);
    writeFileSync(p('tsaserial'), '01\n');
    // The leaf signs the manifest; the TSA timestamps that signature (what Sigstore timestamps).
    const signature = sign('sha256', manifest, readFileSync(p('leaf.key'), 'utf8'));
    writeFileSync(p('sig.bin'), signature);
    await ssl(['ts', '-query', '-data', 'sig.bin', '-sha256', '-cert', '-out', 'req.tsq']);
    await ssl(['ts', '-reply', '-config', 'tsa.cnf', '-queryfile', 'req.tsq', '-out', 'resp.tsr']);
    const bundle = bundleToJSON({
      ...toMessageSignatureBundle({ digest: Buffer.from(digest.slice(7), 'hex'), signature, certificate: der('leaf.pem') }),
      verificationMaterial: { content: { $case: 'certificate', certificate: { rawBytes: der('leaf.pem') } }, tlogEntries: [], timestampVerificationData: { rfc3161Timestamps: [{ signedTimestamp: readFileSync(p('resp.tsr')) }] } },
    });
    keyless = JSON.stringify(bundle);
    const chain = (...pems: string[]) => ({ certificates: pems.map((f) => ({ rawBytes: der(f).toString('base64') })) });
    root = JSON.stringify({
      mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
      tlogs: [],
      ctlogs: [],
      certificateAuthorities: [{ subject: { organization: 'test', commonName: 'test-ca' }, uri: 'https://ca.example', certChain: chain('ca.pem'), validFor: { start: '2020-01-01T00:00:00Z' } }],
      timestampAuthorities: [{ subject: { organization: 'test', commonName: 'tsa' }, certChain: chain('tsa.pem', 'ca.pem'), validFor: { start: '2020-01-01T00:00:00Z' } }],
    });
  });
  afterAll(async () => {
    await dir?.remove();
  });

  it('reports the certificate identity and issuer', async () => {
    const res = await checkBundle(keyless, check({ keys: [], trustedRoot: parseTrustedRoot(root) }), 'b');
    expect(res).toEqual({ ok: true, verified: { identity: 'dev@example.com', issuer: 'https://issuer.example', digest } });
  });

  it('fails without a trusted root, against another CA, or without the timestamp', async () => {
    expect(await checkBundle(keyless, check({ keys: [] }), 'b')).toMatchObject({ ok: false, error: { message: expect.stringContaining('needs a trusted root') } });
    const foreign = JSON.parse(root);
    foreign.certificateAuthorities[0].certChain = foreign.timestampAuthorities[0].certChain; // the TSA is not a CA for code signing
    foreign.certificateAuthorities[0].certChain.certificates = foreign.certificateAuthorities[0].certChain.certificates.slice(0, 1);
    expect(await checkBundle(keyless, check({ keys: [], trustedRoot: parseTrustedRoot(JSON.stringify(foreign)) }), 'b')).toMatchObject({ ok: false, keyMismatch: true });
    const untimed = JSON.parse(keyless);
    untimed.verificationMaterial.timestampVerificationData = { rfc3161Timestamps: [] };
    expect(await checkBundle(JSON.stringify(untimed), check({ keys: [], trustedRoot: parseTrustedRoot(root) }), 'b')).toMatchObject({ ok: false, error: { message: expect.stringContaining('timestamp') } });
  });

  it('rejects trusted roots that are not TrustedRoot documents', () => {
    for (const text of ['', '{}', '{"mediaType":"x"}', JSON.stringify({ mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1', certificateAuthorities: [{ certChain: { certificates: [] } }] })]) {
      expect(() => parseTrustedRoot(text)).toThrow(/not a valid Sigstore TrustedRoot/);
    }
  });
});
