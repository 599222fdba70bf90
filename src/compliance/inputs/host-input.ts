import { execFile } from 'node:child_process';
import { type Known, known, unknown } from '../outcome.js';
import { type FileFact, groupMembers, type HostFs, hostFs } from './host-fs.js';

/** Everything the host checks (CIS Docker section 1 and 4.5) read. */
export interface HostInput {
  readonly root: string;
  /** Docker's data root (from the daemon's configuration when it was read). */
  readonly dataRoot: Known<string>;
  readonly mounts: Known<readonly MountEntry[]>;
  /** Audit rules, one per line, from `auditctl -l` and the rules files. */
  readonly auditRules: Known<readonly string[]>;
  /** Whether each path a check asked about exists on the host. */
  readonly paths: ReadonlyMap<string, boolean>;
  /** The socket of the containerd the daemon uses (from the daemon input: its flags decide the path). */
  readonly containerdSocket: Known<FileFact>;
  /** Members of the `docker` group; undefined value: no such group. */
  readonly dockerGroup: Known<readonly string[] | undefined>;
  /** The engine's version as `/version` reports it. */
  readonly engineVersion: Known<string>;
  /** DOCKER_CONTENT_TRUST in the environment Portcullis runs in. */
  readonly contentTrust: string | undefined;
  readonly now: Date;
}

export interface MountEntry {
  readonly device: string;
  /** Path inside the mounted file system that is mounted (a bind mount's source). */
  readonly fsRoot: string;
  readonly mountPoint: string;
  readonly fsType: string;
}

/** /proc/<pid>/mountinfo, proc(5): `id parent major:minor root mountpoint opts … - fstype source superopts`. */
export function parseMountinfo(text: string): MountEntry[] {
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const parts = line.split(' ');
    const dash = parts.indexOf('-');
    if (parts.length < 10 || dash < 6) continue;
    out.push({ device: parts[2] as string, fsRoot: unescape(parts[3] as string), mountPoint: unescape(parts[4] as string), fsType: parts[dash + 1] ?? '' });
  }
  return out;
}

/** Audit rule lines from `-w`/`-a` rules files, comments dropped. */
export function ruleLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#') && l !== 'No rules');
}

function auditctl(signal?: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('auditctl', ['-l'], { timeout: 10_000, maxBuffer: 8 * 1024 * 1024, ...(signal ? { signal } : {}) }, (err, stdout) => resolve(err ? undefined : stdout));
  });
}

export interface HostGatherOptions {
  readonly root?: string;
  readonly dataRoot: Known<string>;
  readonly engineVersion: Known<string>;
  readonly paths: readonly string[];
  /** The daemon's containerd socket as the daemon input found it. */
  readonly containerdSocket: Known<FileFact>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Ask the kernel for its loaded rules (`auditctl -l`); only meaningful for the real root. */
  readonly queryKernel?: boolean;
  readonly now?: Date;
  readonly signal?: AbortSignal;
}

function readRules(fs: HostFs): { lines: string[]; problems: string[]; seen: boolean } {
  const lines: string[] = [];
  const problems: string[] = [];
  let seen = false;
  const files = ['/etc/audit/audit.rules', ...fs.list('/etc/audit/rules.d').filter((f) => f.endsWith('.rules')).map((f) => `/etc/audit/rules.d/${f}`)];
  for (const f of files) {
    const t = fs.readText(f);
    if (t.known) {
      seen = true;
      lines.push(...ruleLines(t.value));
    } else if (!t.absent) problems.push(t.reason);
  }
  return { lines, problems, seen };
}

export async function gatherHost(opts: HostGatherOptions): Promise<HostInput> {
  const root = opts.root ?? '/';
  const fs = hostFs(root);
  const mountText = fs.readText('/proc/self/mountinfo');
  const mounts: Known<MountEntry[]> = mountText.known ? known(parseMountinfo(mountText.value)) : unknown(mountText.reason);

  const files = readRules(fs);
  const loaded = opts.queryKernel && root === '/' ? await auditctl(opts.signal) : undefined;
  let auditRules: Known<string[]>;
  if (loaded !== undefined) auditRules = known([...ruleLines(loaded), ...files.lines]);
  else if (files.problems.length > 0 && !files.seen) auditRules = unknown(files.problems.join('; '));
  // No auditctl answer and no rules files: nothing audits Docker on this host.
  else auditRules = known(files.lines);

  const group = fs.readText('/etc/group');
  const passwd = fs.readText('/etc/passwd');
  const dockerGroup: Known<string[] | undefined> = group.known ? known(groupMembers(group.value, passwd.known ? passwd.value : undefined, 'docker')) : unknown(group.reason);

  return {
    root,
    dataRoot: opts.dataRoot,
    mounts,
    auditRules,
    paths: new Map(opts.paths.map((p) => [p, fs.stat(p).exists])),
    containerdSocket: opts.containerdSocket,
    dockerGroup,
    engineVersion: opts.engineVersion,
    contentTrust: opts.env.DOCKER_CONTENT_TRUST,
    now: opts.now ?? new Date(),
  };
}
