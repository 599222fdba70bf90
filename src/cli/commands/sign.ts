import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PortcullisError } from '../../core/errors.js';
import { generateSigningKeyPair, parsePrivateKey, signImage } from '../../trust/index.js';
import type { CliIo } from '../io.js';
import { COMMON_OPTIONS, helpText, type OptionSpec, parseOptions, type ParsedValues } from '../options.js';

/** Registry options shared by `sign` and `verify` (no platform: signatures are per digest). */
export const SIGNATURE_REGISTRY_OPTIONS: readonly OptionSpec[] = [
  { name: 'insecure', type: 'boolean', env: 'PORTCULLIS_INSECURE', help: 'allow plain HTTP to registries on loopback addresses' },
  { name: 'username', type: 'string', arg: 'USER', env: 'PORTCULLIS_REGISTRY_USERNAME', help: 'registry user name' },
  { name: 'password', type: 'string', arg: 'PASSWORD', env: 'PORTCULLIS_REGISTRY_PASSWORD', help: 'registry password or token' },
  { name: 'docker-config', type: 'string', arg: 'FILE', help: 'docker config.json with registry credentials (default ~/.docker/config.json)' },
];

const SIGN_OPTIONS: readonly OptionSpec[] = [
  { name: 'key', type: 'string', arg: 'FILE', env: 'PORTCULLIS_SIGNING_KEY', help: 'private key to sign with: PEM (PKCS#8, SEC1) or a cosign.key; ECDSA P-256 or Ed25519' },
  { name: 'key-password', type: 'string', arg: 'PASSWORD', env: 'PORTCULLIS_SIGNING_KEY_PASSWORD', help: 'password of an encrypted key (default: $COSIGN_PASSWORD)' },
  { name: 'key-format', type: 'string', arg: 'FORMAT', help: 'with --generate-key: pkcs8 (default) or cosign (encrypted with the key password, for cosign sign --key)' },
  { name: 'annotation', short: 'a', type: 'string', multiple: true, arg: 'KEY=VALUE', help: 'claim to add to the signed payload (repeatable)' },
  { name: 'generate-key', type: 'boolean', help: 'write a new ECDSA P-256 key pair instead of signing' },
  { name: 'output-key', type: 'string', arg: 'FILE', help: 'with --generate-key: private key file (mode 0600; default portcullis-sign.key)' },
  { name: 'output-pub', type: 'string', arg: 'FILE', help: 'with --generate-key: public key file (default portcullis-sign.pub)' },
  ...SIGNATURE_REGISTRY_OPTIONS,
  ...COMMON_OPTIONS,
];

const USAGE = `Usage: portcullis sign <registry-ref> --key PRIVATE.pem [options]
       portcullis sign --generate-key [--output-key FILE] [--output-pub FILE]

Signs an image in a registry the way "cosign sign --key" does: a simple-signing payload for
the image's manifest digest, stored as a layer of the signature manifest tagged
sha256-<hex>.sig in the same repository. "cosign verify --key PUBLIC.pem" accepts the result.
A tag is resolved to its digest first; sign by digest (name@sha256:…) to avoid a race.`;

export function registryOptions(values: ParsedValues, io: CliIo) {
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  return {
    ...(values.insecure === true ? { insecure: true } : {}),
    ...(str('username') !== undefined ? { username: str('username') as string } : {}),
    ...(str('password') !== undefined ? { password: str('password') as string } : {}),
    ...(str('docker-config') ? { dockerConfig: resolve(io.cwd, str('docker-config') as string) } : {}),
  };
}

/** Reads a small text file the user named; USAGE when it is missing or huge. */
export function readTextFile(path: string, what: string): string {
  try {
    const text = readFileSync(path, 'utf8');
    if (text.length > 4 * 1024 * 1024) throw new Error('larger than 4 MiB');
    return text;
  } catch (err) {
    throw new PortcullisError('USAGE', `cannot read ${what} ${path}: ${(err as Error).message}`, { path });
  }
}

function annotations(values: ParsedValues): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of (values.annotation as string[] | undefined) ?? []) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new PortcullisError('USAGE', `annotation "${a}" is not KEY=VALUE`);
    out[a.slice(0, eq)] = a.slice(eq + 1);
  }
  return out;
}

/** The key password: the flag or its variable, else cosign's own COSIGN_PASSWORD. */
function keyPassword(values: ParsedValues, io: CliIo): string | undefined {
  if (typeof values['key-password'] === 'string') return values['key-password'];
  return io.env.COSIGN_PASSWORD;
}

function generateKey(values: ParsedValues, io: CliIo): number {
  const format = values['key-format'] ?? 'pkcs8';
  if (format !== 'pkcs8' && format !== 'cosign') throw new PortcullisError('USAGE', `unknown key format "${String(format)}"; use pkcs8 or cosign`);
  const password = keyPassword(values, io);
  if (format === 'cosign' && password === undefined) throw new PortcullisError('USAGE', '--key-format cosign needs a password (--key-password, PORTCULLIS_SIGNING_KEY_PASSWORD or COSIGN_PASSWORD)');
  const pair = generateSigningKeyPair(format === 'cosign' ? { cosignPassword: password as string } : {});
  const keyPath = resolve(io.cwd, typeof values['output-key'] === 'string' ? values['output-key'] : 'portcullis-sign.key');
  const pubPath = resolve(io.cwd, typeof values['output-pub'] === 'string' ? values['output-pub'] : 'portcullis-sign.pub');
  const write = (path: string, data: string, mode: number) => {
    try {
      writeFileSync(path, data, { flag: 'wx', mode });
    } catch (err) {
      throw new PortcullisError('OUTPUT_WRITE', `cannot write key file ${path}: ${(err as Error).message}`, { path });
    }
  };
  write(keyPath, pair.privateKeyPem, 0o600);
  write(pubPath, pair.publicKeyPem, 0o644);
  io.stdout.write(`${pair.keyId}\n`);
  io.stderr.write(`wrote ${keyPath} and ${pubPath}\n`);
  return 0;
}

export async function signCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(argv, SIGN_OPTIONS, io.env);
  if (values.help) {
    io.stdout.write(helpText(USAGE, SIGN_OPTIONS));
    return 0;
  }
  if (values['generate-key']) {
    if (positionals.length > 0) throw new PortcullisError('USAGE', 'sign --generate-key takes no image reference');
    return generateKey(values, io);
  }
  if (positionals.length !== 1) throw new PortcullisError('USAGE', 'sign takes exactly one registry reference (see portcullis sign --help)');
  if (typeof values.key !== 'string') throw new PortcullisError('USAGE', 'sign needs --key PRIVATE.pem (or --generate-key to make one)');
  const keyPath = resolve(io.cwd, values.key);
  const signer = parsePrivateKey(readTextFile(keyPath, 'private key'), keyPassword(values, io), `private key ${keyPath}`);
  const ref = (positionals[0] as string).replace(/^registry:/, '');
  const res = await signImage(ref, signer, { ...registryOptions(values, io), annotations: annotations(values) });
  io.stdout.write(`${res.signatureRef}\n`);
  io.stderr.write(res.added
    ? `signed ${res.digest} with key ${res.keyId}; ${res.signatures} signature(s) now stored\n`
    : `${res.digest} already carries a signature by key ${res.keyId}; nothing pushed\n`);
  return 0;
}
