import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tmpDirPool } from '../../../test/helpers/tmp.js';
import { resolveCredentials } from './credentials.js';

const dirs = tmpDirPool('registry-creds');
afterAll(() => dirs.removeAll());

const b64 = (s: string) => Buffer.from(s).toString('base64');

async function config(doc: unknown): Promise<string> {
  const file = join(await dirs.make(), 'config.json');
  await writeFile(file, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return file;
}

/** A real credential helper executable speaking the docker-credential-helpers protocol. */
async function helper(name: string, script: string): Promise<string> {
  const bin = join(await dirs.make(), 'bin');
  await mkdir(bin);
  const file = join(bin, `docker-credential-${name}`);
  await writeFile(file, `#!/bin/sh\n${script}\n`);
  await chmod(file, 0o755);
  return bin;
}

describe('resolveCredentials', () => {
  it('prefers flags, then PORTCULLIS_REGISTRY_* env, then the docker config', async () => {
    const file = await config({ auths: { 'reg.example': { auth: b64('cfg:cfgpw') } } });
    const env = { PORTCULLIS_REGISTRY_USERNAME: 'envu', PORTCULLIS_REGISTRY_PASSWORD: 'envp' };
    expect(await resolveCredentials('reg.example', { username: 'flag', password: 'fp', dockerConfig: file }, env)).toEqual({ username: 'flag', password: 'fp' });
    expect(await resolveCredentials('reg.example', { dockerConfig: file }, env)).toEqual({ username: 'envu', password: 'envp' });
    expect(await resolveCredentials('reg.example', { dockerConfig: file }, {})).toEqual({ username: 'cfg', password: 'cfgpw' });
    expect(await resolveCredentials('other.example', { dockerConfig: file }, {})).toBeUndefined();
  });

  it('finds $DOCKER_CONFIG/config.json, matches URL-style keys and Docker Hub aliases', async () => {
    const file = await config({ auths: { 'https://index.docker.io/v1/': { auth: b64('hub:pw:with:colons') }, 'https://reg.example:5000/v2/': { username: 'u', password: 'p' } } });
    const env = { DOCKER_CONFIG: join(file, '..') };
    expect(await resolveCredentials('docker.io', {}, env)).toEqual({ username: 'hub', password: 'pw:with:colons' });
    expect(await resolveCredentials('reg.example:5000', {}, env)).toEqual({ username: 'u', password: 'p' });
  });

  it('uses identity tokens', async () => {
    const file = await config({ auths: { 'reg.example': { identitytoken: 'refresh-me' } } });
    expect(await resolveCredentials('reg.example', { dockerConfig: file }, {})).toEqual({ identityToken: 'refresh-me' });
  });

  it('runs a credHelper / credsStore binary with the host on stdin', async () => {
    const bin = await helper('fake', 'read host; [ "$1" = get ] || exit 1; printf \'{"ServerURL":"%s","Username":"u-%s","Secret":"s3cret"}\' "$host" "$host"');
    const file = await config({ credHelpers: { 'reg.example': 'fake' }, credsStore: 'fake' });
    expect(await resolveCredentials('reg.example', { dockerConfig: file }, { PATH: bin })).toEqual({ username: 'u-reg.example', password: 's3cret' });
    expect(await resolveCredentials('other.example', { dockerConfig: file }, { PATH: bin })).toEqual({ username: 'u-other.example', password: 's3cret' });
    const tokenBin = await helper('tok', 'cat >/dev/null; echo \'{"Username":"<token>","Secret":"idtok"}\'');
    const file2 = await config({ credsStore: 'tok' });
    expect(await resolveCredentials('reg.example', { dockerConfig: file2 }, { PATH: tokenBin })).toEqual({ identityToken: 'idtok' });
  });

  it('ignores missing, failing or lying helpers and broken config files', async () => {
    const failing = await helper('bad', 'echo "credentials not found" >&2; exit 1');
    const lying = await helper('junk', 'echo not-json');
    for (const [doc, path] of [
      [{ credHelpers: { 'reg.example': 'not-installed' }, credsStore: 'nope' }, ''],
      [{ credsStore: 'bad' }, failing],
      [{ credsStore: 'junk' }, lying],
      [{ credsStore: '../../bin/sh' }, '/bin'],
      ['{ not json', ''],
      [{ auths: 'wrong shape' }, ''],
    ] as const) {
      const file = await config(doc);
      expect(await resolveCredentials('reg.example', { dockerConfig: file }, { PATH: path })).toBeUndefined();
    }
    expect(await resolveCredentials('reg.example', { dockerConfig: '/nonexistent/config.json' }, {})).toBeUndefined();
  });
});
