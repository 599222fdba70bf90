import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { known, unknown } from '../outcome.js';
import { type ContainerdFacts, managedContainerdRunning, parentPid, resolveContainerdSocket, SYSTEM_CONTAINERD_SOCKET } from './containerd-socket.js';
import { gatherDaemon } from './daemon-input.js';
import { parseDaemonFlags } from './daemon-flags.js';
import type { DaemonJson } from './daemon-settings.js';

const tmp = mkdtempSync(join(tmpdir(), 'pc-containerd-'));
const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  rmSync(tmp, { recursive: true, force: true });
});

const MANAGED = '/var/run/docker/containerd/containerd.sock';

/** Facts for a daemon started with `argv`, on a host where `present` sockets exist. */
function facts(argv: string[], opts: { json?: DaemonJson; present?: string[]; running?: boolean } = {}): ContainerdFacts {
  const present = new Set(opts.present ?? []);
  return { flags: known(parseDaemonFlags(argv)), json: known(opts.json), exists: (p) => present.has(p), managedRunning: () => opts.running };
}

const pathOf = (f: ContainerdFacts) => {
  const r = resolveContainerdSocket(f);
  return r.known ? `${r.value.source} ${r.value.path}` : `unknown: ${r.reason}`;
};

describe('resolveContainerdSocket', () => {
  it('takes --containerd or daemon.json "containerd" over every socket on the host', () => {
    const both = [SYSTEM_CONTAINERD_SOCKET, MANAGED];
    expect(pathOf(facts(['--containerd=/srv/ctd.sock'], { present: both, running: true }))).toBe('flag /srv/ctd.sock');
    expect(pathOf(facts(['--containerd', 'unix:///srv/ctd.sock']))).toBe('flag /srv/ctd.sock');
    expect(pathOf(facts(['-H', 'fd://'], { json: { containerd: '/srv/json.sock' }, present: both }))).toBe('daemon.json /srv/json.sock');
    // An empty address is dockerd's "not set".
    expect(pathOf(facts(['--containerd='], { present: [MANAGED] }))).toBe(`managed ${MANAGED}`);
  });

  it('falls back to the system socket, else the managed one under the exec root', () => {
    expect(pathOf(facts([], { present: [SYSTEM_CONTAINERD_SOCKET] }))).toBe(`system ${SYSTEM_CONTAINERD_SOCKET}`);
    expect(pathOf(facts([], { present: [MANAGED] }))).toBe(`managed ${MANAGED}`);
    expect(pathOf(facts(['--exec-root', '/srv/exec'], { present: ['/srv/exec/containerd/containerd.sock'] }))).toBe('managed /srv/exec/containerd/containerd.sock');
    expect(pathOf(facts([], { json: { 'exec-root': '/srv/j' }, present: ['/srv/j/containerd/containerd.sock'] }))).toBe('managed /srv/j/containerd/containerd.sock');
    // Nothing there: the socket dockerd would look for first, so the checks name what is missing.
    expect(pathOf(facts([]))).toBe(`system ${SYSTEM_CONTAINERD_SOCKET}`);
  });

  it('settles a host with both sockets by whether the managed containerd is the daemon’s live child', () => {
    const both = [SYSTEM_CONTAINERD_SOCKET, MANAGED];
    expect(pathOf(facts([], { present: both, running: true }))).toBe(`managed ${MANAGED}`);
    // A stale managed socket (its pid is gone): dockerd found the system socket at start.
    expect(pathOf(facts([], { present: both, running: false }))).toBe(`system ${SYSTEM_CONTAINERD_SOCKET}`);
    // Cannot tell (no /proc): the managed socket exists only if dockerd started its own.
    expect(pathOf(facts([], { present: both }))).toBe(`managed ${MANAGED}`);
    // A live child is proof even when its socket cannot be seen under the root prefix.
    expect(pathOf(facts([], { present: [SYSTEM_CONTAINERD_SOCKET], running: true }))).toBe(`managed ${MANAGED}`);
  });

  it('says unknown rather than guess when the command line or daemon.json cannot be read', () => {
    const noFlags = resolveContainerdSocket({ flags: unknown('no dockerd process'), json: known(undefined), exists: () => true, managedRunning: () => undefined });
    expect(noFlags).toMatchObject({ known: false, reason: expect.stringContaining('no dockerd process') });
    const noJson = resolveContainerdSocket({ flags: known(parseDaemonFlags([])), json: unknown('daemon.json is not JSON'), exists: () => true, managedRunning: () => true });
    expect(noJson).toMatchObject({ known: false, reason: expect.stringContaining('not JSON') });
    // daemon.json alone can name the socket: dockerd refuses the flag beside it.
    expect(resolveContainerdSocket({ flags: unknown('x'), json: known({ containerd: '/a.sock' }), exists: () => false, managedRunning: () => undefined })).toMatchObject({ known: true, value: { path: '/a.sock', source: 'daemon.json' } });
  });
});

