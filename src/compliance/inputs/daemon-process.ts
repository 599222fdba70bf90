import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Endpoint } from '../../image/daemon/engine.js';
import { type Known, known, unknown } from '../outcome.js';
import { listFlag, parseDaemonFlags } from './daemon-flags.js';

/**
 * Which dockerd serves an endpoint: its command line (`/proc/<pid>/cmdline`) is the only place
 * flags such as `--icc=false` can be read back; the Engine API does not report them.
 */
export interface DaemonProcess {
  readonly pid: number;
  readonly argv: readonly string[];
}

const MAX_CMDLINE = 256 * 1024;

function readCmdline(procRoot: string, pid: number): string[] | undefined {
  try {
    const raw = readFileSync(join(procRoot, String(pid), 'cmdline'));
    if (raw.length === 0 || raw.length > MAX_CMDLINE) return undefined;
    const parts = raw.toString('utf8').split('\0');
    if (parts[parts.length - 1] === '') parts.pop();
    return parts;
  } catch {
    return undefined;
  }
}

function isDockerd(argv: readonly string[]): boolean {
  const exe = argv[0] ?? '';
  return exe === 'dockerd' || exe.endsWith('/dockerd');
}

/** `/var/run/x` and `/run/x` are one file on every current distribution. */
function normalizeHost(host: string): string {
  if (host === 'fd://' || host.startsWith('fd://')) return 'unix:///run/docker.sock';
  return host.replace(/^unix:\/\/\/var\/run\//, 'unix:///run/').replace(/^(tcp|http):\/\//, 'tcp://').replace(/\/$/, '');
}

function endpointHost(ep: Endpoint): string {
  return normalizeHost(ep.socketPath ? `unix://${ep.socketPath}` : `tcp://${ep.host}:${ep.port}`);
}

/** Finds the dockerd process listening on `ep`: an explicit pid, else a scan of `procRoot`. */
export function findDaemonProcess(procRoot: string, ep: Endpoint, pid?: number): Known<DaemonProcess> {
  if (pid !== undefined) {
    const argv = readCmdline(procRoot, pid);
    if (!argv) return unknown(`cannot read ${join(procRoot, String(pid), 'cmdline')}`);
    if (!isDockerd(argv)) return unknown(`process ${pid} is ${argv[0] ?? 'unknown'}, not dockerd`);
    return known({ pid, argv });
  }
  let entries: string[];
  try {
    entries = readdirSync(procRoot).filter((e) => /^\d+$/.test(e));
  } catch (err) {
    return unknown(`cannot list ${procRoot}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const want = endpointHost(ep);
  const daemons: DaemonProcess[] = [];
  for (const e of entries) {
    const argv = readCmdline(procRoot, Number(e));
    if (argv && isDockerd(argv)) daemons.push({ pid: Number(e), argv });
  }
  if (daemons.length === 0) return unknown(`no dockerd process is visible in ${procRoot}`);
  const explicit = daemons.filter((d) => listFlag(parseDaemonFlags(d.argv.slice(1)), 'host').map(normalizeHost).includes(want));
  if (explicit.length === 1) return known(explicit[0] as DaemonProcess);
  // A daemon without -H listens on the default socket (unless its daemon.json names hosts:
  // then --daemon-pid says which process it is).
  const implicit = daemons.filter((d) => listFlag(parseDaemonFlags(d.argv.slice(1)), 'host').length === 0);
  if (explicit.length === 0 && implicit.length === 1 && want === 'unix:///run/docker.sock') return known(implicit[0] as DaemonProcess);
  return unknown(`${daemons.length} dockerd processes are running and none listens only on ${ep.display} (pass --daemon-pid)`);
}
