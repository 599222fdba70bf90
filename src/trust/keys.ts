import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { PortcullisError } from '../core/errors.js';
import { decryptCosignKey, encryptCosignKey, isCosignKeyFile } from './cosign/keyfile.js';

/**
 * Signature schemes cosign uses with `--key`: ECDSA P-256 over SHA-256 with ASN.1 DER
 * signatures (cosign's default, SIGNATURE_SPEC.md "Signature Schemes") and pure Ed25519.
 */
export type KeyAlgorithm = 'ecdsa-p256-sha256' | 'ed25519';

export interface PublicKeyInfo {
  readonly key: KeyObject;
  readonly algorithm: KeyAlgorithm;
  /** `sha256:<hex>` of the SPKI DER encoding: stable across PEM spellings. */
  readonly keyId: string;
}

export interface SigningKey extends PublicKeyInfo {
  readonly privateKey: KeyObject;
}

/** Refuses PEM text this large before parsing it: a key is a few hundred bytes. */
const MAX_PEM_CHARS = 64 * 1024;

export function keyId(key: KeyObject): string {
  return `sha256:${createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('hex')}`;
}

function algorithmOf(key: KeyObject, label: string): KeyAlgorithm {
  if (key.asymmetricKeyType === 'ed25519') return 'ed25519';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ecdsa-p256-sha256';
  const curve = key.asymmetricKeyDetails?.namedCurve;
  throw new PortcullisError('USAGE', `${label} is a ${key.asymmetricKeyType}${curve ? ` ${curve}` : ''} key; only ECDSA P-256 and Ed25519 keys are supported`);
}

/** Parses a PEM public key (SPKI `PUBLIC KEY`); USAGE for anything else. */
export function parsePublicKey(pem: string, label = 'public key'): PublicKeyInfo {
  if (typeof pem !== 'string' || pem.length > MAX_PEM_CHARS || !pem.includes('-----BEGIN PUBLIC KEY-----')) {
    throw new PortcullisError('USAGE', `${label} is not a PEM "PUBLIC KEY"`);
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (err) {
    throw new PortcullisError('USAGE', `${label} cannot be parsed: ${(err as Error).message}`);
  }
  return { key, algorithm: algorithmOf(key, label), keyId: keyId(key) };
}

/**
 * Parses a PEM private key: PKCS#8 (`PRIVATE KEY`, or `ENCRYPTED PRIVATE KEY` with a
 * passphrase), SEC1 (`EC PRIVATE KEY`), or cosign's own encrypted file (`ENCRYPTED SIGSTORE
 * PRIVATE KEY`, as `cosign generate-key-pair` writes it; an absent password is tried as empty,
 * as cosign does).
 */
export function parsePrivateKey(pem: string, passphrase?: string, label = 'private key'): SigningKey {
  if (typeof pem !== 'string' || pem.length > MAX_PEM_CHARS) throw new PortcullisError('USAGE', `${label} is not a PEM private key`);
  let privateKey: KeyObject;
  if (isCosignKeyFile(pem)) {
    try {
      privateKey = decryptCosignKey(pem, passphrase ?? '');
    } catch (err) {
      const hint = passphrase === undefined ? ' (it is encrypted: give its password)' : '';
      throw new PortcullisError('USAGE', `${label} cannot be read${hint}: ${(err as Error).message}`);
    }
  } else {
    try {
      privateKey = createPrivateKey({ key: pem, format: 'pem', ...(passphrase !== undefined ? { passphrase } : {}) });
    } catch (err) {
      throw new PortcullisError('USAGE', `${label} cannot be parsed${pem.includes('ENCRYPTED') && passphrase === undefined ? ' (it is encrypted: give its password)' : ''}: ${(err as Error).message}`);
    }
  }
  const key = createPublicKey(privateKey);
  return { key, privateKey, algorithm: algorithmOf(key, label), keyId: keyId(key) };
}

/** Signs `payload` the way cosign does for this key type. */
export function signPayload(signer: SigningKey, payload: Buffer): Buffer {
  if (signer.algorithm === 'ed25519') return sign(null, payload, signer.privateKey);
  return sign('sha256', payload, { key: signer.privateKey, dsaEncoding: 'der' });
}

/** Whether `signature` over `payload` verifies with `pub`; malformed signatures are simply false. */
export function verifyPayload(pub: PublicKeyInfo, payload: Buffer, signature: Buffer): boolean {
  try {
    if (pub.algorithm === 'ed25519') return verify(null, payload, pub.key, signature);
    return verify('sha256', payload, { key: pub.key, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}

/**
 * A new ECDSA P-256 pair as PEM: the public key as SPKI (what `cosign verify --key` reads),
 * the private key as PKCS#8, or in cosign's encrypted format when `cosignPassword` is given
 * (what `cosign sign --key` reads, with COSIGN_PASSWORD set to it).
 */
export function generateSigningKeyPair(opts: { cosignPassword?: string } = {}): { privateKeyPem: string; publicKeyPem: string; keyId: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    privateKeyPem: opts.cosignPassword !== undefined ? encryptCosignKey(privateKey, opts.cosignPassword) : privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: keyId(publicKey),
  };
}
