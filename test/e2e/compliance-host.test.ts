import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { exec } from '../helpers/exec.js';

/**
 * `portcullis compliance host` on this machine's real root, judged against the native tools:
 * `stat -c %d` (is Docker's data root on its own device?) and `getent group docker`.
 */
describe('portcullis compliance host on the real host', () => {
  it('agrees with stat and getent', async () => {
    const r = await runCli(['compliance', 'host', '--format', 'json', '--docker-host', 'unix:///nonexistent/docker.sock'], { env: { DOCKER_CONTENT_TRUST: '1' } });
    expect(r.code, r.stderr).toBe(0);
    const checks = JSON.parse(r.stdout).checks as { id: string; status: string; results: { reason?: string; evidence: { value?: string }[] }[] }[];
    const status = (id: string) => checks.find((c) => c.id === `cis-docker-${id}`);
    // No daemon answers at that socket: the data root and engine version are unknown, never guessed.
    expect(status('1.2.2')?.status).toBe('skip');
    expect(status('4.5')?.status).toBe('pass');

    const group = await exec('getent', ['group', 'docker']).then((x) => x.stdout.trim(), () => '');
    const members = group ? (group.split(':')[3] ?? '').split(',').filter(Boolean) : [];
    const c112 = status('1.1.2');
    if (members.length === 0) expect(c112?.status).toBe('pass');
    else {
      expect(c112?.status).toBe('warn');
      for (const m of members) expect(c112?.results[0]?.evidence.map((e) => e.value)).toContain(m);
    }

    // With the daemon settings unknown the data root is too: 1.1.1 skips rather than guess.
    expect(status('1.1.1')?.status).toBe('skip');
    if (existsSync('/var/lib/docker')) {
      const [dataDev, rootDev] = await Promise.all([exec('stat', ['-c', '%d', '/var/lib/docker']), exec('stat', ['-c', '%d', '/'])]);
      const separate = dataDev.stdout.trim() !== rootDev.stdout.trim();
      const withDaemon = await runCli(['compliance', 'host', '--format', 'json'], { env: {} });
      const c111 = (JSON.parse(withDaemon.stdout).checks as { id: string; status: string }[]).find((c) => c.id === 'cis-docker-1.1.1');
      if (c111?.status !== 'skip') expect(c111?.status).toBe(separate ? 'pass' : 'fail');
    }
  });
});
