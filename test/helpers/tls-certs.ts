import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exec } from './exec.js';

/**
 * A private CA and certificates made with openssl for a test: a server certificate for
 * 127.0.0.1 (what dockerd --tlsverify serves) and client certificates whose common name is
 * the user dockerd reports to the authorization plugin. Keys are P-256, valid for one day.
 */

export interface ClientCert {
  readonly cert: string;
  readonly key: string;
}

export interface TestPki {
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  client(cn: string): Promise<ClientCert>;
}

async function openssl(args: readonly string[]): Promise<void> {
  await exec('openssl', args, { timeoutMs: 30_000 });
}

async function keyPair(dir: string, name: string): Promise<string> {
  const key = join(dir, `${name}-key.pem`);
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key]);
  return key;
}

async function sign(dir: string, pki: { ca: string; caKey: string }, name: string, subject: string, ext: string): Promise<{ cert: string; key: string }> {
  const key = await keyPair(dir, name);
  const csr = join(dir, `${name}.csr`);
  const extFile = join(dir, `${name}.ext`);
  writeFileSync(extFile, ext);
  await openssl(['req', '-new', '-key', key, '-subj', subject, '-out', csr]);
  const cert = join(dir, `${name}.pem`);
  await openssl(['x509', '-req', '-in', csr, '-CA', pki.ca, '-CAkey', pki.caKey, '-set_serial', `0x${randomBytes(12).toString('hex')}`, '-days', '1', '-sha256', '-extfile', extFile, '-out', cert]);
  return { cert, key };
}

export async function makePki(dir: string): Promise<TestPki> {
  const caKey = await keyPair(dir, 'ca');
  const ca = join(dir, 'ca.pem');
  await openssl(['req', '-x509', '-new', '-key', caKey, '-subj', '/CN=portcullis test CA', '-days', '1', '-sha256', '-out', ca]);
  const server = await sign(dir, { ca, caKey }, 'server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  return {
    ca,
    serverCert: server.cert,
    serverKey: server.key,
    client: (cn) => sign(dir, { ca, caKey }, `client-${cn}`, `/CN=${cn}/O=portcullis-test`, 'extendedKeyUsage=clientAuth\n'),
  };
}
