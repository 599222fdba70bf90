// The plugin as its own process, `portcullis authz serve`, optionally pinned to one core by
// taskset (nice and taskset exec node, so the pid is node's), optionally at another nice
// level and optionally profiled (--cpu-prof).
// CPU time, run-queue wait and peak RSS come from /proc/<pid>: utime+stime, schedstat, VmHWM.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, unlinkSync } from 'node:fs';
import { promisify } from 'node:util';
import { onInterrupt } from './cleanup.mjs';

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** utime + stime of `pid` in ms (/proc/<pid>/stat fields 14 and 15, after the command name). */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
}

/**
 * Time the plugin's main thread spent runnable but waiting for a CPU, in ms (/proc/<pid>/schedstat,
 * second field): on a shared machine, latency the plugin did not cause.
 */
export function runqueueWaitMs(pid) {
  const f = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(' ');
  return Number(f[1]) / 1e6;
}

/** Peak resident set (VmHWM) of a live process, in KiB. */
export function peakRssKiB(pid) {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : Number.NaN;
}

/**
 * Starts the plugin and resolves once it logs `listening on <socket>`.
 * @param {{ cli: string, config: string, name: string, socket?: string, cpu?: string, nice?: number, log: string, profileDir?: string }} o
 */
export async function startPlugin(o) {
  const node = [...(o.profileDir ? ['--cpu-prof', '--cpu-prof-dir', o.profileDir] : []), o.cli, 'authz', 'serve', '--config', o.config, '--name', o.name, ...(o.socket ? ['--socket', o.socket] : [])];
  const pinned = o.cpu !== undefined ? ['taskset', '-c', o.cpu, process.execPath, ...node] : [process.execPath, ...node];
  const argv = o.nice !== undefined ? ['nice', ['-n', String(o.nice), ...pinned]] : [pinned[0], pinned.slice(1)];
  const fd = openSync(o.log, 'w');
  const child = spawn(argv[0], argv[1], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  // A plugin killed before its SIGTERM handler runs leaves its socket behind.
  const socket = o.socket ?? `/run/docker/plugins/${o.name}.sock`;
  const removeSocket = () => existsSync(socket) && unlinkSync(socket);
  const forget = onInterrupt(() => {
    child.kill('SIGKILL');
    removeSocket();
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const text = existsSync(o.log) ? readFileSync(o.log, 'utf8') : '';
    if (text.includes('listening on')) break;
    if (child.exitCode !== null || child.signalCode !== null) {
      forget();
      throw new Error(`the plugin exited: ${text.slice(-2000)}`);
    }
    if (Date.now() > deadline) {
      forget();
      child.kill('SIGKILL');
      throw new Error(`the plugin did not start within 60 s: ${text.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = child.pid;
  return {
    pid,
    cpuMs: () => cpuMs(pid),
    runqueueWaitMs: () => runqueueWaitMs(pid),
    peakRssKiB: () => peakRssKiB(pid),
    /** SIGTERM (requests in flight finish, the audit log is closed), SIGKILL after 20 s. */
    async stop() {
      forget();
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const r = await exited;
      clearTimeout(timer);
      removeSocket();
      return r;
    },
  };
}

/** `portcullis audit verify DIR --key KEY --json` → `{ ok, records, files }` (ok false with the error when it fails). */
export async function verifyAudit(cli, dir, key) {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [cli, 'audit', 'verify', dir, '--key', key, '--json'], { maxBuffer: 64 * 1024 * 1024 });
    const r = JSON.parse(stdout);
    return { ok: r.ok, records: r.records, files: r.files.length };
  } catch (err) {
    return { ok: false, records: Number.NaN, error: String(err.stderr || err).slice(0, 500) };
  }
}
