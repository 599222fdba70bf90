// A bench dockerd beside the machine's (which is never touched): its own data root, exec root
// (so its own containerd), pid file, socket and an empty daemon.json, no bridge, no iptables.
// The same recipe as test/e2e/compliance-dockerd.ts, in plain JavaScript because bench/ runs
// without compiling test/. Stopped by its pid; its mounts are removed afterwards.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { onInterrupt } from './cleanup.mjs';

const run = promisify(execFile);

/** The docker CLI the bench uses: Debian's, the same build as dockerd and the captures, unless BENCH_DOCKER says otherwise. */
export const DOCKER = process.env.BENCH_DOCKER || (existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker');

const alive = (pid) => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function mountsBelow(dir) {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m === dir || m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

export async function unmountBelow(dir) {
  for (const m of mountsBelow(dir)) await run('umount', ['-l', m]).catch(() => undefined);
}

/** Starts dockerd with `flags` under `dir` and waits until it answers. */
export async function startDockerd(dir, name, flags = []) {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  const socket = join(dir, `${name}.sock`);
  const pidfile = join(dir, `${name}.pid`);
  const config = join(dir, `${name}.json`);
  const logFile = join(dir, `${name}.log`);
  writeFileSync(config, '{}');
  const argv = ['--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '--pidfile', pidfile, '-H', `unix://${socket}`, '--bridge=none', '--iptables=false', '--config-file', config, ...flags];
  const log = openSync(logFile, 'a');
  const child = spawn('dockerd', argv, { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  child.unref();
  const host = `unix://${socket}`;
  const docker = (args, timeoutMs = 120_000) => run(DOCKER, ['-H', host, ...args], { timeout: timeoutMs, env: { ...process.env, DOCKER_BUILDKIT: '0' }, maxBuffer: 16 * 1024 * 1024 });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dockerd ${name} exited with ${child.exitCode}: ${readFileSync(logFile, 'utf8').slice(-2000)}`);
    if (await docker(['version', '--format', '{{.Server.Version}}'], 5_000).then(() => true, () => false)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`dockerd ${name} did not answer within 60 s: ${readFileSync(logFile, 'utf8').slice(-2000)}`);
    }
    await sleep(300);
  }
  const pid = Number(readFileSync(pidfile, 'utf8').trim());
  const forget = onInterrupt(() => {
    if (alive(pid)) process.kill(pid, 'SIGTERM');
    for (const m of mountsBelow(dir)) {
      try {
        execFileSync('umount', ['-l', m], { stdio: 'ignore' });
      } catch {
        // dockerd may have unmounted it itself while stopping.
      }
    }
  });
  return {
    name,
    host,
    socket,
    pid,
    docker,
    async stop() {
      if (alive(pid)) {
        process.kill(pid, 'SIGTERM');
        const until = Date.now() + 30_000;
        while (alive(pid) && Date.now() < until) await sleep(200);
        if (alive(pid)) process.kill(pid, 'SIGKILL');
      }
      await unmountBelow(dir);
      forget();
    },
  };
}

/** An image of busybox-static alone (`/bin/busybox` and a few applets), made by `docker import`. */
export async function importBusybox(d, dir, tag) {
  const root = join(dir, 'busybox-root');
  const tar = join(dir, 'busybox.tar');
  if (!existsSync(tar)) {
    mkdirSync(join(root, 'bin'), { recursive: true });
    const busybox = (await run('sh', ['-c', 'command -v busybox'])).stdout.trim();
    await run('cp', [busybox, join(root, 'bin/busybox')]);
    for (const applet of ['sh', 'true', 'sleep', 'echo']) await run('ln', ['-sf', 'busybox', join(root, 'bin', applet)]);
    await run('tar', ['--numeric-owner', '-C', root, '-cf', tar, '.']);
  }
  await d.docker(['import', '--change', 'CMD ["/bin/sh"]', tar, tag]);
}