describe('managedContainerdRunning', () => {
  /** A host root with dockerd's pid file and a /proc with the given `pid → ppid`. */
  function host(pidFile: string | undefined, procs: Record<number, string>): { root: string; proc: string } {
    const root = mkdtempSync(join(tmp, 'root-'));
    const proc = mkdtempSync(join(tmp, 'proc-'));
    if (pidFile !== undefined) {
      mkdirSync(join(root, 'exec/containerd'), { recursive: true });
      writeFileSync(join(root, 'exec/containerd/containerd.pid'), pidFile);
    }
    for (const [pid, stat] of Object.entries(procs)) {
      mkdirSync(join(proc, pid));
      writeFileSync(join(proc, pid, 'stat'), stat);
    }
    return { root, proc };
  }

  it('is true only for a live child of the daemon', () => {
    const h = host('42', { 42: '42 (containerd) S 7 42 42 0 -1' });
    expect(managedContainerdRunning(h.root, h.proc, '/exec', 7)).toBe(true);
    expect(managedContainerdRunning(h.root, h.proc, '/exec', 8)).toBe(false);
    expect(managedContainerdRunning(h.root, h.proc, '/other', 7)).toBeUndefined();
  });

  it('treats a stale pid as not running and garbage as unknown', () => {
    const stale = host('4242\n', {});
    expect(managedContainerdRunning(stale.root, stale.proc, '/exec', 7)).toBe(false);
    for (const bad of ['', 'abc', '-3', '9'.repeat(100_000)]) {
      const h = host(bad, {});
      expect(managedContainerdRunning(h.root, h.proc, '/exec', 7)).toBeUndefined();
    }
  });

  it('reads the parent from stat lines whose command holds spaces and parentheses', () => {
    expect(parentPid('42 (a) b) S 7 42')).toBe(7);
    expect(parentPid('42 (containerd)')).toBeUndefined();
    expect(parentPid('')).toBeUndefined();
  });
});

describe('gatherDaemon on a host root with real sockets', () => {
  async function listen(path: string): Promise<void> {
    mkdirSync(dirname(path), { recursive: true });
    const s = createServer();
    servers.push(s);
    await new Promise<void>((r) => s.listen(path, r));
  }

  it('stats the managed socket of the daemon under its exec root, with how it was found', async () => {
    const root = mkdtempSync(join(tmp, 'host-'));
    const proc = mkdtempSync(join(tmp, 'proc-'));
    mkdirSync(join(proc, '10'));
    writeFileSync(join(proc, '10', 'cmdline'), ['/usr/sbin/dockerd', '--exec-root', '/srv/exec', '-H', 'unix:///nowhere.sock', ''].join('\0'));
    mkdirSync(join(proc, '11'));
    writeFileSync(join(proc, '11', 'stat'), '11 (containerd) S 10 11 11');
    await listen(join(root, 'srv/exec/containerd/containerd.sock'));
    await listen(join(root, 'run/containerd/containerd.sock'));
    writeFileSync(join(root, 'srv/exec/containerd/containerd.pid'), '11');

    const d = await gatherDaemon({ dockerHost: `unix://${join(tmp, 'nowhere.sock')}`, root, procRoot: proc, daemonPid: 10 });
    expect(d.containerd).toMatchObject({ known: true, value: { source: 'managed', path: '/srv/exec/containerd/containerd.sock' } });
    expect(d.files.containerdSocket).toMatchObject({ known: true, value: { path: '/srv/exec/containerd/containerd.sock', exists: true, type: 'socket', origin: expect.stringContaining('/srv/exec') } });

    // The managed containerd gone: dockerd would have used the system socket.
    writeFileSync(join(proc, '11', 'stat'), '11 (containerd) S 1 11 11');
    const again = await gatherDaemon({ dockerHost: `unix://${join(tmp, 'nowhere.sock')}`, root, procRoot: proc, daemonPid: 10 });
    expect(again.files.containerdSocket).toMatchObject({ known: true, value: { path: SYSTEM_CONTAINERD_SOCKET, exists: true, type: 'socket' } });
  });
});
