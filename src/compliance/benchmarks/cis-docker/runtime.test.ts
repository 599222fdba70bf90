import { describe, expect, it } from 'vitest';
import { auditCapabilities, configuredCaps, decodeCapMask, DOCKER_DEFAULT_CAPS, parseProcStatus } from '../../inputs/capabilities.js';
import { container, daemonFrom, engineJson, fixture } from '../../testdata/fixtures.js';
import type { Status } from '../../types.js';
import { CIS_DOCKER_NAMESPACES } from './runtime-namespaces.js';
import { CIS_DOCKER_PRIVILEGES } from './runtime-privileges.js';
import { CIS_DOCKER_RESOURCES } from './runtime-resources.js';

/** Section 5 on real `docker inspect` replies and /proc status files (testdata/engine, see README). */
const CHECKS = [...CIS_DOCKER_PRIVILEGES, ...CIS_DOCKER_NAMESPACES, ...CIS_DOCKER_RESOURCES];
const weak = daemonFrom(['-H', 'unix:///tmp/pc-dd1/d.sock', '--bridge=none', '--iptables=false']);

function statuses(c: ReturnType<typeof container>): Record<string, Status> {
  return Object.fromEntries(CHECKS.map((k) => [k.id.replace('cis-docker-', ''), k.evaluate(c).status]));
}

describe('CIS Docker section 5 on real containers', () => {
  it('flags the capability, host PID and docker.sock container', () => {
    const s = statuses(container('cap', weak));
    expect(s).toMatchObject({ '5.4': 'fail', '5.5': 'pass', '5.16': 'fail', '5.17': 'pass', '5.21': 'pass', '5.32': 'fail', '5.11': 'fail', '5.12': 'fail', '5.13': 'fail', '5.26': 'fail', '5.29': 'fail', '5.10': 'pass', '5.30': 'pass', '5.22': 'pass', '5.7': 'pass' });
  });

  it('passes the hardened container', () => {
    const s = statuses(container('hard', weak));
    expect(s).toMatchObject({ '5.4': 'pass', '5.5': 'pass', '5.11': 'pass', '5.12': 'pass', '5.13': 'pass', '5.26': 'pass', '5.29': 'pass', '5.32': 'pass', '5.16': 'pass', '5.22': 'pass' });
    expect(s['5.27']).toBe('fail');
  });

  it('judges a created privileged container from its configuration', () => {
    const c = container('priv', weak);
    const s = statuses(c);
    expect(s).toMatchObject({ '5.4': 'fail', '5.5': 'fail', '5.22': 'fail', '5.26': 'fail' });
    expect(s['5.7']).toBe('skip');
    expect(c.capabilities.dangerous).toContain('SYS_ADMIN');
  });

  it('skips AppArmor and SELinux where the daemon has neither, and checks them where it has', () => {
    expect(statuses(container('cap', weak))['5.2']).toBe('skip');
    const info = { ...(engineJson('info-weak.json') as object), SecurityOptions: ['name=apparmor', 'name=selinux'] };
    const lsm = daemonFrom([], undefined, info as never);
    expect(statuses(container('cap', lsm))).toMatchObject({ '5.2': 'fail', '5.3': 'fail' });
    const confined = container('hard', lsm, (i) => Object.assign(i, { AppArmorProfile: 'docker-default' }));
    expect(statuses(confined)['5.2']).toBe('pass');
  });

  it('flips with the settings it reads', () => {
    const patched = container('hard', weak, (i) => {
      const hc = i.HostConfig as Record<string, unknown>;
      Object.assign(hc, { NetworkMode: 'host', IpcMode: 'host', UTSMode: 'host', UsernsMode: 'host', RestartPolicy: { Name: 'always', MaximumRetryCount: 0 }, PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '80' }] }, Devices: [{ PathOnHost: '/dev/kmsg' }], CgroupParent: '/custom' });
      i.Mounts = [{ Type: 'bind', Source: '/etc', Destination: '/host-etc', RW: true, Propagation: 'rshared' }];
    });
    const s = statuses(patched);
    expect(s).toMatchObject({ '5.10': 'fail', '5.17': 'fail', '5.21': 'fail', '5.31': 'fail', '5.15': 'fail', '5.18': 'warn', '5.25': 'warn', '5.6': 'fail', '5.20': 'fail' });
    // Running containers are judged by what the engine published (none here), not the request.
    expect(s['5.8']).toBe('pass');
    const stopped = container('priv', weak, (i) => Object.assign(i.HostConfig as object, { PortBindings: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '80' }] } }));
    expect(statuses(stopped)).toMatchObject({ '5.8': 'fail', '5.14': 'fail' });
  });

  it('trusts the kernel’s NoNewPrivs over the configuration', () => {
    const hardened = daemonFrom(['--no-new-privileges']);
    const c = container('cap', hardened);
    // The process status fixture says NoNewPrivs: 0, whatever the daemon's flag.
    expect(CIS_DOCKER_PRIVILEGES.find((k) => k.id === 'cis-docker-5.26')?.evaluate(c).status).toBe('fail');
    const created = container('priv', hardened, (i) => Object.assign(i.HostConfig as object, { Privileged: false }));
    expect(CIS_DOCKER_PRIVILEGES.find((k) => k.id === 'cis-docker-5.26')?.evaluate(created).status).toBe('pass');
  });
});

describe('capability audit', () => {
  it('decodes /proc status masks like capsh --decode', () => {
    const cap = parseProcStatus(1, fixture('engine/proc-status-cap.txt'));
    expect(cap.effective).toEqual([...DOCKER_DEFAULT_CAPS.filter((c) => c !== 'NET_RAW'), 'SYS_ADMIN'].sort());
    expect(cap.noNewPrivs).toBe(false);
    const hard = parseProcStatus(2, fixture('engine/proc-status-hard.txt'));
    expect(hard).toMatchObject({ uid: 1000, effective: [], bounding: [], noNewPrivs: true, seccomp: 2 });
    expect(decodeCapMask('000001fffeffffff')).toHaveLength(40);
    expect(decodeCapMask('zz')).toBeUndefined();
    expect(decodeCapMask('8000000000000000')).toEqual(['CAP_63']);
  });

  it('computes configured capabilities as moby does', () => {
    expect(configuredCaps(false, [], [])).toEqual([...DOCKER_DEFAULT_CAPS].sort());
    expect(configuredCaps(false, ['CAP_SYS_ADMIN'], ['net_raw'])).toContain('SYS_ADMIN');
    expect(configuredCaps(false, ['NET_BIND_SERVICE'], ['ALL'])).toEqual(['NET_BIND_SERVICE']);
    expect(configuredCaps(false, ['ALL'], ['SYS_ADMIN'])).not.toContain('SYS_ADMIN');
    expect(configuredCaps(true, [], ['ALL'])).toHaveLength(41);
  });

  it('reports capabilities no process holds and runtime extras', () => {
    const status = parseProcStatus(5, 'Name:\tapp\nUid:\t1000\t1000\t1000\t1000\nCapEff:\t0000000000000000\nCapBnd:\t00000000a82425fb\n');
    const a = auditCapabilities(configuredCaps(false, [], []), [status]);
    expect(a.heldByNoProcess).toEqual([...DOCKER_DEFAULT_CAPS].sort());
    expect(a.runtimeBeyondDefault).toEqual(['SYS_ADMIN']);
    expect(auditCapabilities(['CHOWN'], []).heldByNoProcess).toBeUndefined();
  });
});
