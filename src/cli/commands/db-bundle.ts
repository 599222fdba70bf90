import { resolve } from 'node:path';
import { PortcullisError } from '../../core/errors.js';
import { exportBundle, generateKeyPair, importBundle, loadPrivateKey, loadTrustedKeys, writeKeyPair } from '../../vulndb/bundle/index.js';
import type { CliIo } from '../io.js';
import { COMMON_OPTIONS, helpText, type OptionSpec, parseOptions } from '../options.js';
import { DB_OPT, dbPathOf } from './db.js';

const EXPORT_OPTIONS: readonly OptionSpec[] = [
  { name: 'key', type: 'string', arg: 'FILE', env: 'PORTCULLIS_BUNDLE_KEY', help: 'Ed25519 private key (PEM) to sign with' },
  { name: 'out', short: 'o', type: 'string', arg: 'FILE', help: 'bundle file to write' },
  DB_OPT,
  ...COMMON_OPTIONS,
];

export async function exportCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(argv, EXPORT_OPTIONS, io.env);
  if (values.help) {
    io.stdout.write(helpText('Usage: portcullis db export --key PRIVATE.pem --out FILE [--db PATH]\n\nWrites the database and a signed manifest (sources, dates, counts, sha256) as one file for air-gapped machines.', EXPORT_OPTIONS));
    return 0;
  }
  if (typeof values.key !== 'string' || typeof values.out !== 'string') throw new PortcullisError('USAGE', 'db export needs --key FILE and --out FILE');
  const res = await exportBundle({ dbPath: dbPathOf(values, io), out: resolve(io.cwd, values.out), privateKey: loadPrivateKey(resolve(io.cwd, values.key)) });
  io.stderr.write(`wrote ${res.path} (${res.bytes} bytes, signed by ${res.keyId})\n`);
  return 0;
}

const IMPORT_OPTIONS: readonly OptionSpec[] = [
  { name: 'trusted-key', type: 'string', multiple: true, arg: 'FILE', help: 'Ed25519 public key (PEM) whose signature is accepted (repeatable)' },
  DB_OPT,
  ...COMMON_OPTIONS,
];

export async function importCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(argv, IMPORT_OPTIONS, io.env);
  if (values.help) {
    io.stdout.write(helpText('Usage: portcullis db import BUNDLE --trusted-key PUBLIC.pem [--db PATH]\n\nChecks the signature and every hash before replacing the database atomically.', IMPORT_OPTIONS));
    return 0;
  }
  const keys = (values['trusted-key'] as string[] | undefined) ?? [];
  if (positionals.length !== 1 || keys.length === 0) throw new PortcullisError('USAGE', 'db import needs one BUNDLE and at least one --trusted-key FILE');
  const res = await importBundle({ bundle: resolve(io.cwd, positionals[0] as string), dbPath: dbPathOf(values, io), trustedKeys: loadTrustedKeys(keys.map((k) => resolve(io.cwd, k))) });
  io.stderr.write(`installed ${res.path}: ${res.status.advisories} advisories from ${res.manifest.sources.map((s) => s.id).join(', ')} (bundle of ${res.manifest.createdAt}, signed by ${res.keyId})\n`);
  return 0;
}

const KEYGEN_OPTIONS: readonly OptionSpec[] = [
  { name: 'private-key', type: 'string', arg: 'FILE', help: 'where to write the private key (mode 0600; default portcullis-bundle.key)' },
  { name: 'public-key', type: 'string', arg: 'FILE', help: 'where to write the public key (default portcullis-bundle.pub)' },
  ...COMMON_OPTIONS,
];

export async function keygenCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(argv, KEYGEN_OPTIONS, io.env);
  if (values.help) {
    io.stdout.write(helpText('Usage: portcullis db keygen [--private-key FILE] [--public-key FILE]', KEYGEN_OPTIONS));
    return 0;
  }
  const pair = generateKeyPair();
  const privateKeyPath = resolve(io.cwd, typeof values['private-key'] === 'string' ? values['private-key'] : 'portcullis-bundle.key');
  const publicKeyPath = resolve(io.cwd, typeof values['public-key'] === 'string' ? values['public-key'] : 'portcullis-bundle.pub');
  writeKeyPair(pair, { privateKeyPath, publicKeyPath });
  io.stdout.write(`${pair.keyId}\n`);
  io.stderr.write(`wrote ${privateKeyPath} and ${publicKeyPath}\n`);
  return 0;
}
