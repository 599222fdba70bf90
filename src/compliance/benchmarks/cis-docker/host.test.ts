import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gatherHost, parseMountinfo } from '../../inputs/host-input.js';
import { known, unknown } from '../../outcome.js';
import type { Status } from '../../types.js';
import { CIS_DOCKER_HOST, HOST_AUDIT_PATHS, ruleWatches } from './host.js';

/** Section 1 on fake host trees (the `--root` prefix), the way an agent reads a mounted host root. */
const tmp = mkdtempSync(join(tmpdir(), 'pc-host-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmp, 'root-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const MOUNTS_SEPARATE = '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n60 27 254:16 / /var/lib/docker rw,relatime - xfs /dev/vdb rw\n';
const MOUNTS_BIND = '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n42 27 254:0 /var/lib/docker /var/lib/docker rw,relatime shared:1 - ext4 /dev/vda rw\n';

async function statuses(root: string, opts: { dataRoot?: string; version?: string; env?: Record<string, string> } = {}): Promise<Record<string, Status>> {
  const host = await gatherHost({ root, dataRoot: known(opts.dataRoot ?? '/var/lib/docker'), engineVersion: opts.version ? known(opts.version) : unknown('no daemon'), paths: HOST_AUDIT_PATHS, containerdSocket: unknown('no daemon'), env: opts.env ?? {} });
  return Object.fromEntries(CIS_DOCKER_HOST.map((c) => [c.id, c.evaluate(host).status]));
}

describe('CIS Docker section 1 on a host root', () => {
  it('passes a hardened host: separate partition, audited files, empty docker group, content trust', async () => {
    const root = tree({
      '/proc/self/mountinfo': MOUNTS_SEPARATE,
      '/etc/group': 'root:x:0:\ndocker:x:998:\n',
      '/etc/passwd': 'root:x:0:0:root:/root:/bin/bash\n',
      '/usr/bin/dockerd': '',
      '/usr/bin/runc': '',
      '/etc/docker/daemon.json': '{}',
      '/etc/audit/rules.d/docker.rules': '# docker\n-w /usr/bin/dockerd -k docker\n-a always,exit -F path=/usr/bin/runc -F perm=wa -k docker\n-w /etc/docker/daemon.json -k docker\n-w /etc/docker -k docker\n',
    });
    const s = await statuses(root, { version: '28.2.2', env: { DOCKER_CONTENT_TRUST: '1' } });
    expect(s).toMatchObject({ 'cis-docker-1.1.1': 'pass', 'cis-docker-1.1.2': 'pass', 'cis-docker-1.1.3': 'pass', 'cis-docker-1.1.6': 'pass', 'cis-docker-1.1.11': 'pass', 'cis-docker-1.1.18': 'pass', 'cis-docker-1.2.2': 'pass', 'cis-docker-4.5': 'pass' });
    // Files that are not on this host are not judged.
    expect(s['cis-docker-1.1.13']).toBe('skip');
  });

  it('fails a weak host: data root bind-mounted from /, nothing audited, users in the docker group', async () => {
    const root = tree({
      '/proc/self/mountinfo': MOUNTS_BIND,
      '/etc/group': 'docker:x:998:alice,bob\n',
      '/etc/passwd': 'carol:x:1002:998::/home/carol:/bin/sh\n',
      '/usr/sbin/dockerd': '',
      '/etc/docker/daemon.json': '{}',
    });
    const host = await gatherHost({ root, dataRoot: known('/var/lib/docker'), engineVersion: known('19.03.15'), paths: HOST_AUDIT_PATHS, containerdSocket: unknown('no daemon'), env: {} });
    const s = Object.fromEntries(CIS_DOCKER_HOST.map((c) => [c.id, c.evaluate(host)]));
    expect(s['cis-docker-1.1.1']).toMatchObject({ status: 'fail', reason: expect.stringContaining('bind mount of the root file system') });
    expect(s['cis-docker-1.1.2']?.status).toBe('warn');
    expect(s['cis-docker-1.1.2']?.evidence.map((e) => e.value)).toEqual(['alice', 'bob', 'carol']);
    expect(s['cis-docker-1.1.3']).toMatchObject({ status: 'fail', evidence: [{ value: '/usr/sbin/dockerd' }] });
    expect(s['cis-docker-1.2.2']?.status).toBe('fail');
    expect(s['cis-docker-4.5']?.status).toBe('fail');
  });

  it('warns about distribution builds of old engine lines and skips what it cannot read', async () => {
    const root = tree({ '/etc/group': 'root:x:0:\n' });
    mkdirSync(join(root, 'proc', 'self', 'mountinfo'), { recursive: true });
    const s = await statuses(root, { version: '20.10.24+dfsg1' });
    expect(s['cis-docker-1.2.2']).toBe('warn');
    expect(s['cis-docker-1.1.1']).toBe('skip');
    expect(s['cis-docker-1.1.2']).toBe('pass');
    expect(s['cis-docker-1.1.3']).toBe('skip');
  });

  // The peer (docker-bench-security) audits the first containerd.sock under /run; ours the one the daemon dials.
  it('audits the containerd socket the daemon uses (1.1.8), wherever its flags put it', async () => {
    const root = tree({ '/etc/audit/rules.d/docker.rules': '-w /srv/exec/containerd/containerd.sock -k docker\n' });
    const sock = (path: string, exists = true) => known({ path, exists, type: 'socket' as const, origin: 'dockerd\'s own containerd (exec root /srv/exec)' });
    const c118 = async (containerdSocket: Parameters<typeof gatherHost>[0]['containerdSocket']) => {
      const host = await gatherHost({ root, dataRoot: known('/var/lib/docker'), engineVersion: unknown('x'), paths: HOST_AUDIT_PATHS, containerdSocket, env: {} });
      return CIS_DOCKER_HOST.find((c) => c.id === 'cis-docker-1.1.8')?.evaluate(host);
    };
    expect(await c118(sock('/srv/exec/containerd/containerd.sock'))).toMatchObject({ status: 'pass', evidence: [{ value: '-w /srv/exec/containerd/containerd.sock -k docker', message: expect.stringContaining('exec root /srv/exec') }] });
    // The system socket is not watched here, so a daemon using it fails.
    expect(await c118(sock('/run/containerd/containerd.sock'))).toMatchObject({ status: 'fail', evidence: [{ value: '/run/containerd/containerd.sock' }] });
    expect(await c118(sock('/run/containerd/containerd.sock', false))).toMatchObject({ status: 'skip', reason: expect.stringContaining('looked at /run/containerd/containerd.sock') });
    expect(await c118(unknown('no dockerd process'))).toMatchObject({ status: 'skip', reason: expect.stringContaining('no dockerd process') });
    expect(HOST_AUDIT_PATHS).not.toContain('/run/containerd/containerd.sock');
  });

  it('parses mountinfo escapes and audit rule forms', () => {
    expect(parseMountinfo('61 27 0:50 / /mnt/with\\040space rw - tmpfs tmpfs rw\nbroken line\n')).toEqual([{ device: '0:50', fsRoot: '/', mountPoint: '/mnt/with space', fsType: 'tmpfs' }]);
    expect(ruleWatches('-w /var/lib/docker -k docker', '/var/lib/docker')).toBe(true);
    expect(ruleWatches('-w /var/lib/docker/ -k docker', '/var/lib/docker')).toBe(true);
    expect(ruleWatches('-a always,exit -F dir=/etc/docker -k d', '/etc/docker')).toBe(true);
    expect(ruleWatches('-w /etc/docker/daemon.json -k d', '/etc/docker')).toBe(false);
    expect(ruleWatches('-w /usr/bin/dockerd2', '/usr/bin/dockerd')).toBe(false);
  });
});
