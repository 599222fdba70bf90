import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, openSync, readFileSync, closeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testCacheDir, bookwormBase } from '../helpers/debian-image.js';
import { dockerAvailable } from '../helpers/docker.js';
import { CommandError, exec, type ExecResult, pipe } from '../helpers/exec.js';

/**
 * A second Docker Engine for the compliance tests, with its own data root, exec root, pid file
 * and socket, so its flags can be changed without touching the machine's dockerd. It never gets
 * a bridge (ENVIRONMENT.md: 172.17.0.0/16 is off limits); the hardened one runs in a network
 * namespace of its own (`unshare --net`), where `--icc=false` may program iptables without
 * touching the host's rules. Stopped by pid, never by name.
 */
export interface SecondDaemon {
  readonly host: string;
  readonly socket: string;
  readonly pid: number;
  docker(args: readonly string[], timeoutMs?: number): Promise<ExecResult>;
  stop(): Promise<void>;
}

const DOCKER_ENV = { DOCKER_BUILDKIT: '0' } as const;

/** Why a second dockerd cannot run here, or undefined. */
export async function secondDaemonUnavailable(): Promise<string | undefined> {
  for (const bin of ['dockerd', 'docker', 'unshare']) {
    try {
      await exec('sh', ['-c', `command -v ${bin}`]);
    } catch {
      return `${bin} is not installed`;
    }
  }
  if (process.getuid?.() !== 0) return 'starting dockerd needs root';
  return undefined;
}

async function waitFor(what: string, ms: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));

/** Unmounts whatever dockerd left under `dir` (its data root bind, netns files), deepest first. */
export async function unmountBelow(dir: string): Promise<void> {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m === dir || m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) await exec('umount', ['-l', m]).catch(() => undefined);
}

export async function startDaemon(dir: string, name: string, flags: readonly string[], opts: { netns?: boolean; config?: object } = {}): Promise<SecondDaemon> {
  mkdirSync(dir, { recursive: true });
  // The remapped root (userns-remap) must be able to traverse to its data root.
  chmodSync(dir, 0o755);
  const socket = join(dir, `${name}.sock`);
  const pidfile = join(dir, `${name}.pid`);
  const config = join(dir, `${name}.json`);
  writeFileSync(config, JSON.stringify(opts.config ?? {}));
  const argv = ['--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '--pidfile', pidfile, '-H', `unix://${socket}`, '--bridge=none', '--config-file', config, ...flags];
  const log = openSync(join(dir, `${name}.log`), 'a');
  const child = opts.netns ? spawn('unshare', ['--net', 'dockerd', ...argv], { detached: true, stdio: ['ignore', log, log] }) : spawn('dockerd', argv, { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  child.unref();
  const host = `unix://${socket}`;
  const docker = (args: readonly string[], timeoutMs = 120_000) => exec('docker', ['-H', host, ...args], { env: DOCKER_ENV, timeoutMs });
  try {
    await waitFor(`dockerd ${name}`, 30_000, async () => {
      if (child.exitCode !== null) throw new Error(`dockerd exited with ${child.exitCode}: ${readFileSync(join(dir, `${name}.log`), 'utf8').slice(-2000)}`);
      return docker(['version', '--format', '{{.Server.Version}}'], 5_000).then(() => true, () => false);
    });
  } catch (err) {
    if (child.pid && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
    throw err;
  }
  // unshare execs dockerd, so the spawned pid is dockerd's; the pid file says so too.
  const pid = Number(readFileSync(pidfile, 'utf8').trim());
  return {
    host,
    socket,
    pid,
    docker,
    async stop() {
      if (alive(pid)) {
        process.kill(pid, 'SIGTERM');
        await waitFor(`dockerd ${pid} to stop`, 30_000, async () => !alive(pid)).catch(() => process.kill(pid, 'SIGKILL'));
      }
      await unmountBelow(dir);
    },
  };
}

/** Puts the Debian bookworm base image into `d`: from the debootstrap cache, else through the main daemon. */
export async function loadBase(d: SecondDaemon, tag: string): Promise<void> {
  const tarball = join(await testCacheDir(), 'bookworm-minbase.tar');
  if (existsSync(tarball)) {
    await d.docker(['import', '--message', 'portcullis-test bookworm minbase (debootstrap)', tarball, tag]);
    return;
  }
  if (!(await dockerAvailable())) throw new Error('no debootstrap cache and no main dockerd to build the base image');
  const base = await bookwormBase();
  await pipe(['docker', 'save', base], ['docker', '-H', d.host, 'load']);
  await d.docker(['tag', base, tag]);
}

/** `docker run -d`, or `docker create` when runc cannot start it here; says which. */
export async function runOrCreate(d: SecondDaemon, name: string, args: readonly string[], image: string): Promise<'running' | 'created'> {
  try {
    await d.docker(['run', '-d', '--name', name, '--network', 'none', ...args, image]);
    return 'running';
  } catch (err) {
    // A privileged container needs every capability; a machine whose bounding set lacks one
    // (CAP_SYS_RESOURCE here) makes runc fail. The configuration is still there to check.
    if (!(err instanceof CommandError) || !/unable to apply caps|operation not permitted/.test(err.stderr)) throw err;
    await d.docker(['rm', '-f', name]);
    await d.docker(['create', '--name', name, '--network', 'none', ...args, image]);
    return 'created';
  }
}
