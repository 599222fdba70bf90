import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { type Known, known, unknown } from '../outcome.js';
import { lastFlag, type ParsedFlags } from './daemon-flags.js';
import type { DaemonJson } from './daemon-settings.js';

/**
 * Which containerd socket a running dockerd talks to (CIS Docker 1.1.8, 3.23, 3.24). dockerd
 * 20.10 decides once, at start (moby cmd/dockerd/daemon.go `initContainerD`,
 * daemon_unix.go `systemContainerdRunning`):
 *   1. `--containerd=PATH` or daemon.json `"containerd"`: that socket;
 *   2. else, when /run/containerd/containerd.sock exists (lstat): the system containerd;
 *   3. else it starts its own containerd at `<exec-root>/containerd/containerd.sock`
 *      (exec root: `--exec-root` / `"exec-root"`, default /var/run/docker) and writes that
 *      child's pid to `<exec-root>/containerd/containerd.pid`.
 * Step 2 is judged at start, so a system socket that appeared later does not mean the daemon
 * uses it: a live managed child of this dockerd wins. Rootless dockerd (XDG_RUNTIME_DIR) is not
 * covered.
 */
export const SYSTEM_CONTAINERD_SOCKET = '/run/containerd/containerd.sock';
export const DEFAULT_EXEC_ROOT = '/var/run/docker';

export type ContainerdSource = 'flag' | 'daemon.json' | 'system' | 'managed';

export interface ContainerdSocket {
  readonly path: string;
  readonly source: ContainerdSource;
  /** How the path was chosen, for evidence. */
  readonly why: string;
}

export interface ContainerdFacts {
  /** dockerd's command line, or why it could not be read. */
  readonly flags: Known<ParsedFlags>;
  /** daemon.json (undefined value: no such file), or why it could not be read. */
  readonly json: Known<DaemonJson | undefined>;
  /** Whether a path exists on the host. */
  readonly exists: (path: string) => boolean;
  /** Whether dockerd's own containerd under `execRoot` is running as its child; undefined: cannot tell. */
  readonly managedRunning: (execRoot: string) => boolean | undefined;
}

/** containerd dials a bare path; accept the `unix://` spelling people also write. */
const socketPath = (address: string | undefined): string | undefined => {
  const p = address?.trim().replace(/^unix:\/\//, '');
  return p ? p : undefined;
};

export const managedSocket = (execRoot: string): string => join(execRoot, 'containerd', 'containerd.sock');

export function resolveContainerdSocket(f: ContainerdFacts): Known<ContainerdSocket> {
  const json = f.json.known ? f.json.value : undefined;
  // dockerd refuses a key set both as a flag and in daemon.json, so either source is final.
  const fromJson = socketPath(json?.containerd);
  if (fromJson) return known({ path: fromJson, source: 'daemon.json', why: 'daemon.json "containerd"' });
  if (!f.flags.known) return unknown(`dockerd's command line is unknown (${f.flags.reason}), so its containerd socket is too`);
  const fromFlag = socketPath(lastFlag(f.flags.value, 'containerd'));
  if (fromFlag) return known({ path: fromFlag, source: 'flag', why: 'dockerd --containerd' });
  if (!f.json.known) return unknown(`daemon.json cannot be read (${f.json.reason}) and may name the containerd socket`);
  const execRoot = lastFlag(f.flags.value, 'exec-root') ?? json?.['exec-root'] ?? DEFAULT_EXEC_ROOT;
  const managed = managedSocket(execRoot);
  const system = known<ContainerdSocket>({ path: SYSTEM_CONTAINERD_SOCKET, source: 'system', why: 'system containerd (no --containerd; dockerd uses it when present at start)' });
  const own = known<ContainerdSocket>({ path: managed, source: 'managed', why: `dockerd's own containerd (no --containerd, exec root ${execRoot})` });
  const running = f.managedRunning(execRoot);
  if (running === true) return own;
  const systemExists = f.exists(SYSTEM_CONTAINERD_SOCKET);
  if (systemExists) return running === false || !f.exists(managed) ? system : own;
  if (f.exists(managed)) return own;
  // Neither socket is there: name the one dockerd would use first, so the checks say what is missing.
  return system;
}

/** The first `max` bytes of a file: a pid file is short, and a huge one must not be read whole. */
function readHead(path: string, max: number): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(max + 1);
    const n = readSync(fd, buf, 0, buf.length, 0);
    // Longer than any pid: make it fail the pid pattern.
    return n > max ? 'x' : buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** `pid (comm) state ppid …` (proc(5)); comm may hold spaces and parentheses. */
export function parentPid(stat: string): number | undefined {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(rest[1]);
  return Number.isInteger(ppid) && ppid > 0 ? ppid : undefined;
}

/**
 * Whether the containerd whose pid dockerd wrote under `<hostRoot><execRoot>/containerd` runs as
 * a child of `daemonPid`. undefined when there is no pid file or the process cannot be read.
 */
export function managedContainerdRunning(hostRoot: string, procRoot: string, execRoot: string, daemonPid: number): boolean | undefined {
  let text: string;
  try {
    text = readHead(join(hostRoot, execRoot, 'containerd', 'containerd.pid'), 32);
  } catch {
    return undefined;
  }
  // Linux pids stop at PID_MAX_LIMIT (2^22); anything else is not a pid file dockerd wrote.
  const pid = /^\s*(\d{1,7})\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(pid) || pid <= 0 || pid > 4_194_304) return undefined;
  try {
    return parentPid(readFileSync(join(procRoot, String(pid), 'stat'), 'utf8')) === daemonPid;
  } catch (err) {
    // No such process: the pid file is stale, so the managed containerd is not running.
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? false : undefined;
  }
}
