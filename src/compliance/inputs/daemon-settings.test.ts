import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDockerHost } from '../../image/daemon/engine.js';
import { known, unknown } from '../outcome.js';
import { engineJson } from '../testdata/fixtures.js';
import { boolFlag, lastFlag, listFlag, parseDaemonFlags } from './daemon-flags.js';
import { findDaemonProcess } from './daemon-process.js';
import { resolveSettings } from './daemon-settings.js';
import { EngineInfoSchema } from './engine-schemas.js';

const info = EngineInfoSchema.parse(engineJson('info-weak.json'));
const tmp = mkdtempSync(join(tmpdir(), 'pc-daemon-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('parseDaemonFlags', () => {
  it('reads pflag syntax: =value, separate value, short flags, booleans, repeats', () => {
    const f = parseDaemonFlags(['-H', 'unix:///tmp/a.sock', '-Htcp://127.0.0.1:2376', '--icc=false', '--live-restore', '--log-opt', 'max-size=10m', '--log-opt=max-file=3', '-D', '--default-ulimit', 'nofile=1024:2048', '--graph=/srv/docker', '--userland-proxy=false', '--authorization-plugins=authz']);
    expect(listFlag(f, 'host')).toEqual(['unix:///tmp/a.sock', 'tcp://127.0.0.1:2376']);
    expect(boolFlag(f, 'icc')).toBe(false);
    expect(boolFlag(f, 'live-restore')).toBe(true);
    expect(boolFlag(f, 'debug')).toBe(true);
    expect(boolFlag(f, 'userland-proxy')).toBe(false);
    expect(listFlag(f, 'log-opt')).toEqual(['max-size=10m', 'max-file=3']);
    expect(lastFlag(f, 'data-root')).toBe('/srv/docker');
    expect(listFlag(f, 'authorization-plugin')).toEqual(['authz']);
    expect(boolFlag(f, 'no-new-privileges')).toBeUndefined();
  });

  it('survives odd argv without throwing', () => {
    expect(parseDaemonFlags(['-', '--', 'x', '--log-level']).extra).toEqual(['-', 'x', '--log-level']);
    expect(lastFlag(parseDaemonFlags(['--log-level']), 'log-level')).toBe('true');
    expect(parseDaemonFlags(Array(10_000).fill('--icc=false')).values.get('icc')).toHaveLength(10_000);
  });
});

describe('resolveSettings', () => {
  const flags = (argv: string[]) => known(parseDaemonFlags(argv));

  it('applies dockerd defaults when the command line was read', () => {
    const s = resolveSettings({ flags: flags(['--bridge=none', '--iptables=false']), json: known(undefined), info: known(info) });
    expect(s.icc).toEqual(known(true));
    expect(s.iptables).toEqual(known(false));
    expect(s.noNewPrivileges).toEqual(known(false));
    expect(s.liveRestore).toEqual(known(false));
    expect(s.logDriver).toEqual(known('json-file'));
    expect(s.hosts).toEqual(known(['unix:///var/run/docker.sock']));
    expect(s.insecureRegistries).toEqual(known([]));
    expect(s.usernsRemap).toEqual(known(undefined));
  });

  it('takes daemon.json over defaults and /info over both', () => {
    const json = { icc: false, 'live-restore': false, 'default-ulimits': { nofile: { Name: 'nofile', Hard: 2048, Soft: 1024 } }, 'log-driver': 'syslog' };
    const withInfo = { ...info, LiveRestoreEnabled: true, LoggingDriver: 'syslog', SecurityOptions: ['name=seccomp,profile=default', 'name=userns'], RegistryConfig: { InsecureRegistryCIDRs: ['127.0.0.0/8', '10.0.0.0/8'], IndexConfigs: { 'reg.local:5000': { Name: 'reg.local:5000', Secure: false } } } };
    const s = resolveSettings({ flags: flags([]), json: known(json), info: known(withInfo) });
    expect(s.icc).toEqual(known(false));
    expect(s.liveRestore).toEqual(known(true));
    expect(s.defaultUlimits).toEqual(known(['nofile']));
    expect(s.usernsRemap).toEqual(known('name=userns'));
    expect(s.insecureRegistries).toEqual(known(['10.0.0.0/8', 'reg.local:5000']));
  });

  it('leaves settings unknown when neither the command line nor daemon.json could be read', () => {
    const s = resolveSettings({ flags: unknown('no dockerd process'), json: known(undefined), info: unknown('daemon silent') });
    expect(s.icc.known).toBe(false);
    expect(s.noNewPrivileges.known).toBe(false);
    expect(!s.icc.known && s.icc.reason).toContain('no dockerd process');
    // A key daemon.json sets is known even without the command line: dockerd refuses the same key twice.
    const j = resolveSettings({ flags: unknown('no process'), json: known({ icc: false }), info: unknown('x') });
    expect(j.icc).toEqual(known(false));
    expect(j.iptables.known).toBe(false);
  });
});

describe('findDaemonProcess', () => {
  function fakeProc(procs: Record<number, string[] | Buffer>): string {
    const root = mkdtempSync(join(tmp, 'proc-'));
    for (const [pid, argv] of Object.entries(procs)) {
      mkdirSync(join(root, pid));
      writeFileSync(join(root, pid, 'cmdline'), Buffer.isBuffer(argv) ? argv : Buffer.from(`${argv.join('\0')}\0`));
    }
    mkdirSync(join(root, 'self'));
    return root;
  }

  it('finds the dockerd whose -H names the socket, and the default daemon without -H', () => {
    const proc = fakeProc({ 10: ['/usr/sbin/dockerd', '--bridge=none'], 20: ['dockerd', '-H', 'unix:///tmp/second.sock', '--icc=false'], 30: ['/bin/sleep', '100'], 40: Buffer.alloc(0) });
    expect(findDaemonProcess(proc, parseDockerHost('unix:///tmp/second.sock'))).toMatchObject({ known: true, value: { pid: 20 } });
    expect(findDaemonProcess(proc, parseDockerHost('unix:///var/run/docker.sock'))).toMatchObject({ known: true, value: { pid: 10 } });
    expect(findDaemonProcess(proc, parseDockerHost('unix:///tmp/other.sock')).known).toBe(false);
    expect(findDaemonProcess(proc, parseDockerHost(undefined), 20)).toMatchObject({ known: true, value: { pid: 20 } });
    expect(findDaemonProcess(proc, parseDockerHost(undefined), 30)).toMatchObject({ known: false, reason: expect.stringContaining('not dockerd') });
    expect(findDaemonProcess(proc, parseDockerHost(undefined), 99).known).toBe(false);
    expect(findDaemonProcess(join(tmp, 'no-proc'), parseDockerHost(undefined)).known).toBe(false);
  });

  it('matches fd:// (socket activation) and /var/run vs /run spellings', () => {
    const proc = fakeProc({ 7: ['/usr/bin/dockerd', '-H', 'fd://', '--containerd=/run/containerd/containerd.sock'] });
    expect(findDaemonProcess(proc, parseDockerHost('unix:///run/docker.sock'))).toMatchObject({ known: true, value: { pid: 7 } });
  });
});
