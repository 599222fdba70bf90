import { describe, expect, it } from 'vitest';
import type { FileFact } from '../../inputs/host-fs.js';
import type { ImageInput } from '../../inputs/image-input.js';
import { known, unknown } from '../../outcome.js';
import { EngineInfoSchema } from '../../inputs/engine-schemas.js';
import { daemonFrom, engineJson, image, unknownDaemon } from '../../testdata/fixtures.js';
import type { Status } from '../../types.js';
import { CIS_DOCKER_DAEMON } from './daemon.js';
import { CIS_DOCKER_FILES } from './files.js';
import { CIS_DOCKER_IMAGES } from './images.js';
import { CIS_DOCKER_OPERATIONS } from './operations.js';

/** The weak daemon's /info less one field, so daemon.json decides it. */
function infoWithout(key: string) {
  const info = { ...(engineJson('info-weak.json') as Record<string, unknown>) };
  delete info[key];
  return EngineInfoSchema.parse(info);
}

const run = (checks: readonly { id: string; evaluate(i: never): { status: Status } }[], input: unknown) => Object.fromEntries(checks.map((c) => [c.id.replace('cis-docker-', ''), c.evaluate(input as never).status]));

describe('CIS Docker section 2 on daemon flags and daemon.json', () => {
  it('fails a default daemon and passes a hardened one', () => {
    const weak = run(CIS_DOCKER_DAEMON, daemonFrom(['--bridge=none', '--iptables=false']));
    expect(weak).toMatchObject({ '2.2': 'fail', '2.4': 'fail', '2.8': 'warn', '2.9': 'fail', '2.12': 'fail', '2.13': 'fail', '2.14': 'fail', '2.15': 'fail', '2.16': 'fail', '2.3': 'pass', '2.7': 'pass', '2.18': 'pass', '5.1': 'pass' });
    const hardened = daemonFrom(['--icc=false', '--userns-remap=default', '--no-new-privileges', '--log-driver=syslog', '--userland-proxy=false', '--authorization-plugin=authz', '--default-ulimit', 'nofile=1024:2048'], { 'live-restore': true }, infoWithout('LiveRestoreEnabled'));
    const strong = run(CIS_DOCKER_DAEMON, hardened);
    expect(strong).toMatchObject({ '2.2': 'pass', '2.4': 'pass', '2.8': 'pass', '2.9': 'pass', '2.12': 'pass', '2.13': 'fail', '2.14': 'pass', '2.15': 'pass', '2.16': 'pass' });
  });

  it('requires mutual TLS only when the daemon listens on TCP', () => {
    expect(run(CIS_DOCKER_DAEMON, daemonFrom(['-H', 'tcp://0.0.0.0:2375']))['2.7']).toBe('fail');
    expect(run(CIS_DOCKER_DAEMON, daemonFrom(['-H', 'tcp://0.0.0.0:2376', '--tlsverify', '--tlscacert=/c/ca.pem', '--tlscert=/c/cert.pem', '--tlskey=/c/key.pem']))['2.7']).toBe('pass');
  });

  it('skips everything it cannot read on a silent daemon', () => {
    const all = run([...CIS_DOCKER_DAEMON, ...CIS_DOCKER_FILES, ...CIS_DOCKER_OPERATIONS], unknownDaemon());
    expect(new Set(Object.values(all))).toEqual(new Set(['skip']));
  });
});

