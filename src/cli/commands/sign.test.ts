// `portcullis sign` and `portcullis verify` in-process against a real registry (htpasswd auth).
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codedErrors, exitCodeOf, runCli } from '../../../test/helpers/cli.js';
import { pushImage, type RunningRegistry, startRegistry, writeOciLayout } from '../../../test/helpers/registry.js';
import { tmpDirPool } from '../../../test/helpers/tmp.js';

const dirs = tmpDirPool('cli-sign');
let reg: RunningRegistry;
let dir: string;
let auth: string[];
let digest: string;

beforeAll(async () => {
  reg = await startRegistry({ auth: 'basic' });
  dir = await dirs.make();
  auth = ['--insecure', '--username', reg.username as string, '--password', reg.password as string];
  const layout = await dirs.make();
  const { images } = await writeOciLayout(layout, 'v1', [{ layers: [{ files: { 'srv/app': 'signed app' } }] }]);
  digest = images[0]?.manifestDigest as string;
  await pushImage(`oci:${layout}:v1`, reg, 'cli/app:1');
  const unsigned = await dirs.make();
  await writeOciLayout(unsigned, 'v1', [{ layers: [{ files: { 'srv/app': 'unsigned app' } }] }]);
  await pushImage(`oci:${unsigned}:v1`, reg, 'cli/app:unsigned');
});
afterAll(async () => {
  await reg?.stop();
  await dirs.removeAll();
});

const cli = (argv: string[], env: Record<string, string> = {}) => runCli(argv, { cwd: dir, env });

