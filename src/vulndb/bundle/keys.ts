import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import { PortcullisError } from '../../core/errors.js';
import { type BundleSignature, SIGNATURE_NAME, SignatureSchema } from './format.js';

/**
 * Ed25519 keys for offline bundles (RFC 8032 via node:crypto). Keys travel as PEM: PKCS#8 for
 * the private key, SPKI for the public one, the forms `openssl genpkey -algorithm ed25519`
 * and `openssl pkey -pubout` write, so either tool can make keys for the other.
 */
export interface KeyPairPem {
  readonly privateKey: string;
  readonly publicKey: string;
  /** `sha256:` of the public key's SPKI DER bytes. */
  readonly keyId: string;
}

/** A key given as PEM text or already as a KeyObject. */
export type KeyInput = string | Buffer | KeyObject;

/** Key files are a few hundred bytes; anything larger is not a key. */
const MAX_KEY_FILE = 64 * 1024;

export function generateKeyPair(): KeyPairPem {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: keyFingerprint(publicKey),
  };
}

/** Stable id of a key: sha256 of its public half in SPKI DER form. */
export function keyFingerprint(key: KeyInput): string {
  const pub = toPublicKey(key);
  return `sha256:${createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest('hex')}`;
}

/** An Ed25519 private key; BUNDLE_SIGNATURE when `key` is anything else. */
export function toPrivateKey(key: KeyInput): KeyObject {
  let obj: KeyObject;
  try {
    obj = typeof key === 'string' || Buffer.isBuffer(key) ? createPrivateKey(key) : key;
  } catch (err) {
    throw new PortcullisError('BUNDLE_SIGNATURE', `not a PEM private key: ${(err as Error).message}`, {}, { cause: err });
  }
  if (obj.type !== 'private' || obj.asymmetricKeyType !== 'ed25519') {
    throw new PortcullisError('BUNDLE_SIGNATURE', `bundles are signed with an Ed25519 private key, not a ${obj.asymmetricKeyType ?? 'secret'} ${obj.type} key`);
  }
  return obj;
}

/** An Ed25519 public key (the public half when given a private key); BUNDLE_SIGNATURE otherwise. */
export function toPublicKey(key: KeyInput): KeyObject {
  let obj: KeyObject;
  try {
    obj = typeof key === 'string' || Buffer.isBuffer(key) ? createPublicKey(key) : key.type === 'private' ? createPublicKey(key) : key;
  } catch (err) {
    throw new PortcullisError('BUNDLE_SIGNATURE', `not a PEM public key: ${(err as Error).message}`, {}, { cause: err });
  }
  if (obj.type !== 'public' || obj.asymmetricKeyType !== 'ed25519') {
    throw new PortcullisError('BUNDLE_SIGNATURE', `trusted bundle keys are Ed25519 public keys, not a ${obj.asymmetricKeyType ?? 'secret'} ${obj.type} key`);
  }
  return obj;
}

/** Reads a PEM key file (at most 64 KiB); BUNDLE_SIGNATURE when it cannot be read. */
export function readKeyFile(path: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buf = Buffer.alloc(MAX_KEY_FILE + 1);
    let n = 0;
    while (n < buf.length) {
      const r = readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
    }
    if (n > MAX_KEY_FILE) throw new Error(`larger than ${MAX_KEY_FILE} bytes`);
    return buf.subarray(0, n).toString('utf8');
  } catch (err) {
    throw new PortcullisError('BUNDLE_SIGNATURE', `cannot read key file ${path}: ${(err as Error).message}`, { path }, { cause: err });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The private key in `path` (for `db export --key FILE`). */
export function loadPrivateKey(path: string): KeyObject {
  try {
    return toPrivateKey(readKeyFile(path));
  } catch (err) {
    throw withPath(err, path);
  }
}

/** The public keys in `paths` (for `db import --trusted-key FILE`, repeatable). */
export function loadTrustedKeys(paths: readonly string[]): KeyObject[] {
  return paths.map((path) => {
    try {
      return toPublicKey(readKeyFile(path));
    } catch (err) {
      throw withPath(err, path);
    }
  });
}

/**
 * Writes a key pair for `db keygen`. The private key is created 0600 and neither file may exist
 * already (a keygen must never overwrite the key that signed bundles in the field).
 */
export function writeKeyPair(pair: KeyPairPem, paths: { readonly privateKeyPath: string; readonly publicKeyPath: string }): void {
  const write = (path: string, data: string, mode: number) => {
    try {
      writeFileSync(path, data, { flag: 'wx', mode });
    } catch (err) {
      throw new PortcullisError('OUTPUT_WRITE', `cannot write key file ${path}: ${(err as Error).message}`, { path }, { cause: err });
    }
  };
  write(paths.privateKeyPath, pair.privateKey, 0o600);
  write(paths.publicKeyPath, pair.publicKey, 0o644);
}

/** The bytes of `manifest.sig` for `manifest` (Ed25519 signs the message itself: no pre-hash). */
export function signManifest(manifest: Buffer, key: KeyInput, keyId?: string): Buffer {
  const priv = toPrivateKey(key);
  const sig: BundleSignature = { algorithm: 'ed25519', keyId: keyId ?? keyFingerprint(priv), signature: sign(null, manifest, priv).toString('base64') };
  return Buffer.from(`${JSON.stringify(sig)}\n`);
}

/**
 * Checks `manifest.sig` against every trusted key and returns the fingerprint of the one that
 * verifies. The signer's keyId is only echoed in messages: it is not signed and picks nothing.
 */
export function verifyManifest(manifest: Buffer, signatureFile: Buffer, trusted: readonly KeyObject[]): string {
  let parsed: BundleSignature;
  try {
    parsed = SignatureSchema.parse(JSON.parse(signatureFile.toString('utf8')));
  } catch (err) {
    throw new PortcullisError('BUNDLE_SIGNATURE', `${SIGNATURE_NAME} is not a valid signature file: ${(err as Error).message.slice(0, 200)}`, { entry: SIGNATURE_NAME }, { cause: err });
  }
  const signature = Buffer.from(parsed.signature, 'base64');
  for (const key of trusted) {
    if (verify(null, manifest, key, signature)) return keyFingerprint(key);
  }
  throw new PortcullisError('BUNDLE_SIGNATURE', `the manifest's signature does not verify with any of the ${trusted.length} trusted key(s) (it names key ${parsed.keyId.slice(0, 100)})`, { entry: SIGNATURE_NAME });
}

function withPath(err: unknown, path: string): unknown {
  if (err instanceof PortcullisError && err.context.path === undefined) return new PortcullisError(err.code, `${path}: ${err.message}`, { ...err.context, path }, { cause: err.cause });
  return err;
}