describe('CIS Docker section 3 on file facts', () => {
  const f = (path: string, mode: number, user = 'root', group = 'root'): FileFact => ({ path, exists: true, type: 'file', mode, uid: 0, gid: 0, user, group });

  it('checks owners and permissions, and skips absent files', () => {
    const d = daemonFrom([], undefined, undefined, {
      daemonJson: f('/etc/docker/daemon.json', 0o600),
      etcDocker: f('/etc/docker', 0o775),
      sockets: known([f('/run/docker.sock', 0o660, 'root', 'docker')]),
      tlsKey: known(f('/etc/docker/key.pem', 0o644, 'dockremap', 'root')),
      registryCerts: [f('/etc/docker/certs.d/r:5000/ca.crt', 0o444), f('/etc/docker/certs.d/r:5000/client.key', 0o600)],
    });
    const s = run(CIS_DOCKER_FILES, d);
    expect(s).toMatchObject({ '3.17': 'pass', '3.18': 'pass', '3.5': 'pass', '3.6': 'fail', '3.15': 'pass', '3.16': 'pass', '3.13': 'fail', '3.14': 'fail', '3.7': 'pass', '3.8': 'fail', '3.1': 'skip', '3.9': 'skip' });
    const bad = CIS_DOCKER_FILES.find((c) => c.id === 'cis-docker-3.8')?.evaluate(d);
    expect(bad?.evidence).toEqual([{ subject: '/etc/docker/certs.d/r:5000/client.key', field: 'mode', value: '0600', message: 'mode 0600 is more permissive than 0444' }]);
  });

  it('judges the containerd socket the daemon input located (3.23, 3.24), and says how it was found', () => {
    const sock = (mode: number, user: string) => ({ ...f('/srv/exec/containerd/containerd.sock', mode, user), type: 'socket' as const, origin: 'dockerd\'s own containerd (no --containerd, exec root /srv/exec)' });
    const good = daemonFrom([], undefined, undefined, { containerdSocket: known(sock(0o660, 'root')) });
    expect(run(CIS_DOCKER_FILES, good)).toMatchObject({ '3.23': 'pass', '3.24': 'pass' });
    const bad = daemonFrom([], undefined, undefined, { containerdSocket: known(sock(0o666, 'nobody')) });
    expect(run(CIS_DOCKER_FILES, bad)).toMatchObject({ '3.23': 'fail', '3.24': 'fail' });
    expect(CIS_DOCKER_FILES.find((c) => c.id === 'cis-docker-3.24')?.evaluate(bad).evidence).toEqual([
      { subject: '/srv/exec/containerd/containerd.sock', field: 'mode', value: '0666', message: 'mode 0666 is more permissive than 0660 (dockerd\'s own containerd (no --containerd, exec root /srv/exec))' },
    ]);
    const cannot = daemonFrom([], undefined, undefined, { containerdSocket: unknown('dockerd\'s command line is unknown') });
    expect(CIS_DOCKER_FILES.find((c) => c.id === 'cis-docker-3.23')?.evaluate(cannot)).toMatchObject({ status: 'skip', reason: expect.stringContaining('command line is unknown') });
  });

  // CIS 1.6.0: 3.19 /etc/default/docker owner, 3.20 its mode, 3.21 /etc/sysconfig/docker mode, 3.22 its owner
  // (docker-bench-security numbers them the same; ours once had 3.20 and 3.22 swapped).
  it('numbers the /etc/default/docker and /etc/sysconfig/docker checks as CIS does', () => {
    const wrongBoth = (path: string) => f(path, 0o666, 'nobody', 'nogroup');
    const only = (file: 'etcDefaultDocker' | 'sysconfigDocker') => run(CIS_DOCKER_FILES, daemonFrom([], undefined, undefined, { [file]: wrongBoth(`/etc/${file === 'etcDefaultDocker' ? 'default' : 'sysconfig'}/docker`) }));
    expect(only('etcDefaultDocker')).toMatchObject({ '3.19': 'fail', '3.20': 'fail', '3.21': 'skip', '3.22': 'skip' });
    expect(only('sysconfigDocker')).toMatchObject({ '3.19': 'skip', '3.20': 'skip', '3.21': 'fail', '3.22': 'fail' });
    const field = (id: string) => CIS_DOCKER_FILES.find((c) => c.id === `cis-docker-${id}`)?.evaluate(daemonFrom([], undefined, undefined, { etcDefaultDocker: wrongBoth('/etc/default/docker'), sysconfigDocker: wrongBoth('/etc/sysconfig/docker') })).evidence[0];
    expect([field('3.19'), field('3.20'), field('3.21'), field('3.22')].map((e) => `${e?.subject} ${e?.field}`)).toEqual([
      '/etc/default/docker owner', '/etc/default/docker mode', '/etc/sysconfig/docker mode', '/etc/sysconfig/docker owner',
    ]);
  });
});

describe('CIS Docker section 4 on image configs', () => {
  const hist = (...steps: string[]): ImageInput['config']['history'] => steps.map((createdBy) => ({ createdBy, emptyLayer: false }));

  it('fails root, no health check, update alone, setuid, ADD and secrets', () => {
    const img = image({
      config: {
        env: ['PATH=/usr/bin', 'DB_PASSWORD=hunter2', 'PGPASSWORD_FILE=/run/secrets/pg', 'TOKEN='],
        history: hist('/bin/sh -c #(nop) ADD file:4d2c in / ', '/bin/sh -c #(nop) ADD 1db91220af665690738005c5140caa15b196f2c9dfcfae47c8b3bd8c013b7695 in /opt/payload.txt ', '|1 NPM_TOKEN=abc /bin/sh -c apt-get update', '/bin/sh -c #(nop)  CMD ["sh"]'),
      },
      specialFiles: [{ path: '/usr/bin/passwd', mode: 0o4755, uid: 0, layer: 0 }],
      secretFiles: [{ path: '/root/.ssh/id_rsa', kind: 'SSH private key', layer: 1 }],
    });
    const s = run(CIS_DOCKER_IMAGES, img);
    expect(s).toEqual({ '4.1': 'fail', '4.6': 'fail', '4.7': 'fail', '4.8': 'fail', '4.9': 'fail', '4.10': 'fail' });
    const secrets = CIS_DOCKER_IMAGES.find((c) => c.id === 'cis-docker-4.10')?.evaluate(img);
    expect(secrets?.evidence.map((e) => e.field)).toEqual(['config.Env.DB_PASSWORD', 'history[2]', '/root/.ssh/id_rsa']);
    expect(JSON.stringify(secrets)).not.toContain('hunter2');
    const add = CIS_DOCKER_IMAGES.find((c) => c.id === 'cis-docker-4.9')?.evaluate(img);
    expect(add?.evidence.map((e) => e.message)).toEqual(['ADD of a remote URL']);
  });

  it('passes a clean image', () => {
    const img = image({ config: { user: 'app', healthcheck: ['CMD', 'true'], env: ['PATH=/usr/bin'], history: hist('/bin/sh -c #(nop) ADD file:4d2c in / ', '/bin/sh -c apt-get update && apt-get install -y curl', 'COPY app /app # buildkit') } });
    expect(run(CIS_DOCKER_IMAGES, img)).toEqual({ '4.1': 'pass', '4.6': 'pass', '4.7': 'pass', '4.8': 'pass', '4.9': 'pass', '4.10': 'pass' });
    for (const user of ['', 'root', '0', '0:0', 'root:wheel']) expect(run(CIS_DOCKER_IMAGES, image({ config: { user } }))['4.1'], user).toBe('fail');
    expect(run(CIS_DOCKER_IMAGES, image({ config: { healthcheck: ['NONE'] } }))['4.6']).toBe('fail');
  });
});