describe('portcullis sign --generate-key', () => {
  it('writes a P-256 pair (private key 0600) and never overwrites one', async () => {
    const res = await cli(['sign', '--generate-key']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect(readFileSync(join(dir, 'portcullis-sign.key'), 'utf8')).toContain('-----BEGIN PRIVATE KEY-----');
    expect(readFileSync(join(dir, 'portcullis-sign.pub'), 'utf8')).toContain('-----BEGIN PUBLIC KEY-----');
    expect(statSync(join(dir, 'portcullis-sign.key')).mode & 0o777).toBe(0o600);
    const again = await cli(['sign', '--generate-key']);
    expect(codedErrors(again.stderr)).toEqual(['OUTPUT_WRITE']);
    expect(again.code).toBe(exitCodeOf('OUTPUT_WRITE'));
    expect((await cli(['sign', '--generate-key', '--output-key', 'b.key', '--output-pub', 'b.pub'])).code).toBe(0);
  });
});

describe('portcullis sign and verify', () => {
  it('signs, then verifies with exit 0; text and JSON output', async () => {
    const signed = await cli(['sign', `${reg.host}/cli/app:1`, '--key', 'portcullis-sign.key', '-a', 'build=42', ...auth]);
    expect(signed.code, signed.stderr).toBe(0);
    expect(signed.stdout.trim()).toBe(`${reg.host}/cli/app:${digest.replace(':', '-')}.sig`);
    const ok = await cli(['verify', `registry:${reg.host}/cli/app:1`, '--key', 'portcullis-sign.pub', ...auth]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(new RegExp(`^verified ${digest} signed by key sha256:[0-9a-f]{64}\\n$`));
    const json = await cli(['verify', `${reg.host}/cli/app:1`, '--key', 'portcullis-sign.pub', '--json', ...auth]);
    expect(JSON.parse(json.stdout)).toMatchObject({ reference: `${reg.host}/cli/app:1`, digest, checked: true, errors: [], verified: [{ digest }] });
  });

  it('portcullis image: a signature-required policy passes the signed image and blocks the unsigned one', async () => {
    writeFileSync(
      join(dir, 'signed.yaml'),
      'apiVersion: portcullis.dev/v1\nkind: Policy\nmetadata: {name: signed-only}\nspec:\n  rules:\n    - {name: signed, stages: [build], action: block, criteria: {signatureRequired: true}}\n',
    );
    const gate = (tag: string, extra: string[]) => cli(['image', `registry:${reg.host}/cli/app:${tag}`, '--policy', 'signed.yaml', '--format', 'json', '--no-cache', ...extra, ...auth]);
    const signed = await gate('1', ['--verify-key', 'portcullis-sign.pub']);
    expect(signed.code, signed.stderr).toBe(0);
    expect(JSON.parse(signed.stdout).policy.verdict).toBe('allow');
    const unsigned = await gate('unsigned', ['--verify-key', 'portcullis-sign.pub']);
    expect(unsigned.code).toBe(1);
    expect(JSON.parse(unsigned.stdout).policy.verdict).toBe('block');
    const noKey = await gate('1', []);
    expect(noKey.code).toBe(1);
  });

  it('accepts credentials from the environment and an encrypted key with its password', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    writeFileSync(join(dir, 'enc.key'), privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 's3cret' }));
    const env = { PORTCULLIS_REGISTRY_USERNAME: reg.username as string, PORTCULLIS_REGISTRY_PASSWORD: reg.password as string, PORTCULLIS_INSECURE: '1' };
    const noPassword = await cli(['sign', `${reg.host}/cli/app:1`, '--key', 'enc.key'], env);
    expect(codedErrors(noPassword.stderr)).toEqual(['USAGE']);
    const res = await cli(['sign', `${reg.host}/cli/app:1`, '--key', 'enc.key'], { ...env, PORTCULLIS_SIGNING_KEY_PASSWORD: 's3cret' });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain('2 signature(s) now stored');
  });

  it('generates a key in cosign\'s format and signs with it, the password from COSIGN_PASSWORD', async () => {
    const env = { COSIGN_PASSWORD: 'pw' };
    const gen = await cli(['sign', '--generate-key', '--key-format', 'cosign', '--output-key', 'cosign.key', '--output-pub', 'cosign.pub'], env);
    expect(gen.code, gen.stderr).toBe(0);
    expect(readFileSync(join(dir, 'cosign.key'), 'utf8')).toMatch(/^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----/);
    const wrong = await cli(['sign', `${reg.host}/cli/app:1`, '--key', 'cosign.key', ...auth], { COSIGN_PASSWORD: 'nope' });
    expect(codedErrors(wrong.stderr)).toEqual(['USAGE']);
    const res = await cli(['sign', `${reg.host}/cli/app:1`, '--key', 'cosign.key', ...auth], env);
    expect(res.code, res.stderr).toBe(0);
    const ok = await cli(['verify', `${reg.host}/cli/app:1`, '--key', 'cosign.pub', ...auth]);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('fails with SIGNATURE_INVALID for a wrong key and for an unsigned image', async () => {
    const wrong = await cli(['verify', `${reg.host}/cli/app:1`, '--key', 'b.pub', ...auth]);
    expect(wrong.code).toBe(exitCodeOf('SIGNATURE_INVALID'));
    expect(codedErrors(wrong.stderr)).toEqual(['SIGNATURE_INVALID', 'SIGNATURE_INVALID', 'SIGNATURE_INVALID', 'SIGNATURE_INVALID']);
    const unsigned = await cli(['verify', `${reg.host}/cli/app:unsigned`, '--key', 'portcullis-sign.pub', ...auth]);
    expect(unsigned.code).toBe(exitCodeOf('SIGNATURE_INVALID'));
    expect(unsigned.stderr).toMatch(/is not signed/);
    // Verifying a digest the tag no longer names: the signatures of that digest count.
    const pinned = await cli(['verify', `${reg.host}/cli/app:unsigned`, '--digest', digest, '--key', 'portcullis-sign.pub', ...auth]);
    expect(pinned.code, pinned.stderr).toBe(0);
  });

  it('fails with SIGNATURE_UNREACHABLE when the registry is down', async () => {
    const gone = await startRegistry();
    await gone.stop();
    const byTag = await cli(['verify', `${gone.host}/cli/app:1`, '--key', 'portcullis-sign.pub', '--insecure']);
    expect(codedErrors(byTag.stderr)).toEqual(['SIGNATURE_UNREACHABLE']);
    expect(byTag.code).toBe(exitCodeOf('SIGNATURE_UNREACHABLE'));
    const byDigest = await cli(['verify', `${gone.host}/cli/app:1`, '--digest', digest, '--key', 'portcullis-sign.pub', '--insecure']);
    expect(codedErrors(byDigest.stderr)).toEqual(['SIGNATURE_UNREACHABLE', 'SIGNATURE_UNREACHABLE']);
    expect(byDigest.code).toBe(exitCodeOf('SIGNATURE_UNREACHABLE'));
  });

  it('signing a missing image or without push rights fails with a coded error', async () => {
    const missing = await cli(['sign', `${reg.host}/cli/app:nope`, '--key', 'portcullis-sign.key', ...auth]);
    expect(codedErrors(missing.stderr)).toEqual(['IMAGE_NOT_FOUND']);
    const anonymous = await cli(['sign', `${reg.host}/cli/app:1`, '--key', 'portcullis-sign.key', '--insecure']);
    expect(codedErrors(anonymous.stderr)).toEqual(['REGISTRY_AUTH']);
  });

  it('refuses bad command lines with USAGE', async () => {
    const cases = [
      ['sign'],
      ['sign', `${reg.host}/cli/app:1`],
      ['sign', 'a', 'b', '--key', 'portcullis-sign.key'],
      ['sign', '--generate-key', 'extra'],
      ['sign', `${reg.host}/cli/app:1`, '--key', 'missing.key'],
      ['sign', `${reg.host}/cli/app:1`, '--key', 'portcullis-sign.pub'],
      ['sign', `${reg.host}/cli/app:1`, '--key', 'portcullis-sign.key', '-a', 'novalue', ...auth],
      ['sign', '--bogus'],
      ['sign', '--generate-key', '--key-format', 'cosign', '--output-key', 'c.key', '--output-pub', 'c.pub'],
      ['sign', '--generate-key', '--key-format', 'jwk', '--output-key', 'c.key', '--output-pub', 'c.pub'],
      ['verify', `${reg.host}/cli/app:1`],
      ['verify', `${reg.host}/cli/app:1`, '--key', 'portcullis-sign.key', ...auth, '--digest', digest],
    ];
    for (const argv of cases) {
      const res = await cli(argv);
      expect(codedErrors(res.stderr), argv.join(' ')).toEqual(['USAGE']);
      expect(res.code).toBe(exitCodeOf('USAGE'));
    }
    expect((await cli(['sign', '--help'])).stdout).toContain('cosign verify --key');
    expect((await cli(['verify', '--help'])).stdout).toContain('--trusted-root');
  });
});
