import { createPrivateKey, type KeyObject, randomBytes, scryptSync } from 'node:crypto';
import { secretbox } from '@noble/ciphers/salsa';
import { z } from 'zod';
import { PortcullisError } from '../../core/errors.js';

// Cosign's encrypted private key file (what `cosign generate-key-pair` writes): PEM type
// `ENCRYPTED SIGSTORE PRIVATE KEY` (older: `ENCRYPTED COSIGN PRIVATE KEY`) around the JSON of
// go-securesystemslib's `encrypted` package: scrypt derives a 32-byte key from the password,
// NaCl secretbox (XSalsa20-Poly1305) seals the PKCS#8 DER of the private key.
// https://github.com/secure-systems-lab/go-securesystemslib/blob/main/encrypted/encrypted.go

const PEM_TYPES = ['ENCRYPTED SIGSTORE PRIVATE KEY', 'ENCRYPTED COSIGN PRIVATE KEY'] as const;
const PEM_RE = /-----BEGIN (ENCRYPTED (?:SIGSTORE|COSIGN) PRIVATE KEY)-----([\s\S]*?)-----END \1-----/;
// cosign's parameters; reading accepts others within a memory bound (128·N·r bytes).
const WRITE_PARAMS = { N: 65536, r: 8, p: 1 } as const;
const MAX_SCRYPT_BYTES = 256 * 1024 * 1024;

const EncryptedKey = z.object({
  kdf: z.object({
    name: z.literal('scrypt'),
    params: z.object({ N: z.number().int().min(2), r: z.number().int().min(1).max(32), p: z.number().int().min(1).max(16) }),
    salt: z.string().max(1024),
  }),
  cipher: z.object({ name: z.literal('nacl/secretbox'), nonce: z.string().max(64) }),
  ciphertext: z.string().max(64 * 1024),
});

export function isCosignKeyFile(pem: string): boolean {
  return PEM_RE.test(pem);
}

const invalid = (why: string) => new PortcullisError('USAGE', `cosign private key: ${why}`);

function deriveKey(password: string, salt: Buffer, p: { N: number; r: number; p: number }): Buffer {
  // N must be a power of two; memory is 128·N·r bytes, which a hostile file must not choose freely.
  if ((p.N & (p.N - 1)) !== 0 || 128 * p.N * p.r > MAX_SCRYPT_BYTES) throw invalid(`scrypt parameters N=${p.N} r=${p.r} are out of bounds`);
  return scryptSync(Buffer.from(password, 'utf8'), salt, 32, { N: p.N, r: p.r, p: p.p, maxmem: MAX_SCRYPT_BYTES + 1024 * 1024 });
}

/** Decrypts a cosign key file with its password (cosign reads it from COSIGN_PASSWORD). */
export function decryptCosignKey(pem: string, password: string): KeyObject {
  const m = PEM_RE.exec(pem);
  if (!m) throw invalid('not an ENCRYPTED SIGSTORE PRIVATE KEY PEM block');
  let doc: z.infer<typeof EncryptedKey>;
  try {
    doc = EncryptedKey.parse(JSON.parse(Buffer.from((m[2] ?? '').replace(/\s/g, ''), 'base64').toString('utf8')));
  } catch {
    throw invalid('the PEM body is not the scrypt + nacl/secretbox JSON cosign writes');
  }
  const salt = Buffer.from(doc.kdf.salt, 'base64');
  const nonce = Buffer.from(doc.cipher.nonce, 'base64');
  if (nonce.length !== 24) throw invalid('the secretbox nonce is not 24 bytes');
  let der: Uint8Array;
  try {
    der = secretbox(deriveKey(password, salt, doc.kdf.params), nonce).open(Buffer.from(doc.ciphertext, 'base64'));
  } catch (err) {
    if (err instanceof PortcullisError) throw err;
    throw invalid('decryption failed (wrong password?)');
  }
  try {
    return createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  } catch {
    throw invalid('the decrypted key is not PKCS#8');
  }
}

/** Writes `key` in cosign's encrypted format, so `cosign sign --key` can use it (COSIGN_PASSWORD=password). */
export function encryptCosignKey(key: KeyObject, password: string): string {
  const salt = randomBytes(32);
  const nonce = randomBytes(24);
  const der = key.export({ type: 'pkcs8', format: 'der' });
  const sealed = secretbox(deriveKey(password, salt, WRITE_PARAMS), nonce).seal(der);
  const body = JSON.stringify({
    kdf: { name: 'scrypt', params: WRITE_PARAMS, salt: salt.toString('base64') },
    cipher: { name: 'nacl/secretbox', nonce: nonce.toString('base64') },
    ciphertext: Buffer.from(sealed).toString('base64'),
  });
  const lines = Buffer.from(body).toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${PEM_TYPES[0]}-----\n${lines.join('\n')}\n-----END ${PEM_TYPES[0]}-----\n`;
}
