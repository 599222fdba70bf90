import { resolve } from 'node:path';
import { isPortcullisError, PortcullisError } from '../../core/errors.js';
import { parsePublicKey, resolveImageDigest, type SignatureFacts, verifyImageSignatures } from '../../trust/index.js';
import type { CliIo } from '../io.js';
import { COMMON_OPTIONS, helpText, type OptionSpec, parseOptions } from '../options.js';
import { readTextFile, registryOptions, SIGNATURE_REGISTRY_OPTIONS } from './sign.js';

const VERIFY_OPTIONS: readonly OptionSpec[] = [
  { name: 'key', type: 'string', multiple: true, arg: 'FILE', help: 'trusted public key (PEM; ECDSA P-256 or Ed25519), repeatable' },
  { name: 'bundle', type: 'string', multiple: true, arg: 'FILE', help: 'Sigstore bundle (JSON) for the image, repeatable' },
  { name: 'trusted-root', type: 'string', arg: 'FILE', help: 'Sigstore trusted root (JSON) for keyless bundles' },
  { name: 'digest', type: 'string', arg: 'sha256:HEX', help: 'the digest to verify (default: what the reference resolves to now)' },
  { name: 'accept-repository', type: 'string', multiple: true, arg: 'REPO', help: 'also accept signatures naming this repository (mirrors)' },
  { name: 'json', type: 'boolean', help: 'print the signature facts as JSON' },
  ...SIGNATURE_REGISTRY_OPTIONS,
  ...COMMON_OPTIONS,
];

const USAGE = `Usage: portcullis verify <registry-ref> --key PUBLIC.pem [options]

Verifies cosign signatures (sha256-<hex>.sig) and Sigstore bundles of an image. Exits 0 when
at least one signature verifies; SIGNATURE_INVALID when none does (unsigned, tampered, wrong
key, or made for another image); SIGNATURE_UNREACHABLE when the registry cannot be read.`;

function printFacts(facts: SignatureFacts, digest: string, io: CliIo): void {
  for (const v of facts.verified) {
    const who = v.keyId ? `key ${v.keyId}` : `${v.identity ?? 'unknown identity'}${v.issuer ? ` (issuer ${v.issuer})` : ''}`;
    io.stdout.write(`verified ${digest} signed by ${who}\n`);
  }
  for (const e of facts.errors) io.stderr.write(`${facts.verified.length > 0 ? 'warning' : 'error'}: [${e.code}] ${e.message}\n`);
}

export async function verifyCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(argv, VERIFY_OPTIONS, io.env);
  if (values.help) {
    io.stdout.write(helpText(USAGE, VERIFY_OPTIONS));
    return 0;
  }
  if (positionals.length !== 1) throw new PortcullisError('USAGE', 'verify takes exactly one registry reference (see portcullis verify --help)');
  const keyFiles = (values.key as string[] | undefined) ?? [];
  const bundleFiles = (values.bundle as string[] | undefined) ?? [];
  const rootFile = typeof values['trusted-root'] === 'string' ? values['trusted-root'] : undefined;
  if (keyFiles.length === 0 && rootFile === undefined) throw new PortcullisError('USAGE', 'verify needs at least one --key FILE or a --trusted-root FILE');
  const ref = (positionals[0] as string).replace(/^registry:/, '');
  const reg = registryOptions(values, io);
  let digest = typeof values.digest === 'string' ? values.digest : undefined;
  if (digest === undefined) {
    try {
      digest = await resolveImageDigest(ref, reg);
    } catch (err) {
      if (isPortcullisError(err) && ['REGISTRY_UNREACHABLE', 'REGISTRY_AUTH'].includes(err.code)) {
        throw new PortcullisError('SIGNATURE_UNREACHABLE', `cannot resolve ${ref}: ${err.message}`, err.context);
      }
      throw err;
    }
  }
  const publicKeys = keyFiles.map((f) => readTextFile(resolve(io.cwd, f), 'public key'));
  // A key file that is not a usable public key is a command-line mistake, reported as such.
  publicKeys.forEach((pem, i) => parsePublicKey(pem, `--key ${keyFiles[i]}`));
  const facts = await verifyImageSignatures(ref, digest, {
    ...reg,
    publicKeys,
    bundles: bundleFiles.map((f) => readTextFile(resolve(io.cwd, f), 'bundle')),
    ...(rootFile !== undefined ? { trustedRoot: readTextFile(resolve(io.cwd, rootFile), 'trusted root') } : {}),
    ...(values['accept-repository'] ? { acceptRepositories: values['accept-repository'] as string[] } : {}),
  });
  if (values.json) io.stdout.write(`${JSON.stringify({ reference: ref, digest, ...facts }, null, 2)}\n`);
  else printFacts(facts, digest, io);
  if (facts.verified.length > 0) return 0;
  if (facts.errors.some((e) => e.code === 'SIGNATURE_UNREACHABLE')) throw new PortcullisError('SIGNATURE_UNREACHABLE', `could not read the signatures of ${ref}`, { reference: ref });
  throw new PortcullisError('SIGNATURE_INVALID', facts.errors.length > 0 ? `no valid signature for ${digest}` : `${ref} (${digest}) is not signed`, { reference: ref });
}
