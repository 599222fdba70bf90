import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openImage } from '../../image/resolve.js';
import { CIS_DOCKER_IMAGES } from '../benchmarks/cis-docker/images.js';
import { gatherImage } from './image-input.js';
import { buildArgsOf, findSecretInFile, secretAssignments, wantsSecretFile } from './secrets.js';

const tmp = mkdtempSync(join(tmpdir(), 'pc-image-input-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function rootfs(files: Record<string, [string, number]>): string {
  const root = mkdtempSync(join(tmp, 'rootfs-'));
  for (const [path, [text, mode]] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
    chmodSync(join(root, path), mode);
  }
  return root;
}

describe('gatherImage on a root file system', () => {
  it('finds setuid/setgid files and credential files without keeping their content', async () => {
    const root = rootfs({
      '/usr/bin/passwd': ['elf', 0o4755],
      '/usr/bin/wall': ['elf', 0o2755],
      '/usr/bin/ls': ['elf', 0o755],
      '/root/.ssh/id_ed25519': ['-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----\n', 0o600],
      '/app/.env': ['DATABASE_PASSWORD=s3cr3t\n', 0o644],
      '/app/.env.example': ['# fill me\nPORT=8080\n', 0o644],
      '/etc/ssl/certs/ca.pem': ['-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n', 0o644],
      '/usr/share/doc/x/id_rsa': ['-----BEGIN RSA PRIVATE KEY-----', 0o644],
    });
    const image = await openImage(`dir:${root}`, {});
    try {
      const input = await gatherImage(image);
      expect(input.specialFiles.map((f) => [f.path, f.mode.toString(8)])).toEqual([['/usr/bin/passwd', '4755'], ['/usr/bin/wall', '2755']]);
      expect(input.secretFiles.map((f) => [f.path, f.kind])).toEqual([['/app/.env', 'dotenv file'], ['/root/.ssh/id_ed25519', 'SSH private key']]);
      const out = CIS_DOCKER_IMAGES.find((c) => c.id === 'cis-docker-4.10')?.evaluate(input);
      expect(out?.status).toBe('fail');
      expect(JSON.stringify(out)).not.toContain('s3cr3t');
    } finally {
      await image.close();
    }
  });
});

describe('secret detection', () => {
  it('flags secret-named variables with values and key material by content', () => {
    expect(secretAssignments(['DB_PASSWORD=x', 'PASSWORD_FILE=/run/secrets/p', 'API_KEY=', 'PATH=/bin', 'X=AKIAIOSFODNN7EXAMPLE', 'GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'PASSENGER_ROOT=/opt'])).toEqual([
      { name: 'DB_PASSWORD', kind: 'secret-named variable' },
      { name: 'X', kind: 'AWS access key id' },
      { name: 'GITHUB_TOKEN', kind: 'GitHub token' },
    ]);
    expect(buildArgsOf('|2 NPM_TOKEN=abc VERSION=1 /bin/sh -c make')).toEqual(['NPM_TOKEN=abc', 'VERSION=1']);
    expect(buildArgsOf('/bin/sh -c make')).toEqual([]);
    expect(wantsSecretFile('/home/u/.npmrc')).toBe(true);
    expect(wantsSecretFile('/usr/share/keys/id_rsa')).toBe(false);
    expect(findSecretInFile('/home/u/.npmrc', Buffer.from('registry=https://r\n'))).toBeUndefined();
    expect(findSecretInFile('/home/u/.npmrc', Buffer.from('//r/:_authToken=abc\n'))).toBe('npm token');
    expect(findSecretInFile('/x/.docker/config.json', Buffer.from('{"auths":{"r":{"auth":"dTpw"}}}'))).toBe('Docker registry credentials');
  });
});
