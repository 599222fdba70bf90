import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPortcullisError } from '../core/errors.js';
import { generateSigningKeyPair, parsePrivateKey, parsePublicKey, signPayload, verifyPayload } from './keys.js';

const payload = Buffer.from('{"critical":{}}');

function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(isPortcullisError(err, 'USAGE')).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected a USAGE error');
}

describe('signing keys', () => {
  it('round-trips ECDSA P-256 (DER signatures) and Ed25519', () => {
    const ec = generateSigningKeyPair();
    const ecSigner = parsePrivateKey(ec.privateKeyPem);
    expect(ecSigner.algorithm).toBe('ecdsa-p256-sha256');
    expect(ecSigner.keyId).toBe(ec.keyId);
    const sig = signPayload(ecSigner, payload);
    expect(sig[0]).toBe(0x30); // ASN.1 SEQUENCE, as Go's ecdsa.SignASN1 writes
    const pub = parsePublicKey(ec.publicKeyPem);
    expect(pub.keyId).toBe(ec.keyId);
    expect(verifyPayload(pub, payload, sig)).toBe(true);

    const ed = generateKeyPairSync('ed25519');
    const edSigner = parsePrivateKey(ed.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    expect(edSigner.algorithm).toBe('ed25519');
    const edSig = signPayload(edSigner, payload);
    expect(edSig).toHaveLength(64);
    expect(verifyPayload(parsePublicKey(ed.publicKey.export({ type: 'spki', format: 'pem' }).toString()), payload, edSig)).toBe(true);
  });

  it('rejects altered payloads, other keys and malformed signatures without throwing', () => {
    const a = generateSigningKeyPair();
    const b = generateSigningKeyPair();
    const sig = signPayload(parsePrivateKey(a.privateKeyPem), payload);
    const pubA = parsePublicKey(a.publicKeyPem);
    expect(verifyPayload(pubA, Buffer.from('{"critical":{ }}'), sig)).toBe(false);
    expect(verifyPayload(parsePublicKey(b.publicKeyPem), payload, sig)).toBe(false);
    for (const bad of [Buffer.alloc(0), Buffer.from('garbage'), Buffer.alloc(70, 0x30), Buffer.alloc(100_000, 1)]) {
      expect(verifyPayload(pubA, payload, bad)).toBe(false);
    }
  });

  it('reads SEC1 and encrypted PKCS#8 private keys; a key is the same whatever its PEM', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const sec1 = privateKey.export({ type: 'sec1', format: 'pem' }).toString();
    const enc = privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }).toString();
    const id = parsePublicKey(publicKey.export({ type: 'spki', format: 'pem' }).toString()).keyId;
    expect(parsePrivateKey(sec1).keyId).toBe(id);
    expect(parsePrivateKey(enc, 'pw').keyId).toBe(id);
    expect(usageError(() => parsePrivateKey(enc))).toMatch(/encrypted: give its password/);
    expect(usageError(() => parsePrivateKey(enc, 'wrong'))).toMatch(/cannot be parsed/);
  });

  it('refuses key types cosign --key does not default to, and anything that is not a key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(usageError(() => parsePublicKey(rsa))).toMatch(/rsa key; only ECDSA P-256 and Ed25519/);
    expect(usageError(() => parsePublicKey(p384))).toMatch(/ec secp384r1 key/);
    expect(usageError(() => parsePublicKey(''))).toMatch(/not a PEM "PUBLIC KEY"/);
    expect(usageError(() => parsePublicKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'))).toMatch(/cannot be parsed/);
    expect(usageError(() => parsePublicKey(`-----BEGIN PUBLIC KEY-----\n${'A'.repeat(100_000)}`))).toMatch(/not a PEM/);
    expect(usageError(() => parsePublicKey(42 as unknown as string))).toMatch(/not a PEM/);
    // A private key is not accepted where a public key is expected.
    expect(usageError(() => parsePublicKey(generateSigningKeyPair().privateKeyPem))).toMatch(/not a PEM "PUBLIC KEY"/);
    expect(usageError(() => parsePrivateKey('not a key'))).toMatch(/cannot be parsed/);
  });
});

describe("cosign's encrypted key file", () => {
  const FIX = join(import.meta.dirname, 'testdata/cosign');
  const cosignKey = readFileSync(join(FIX, 'cosign-fixture.key'), 'utf8');
  const cosignPub = readFileSync(join(FIX, 'cosign.pub'), 'utf8');

  it('reads the key cosign generate-key-pair wrote, with its password only', () => {
    const signer = parsePrivateKey(cosignKey, 'fixture');
    expect(signer.keyId).toBe(parsePublicKey(cosignPub).keyId);
    expect(verifyPayload(parsePublicKey(cosignPub), payload, signPayload(signer, payload))).toBe(true);
    expect(usageError(() => parsePrivateKey(cosignKey, 'wrong'))).toMatch(/decryption failed \(wrong password\?\)/);
    expect(usageError(() => parsePrivateKey(cosignKey))).toMatch(/it is encrypted: give its password/);
  });

  it('writes the format it reads (ECDSA P-256, scrypt N=65536 like cosign)', () => {
    const pair = generateSigningKeyPair({ cosignPassword: 'pw' });
    expect(pair.privateKeyPem).toMatch(/^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n/);
    const doc = JSON.parse(Buffer.from(pair.privateKeyPem.replace(/-----[^-]+-----|\s/g, ''), 'base64').toString());
    expect(doc).toMatchObject({ kdf: { name: 'scrypt', params: { N: 65536, r: 8, p: 1 } }, cipher: { name: 'nacl/secretbox' } });
    expect(parsePrivateKey(pair.privateKeyPem, 'pw').keyId).toBe(pair.keyId);
    // An empty password is a password, as in cosign.
    const empty = generateSigningKeyPair({ cosignPassword: '' });
    expect(parsePrivateKey(empty.privateKeyPem).keyId).toBe(empty.keyId);
  });

  it('refuses hostile key files without spending unbounded memory', () => {
    const wrap = (doc: unknown) => `-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n${Buffer.from(JSON.stringify(doc)).toString('base64')}\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n`;
    const base = { kdf: { name: 'scrypt', params: { N: 16, r: 8, p: 1 }, salt: 'AAAA' }, cipher: { name: 'nacl/secretbox', nonce: Buffer.alloc(24).toString('base64') }, ciphertext: 'AAAA' };
    expect(usageError(() => parsePrivateKey(wrap({ ...base, kdf: { ...base.kdf, params: { N: 2 ** 30, r: 8, p: 1 } } }), 'x'))).toMatch(/out of bounds/);
    expect(usageError(() => parsePrivateKey(wrap({ ...base, kdf: { ...base.kdf, params: { N: 1000, r: 8, p: 1 } } }), 'x'))).toMatch(/out of bounds/);
    expect(usageError(() => parsePrivateKey(wrap({ ...base, cipher: { ...base.cipher, nonce: 'AAAA' } }), 'x'))).toMatch(/nonce/);
    expect(usageError(() => parsePrivateKey(wrap(base), 'x'))).toMatch(/decryption failed/);
    expect(usageError(() => parsePrivateKey(wrap({ kdf: 'pbkdf2' }), 'x'))).toMatch(/not the scrypt \+ nacl\/secretbox JSON/);
    expect(usageError(() => parsePrivateKey('-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n!!!\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n', 'x'))).toMatch(/not the scrypt/);
  });
});
