import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isPortcullisError } from '../../core/errors.js';
import { generateKeyPair, keyFingerprint, loadPrivateKey, loadTrustedKeys, signManifest, verifyManifest, writeKeyPair } from './keys.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'portcullis-keys-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return isPortcullisError(err) ? err.code : `uncoded: ${String(err)}`;
  }
};

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('bundle keys', () => {
  it('generates PEM key pairs that sign and verify, with a stable fingerprint', () => {
    const pair = generateKeyPair();
    expect(pair.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(pair.publicKey).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(pair.keyId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(keyFingerprint(pair.privateKey)).toBe(pair.keyId);
    expect(keyFingerprint(pair.publicKey)).toBe(pair.keyId);
    expect(generateKeyPair().keyId).not.toBe(pair.keyId);

    const dir = tmp();
    const paths = { privateKeyPath: join(dir, 'bundle.key'), publicKeyPath: join(dir, 'bundle.pub') };
    writeKeyPair(pair, paths);
    expect(statSync(paths.privateKeyPath).mode & 0o777).toBe(0o600);
    const manifest = Buffer.from('{"format":"portcullis-db-bundle/1"}');
    const sig = signManifest(manifest, loadPrivateKey(paths.privateKeyPath), 'ci-2024');
    expect(JSON.parse(sig.toString())).toMatchObject({ algorithm: 'ed25519', keyId: 'ci-2024' });
    expect(verifyManifest(manifest, sig, loadTrustedKeys([paths.publicKeyPath]))).toBe(pair.keyId);
    expect(codeOf(() => verifyManifest(Buffer.from(`${manifest.toString()} `), sig, loadTrustedKeys([paths.publicKeyPath])))).toBe('BUNDLE_SIGNATURE');
  });

  it('never overwrites an existing key file', () => {
    const dir = tmp();
    const paths = { privateKeyPath: join(dir, 'k'), publicKeyPath: join(dir, 'k.pub') };
    writeFileSync(paths.privateKeyPath, 'precious');
    expect(codeOf(() => writeKeyPair(generateKeyPair(), paths))).toBe('OUTPUT_WRITE');
    expect(readFileSync(paths.privateKeyPath, 'utf8')).toBe('precious');
    expect(existsSync(paths.publicKeyPath)).toBe(false);
  });

  it('refuses key files that are missing, huge, not PEM, or not Ed25519', () => {
    const dir = tmp();
    const file = (name: string, data: string | Buffer) => {
      const p = join(dir, name);
      writeFileSync(p, data);
      return p;
    };
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pair = generateKeyPair();
    const bad = {
      missing: join(dir, 'missing.pem'),
      huge: file('huge.pem', Buffer.alloc(70 * 1024, 0x41)),
      text: file('text.pem', 'hello'),
      truncated: file('trunc.pem', pair.privateKey.slice(0, 60)),
      rsa: file('rsa.pem', rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
      ecPub: file('ec.pub', ec.publicKey.export({ type: 'spki', format: 'pem' }).toString()),
      pub: file('ed.pub', pair.publicKey),
    };
    for (const path of [bad.missing, bad.huge, bad.text, bad.truncated, bad.rsa, bad.pub]) expect(codeOf(() => loadPrivateKey(path)), path).toBe('BUNDLE_SIGNATURE');
    for (const path of [bad.missing, bad.huge, bad.text, bad.truncated, bad.rsa, bad.ecPub]) expect(codeOf(() => loadTrustedKeys([path])), path).toBe('BUNDLE_SIGNATURE');
    // The error names the file it is about.
    expect(() => loadTrustedKeys([bad.ecPub])).toThrow(/ec\.pub/);
    // A private key given as trusted stands for its public half.
    expect(keyFingerprint(loadTrustedKeys([file('ed.key', pair.privateKey)])[0] ?? '')).toBe(pair.keyId);
  });

  it.skipIf(!hasOpenssl)('interoperates with openssl: its keys sign, and it verifies our signatures', () => {
    const dir = tmp();
    const key = join(dir, 'k.pem');
    const pub = join(dir, 'k.pub');
    execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', key]);
    execFileSync('openssl', ['pkey', '-in', key, '-pubout', '-out', pub]);
    const manifest = Buffer.from('{"format":"portcullis-db-bundle/1","n":1}\n');
    const sigFile = signManifest(manifest, loadPrivateKey(key));
    expect(verifyManifest(manifest, sigFile, loadTrustedKeys([pub]))).toBe(keyFingerprint(readFileSync(pub, 'utf8')));
    writeFileSync(join(dir, 'manifest.json'), manifest);
    writeFileSync(join(dir, 'sig.bin'), Buffer.from((JSON.parse(sigFile.toString()) as { signature: string }).signature, 'base64'));
    const out = execFileSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', pub, '-rawin', '-in', join(dir, 'manifest.json'), '-sigfile', join(dir, 'sig.bin')]).toString();
    expect(out).toMatch(/Signature Verified Successfully/);
  });
});
