import type { DaemonFiles, DaemonInput } from '../../inputs/daemon-input.js';
import { type FileFact, modeText } from '../../inputs/host-fs.js';
import { capped, fail, type Known, pass, skip } from '../../outcome.js';
import type { Check, Evidence, Outcome } from '../../types.js';
import { cisCheck } from './cis.js';

/**
 * CIS Docker section 3 "Docker daemon configuration files": owners and permissions, as data.
 * Each row names the file(s), the owner (`root:root`, `root:docker`) or the most permissive
 * mode allowed. A file that does not exist makes the check skip (the benchmark: "if present").
 */
type Pick = (f: DaemonFiles) => Known<readonly FileFact[]>;

const one = (get: (f: DaemonFiles) => FileFact | undefined): Pick => (f) => ({ known: true, value: [get(f)].filter((x): x is FileFact => x !== undefined) });
const maybe = (get: (f: DaemonFiles) => Known<FileFact | undefined>): Pick => (f) => {
  const k = get(f);
  return k.known ? { known: true, value: k.value ? [k.value] : [] } : k;
};

interface FileRule {
  readonly num: string;
  readonly what: string;
  readonly files: Pick;
  readonly owner?: string;
  readonly maxMode?: number;
  readonly severity: 'high' | 'medium' | 'low';
}

const RULES: readonly FileRule[] = [
  { num: '3.1', what: 'the docker.service file', files: one((f) => f.dockerService), owner: 'root:root', severity: 'medium' },
  { num: '3.2', what: 'the docker.service file', files: one((f) => f.dockerService), maxMode: 0o644, severity: 'medium' },
  { num: '3.3', what: 'the docker.socket file', files: one((f) => f.dockerSocketUnit), owner: 'root:root', severity: 'medium' },
  { num: '3.4', what: 'the docker.socket file', files: one((f) => f.dockerSocketUnit), maxMode: 0o644, severity: 'medium' },
  { num: '3.5', what: 'the /etc/docker directory', files: one((f) => f.etcDocker), owner: 'root:root', severity: 'medium' },
  { num: '3.6', what: 'the /etc/docker directory', files: one((f) => f.etcDocker), maxMode: 0o755, severity: 'medium' },
  { num: '3.7', what: 'registry certificate files', files: (f) => ({ known: true, value: f.registryCerts }), owner: 'root:root', severity: 'medium' },
  { num: '3.8', what: 'registry certificate files', files: (f) => ({ known: true, value: f.registryCerts }), maxMode: 0o444, severity: 'medium' },
  { num: '3.9', what: 'the TLS CA certificate file', files: maybe((f) => f.tlsCaCert), owner: 'root:root', severity: 'medium' },
  { num: '3.10', what: 'the TLS CA certificate file', files: maybe((f) => f.tlsCaCert), maxMode: 0o444, severity: 'medium' },
  { num: '3.11', what: 'the Docker server certificate file', files: maybe((f) => f.tlsCert), owner: 'root:root', severity: 'medium' },
  { num: '3.12', what: 'the Docker server certificate file', files: maybe((f) => f.tlsCert), maxMode: 0o444, severity: 'medium' },
  { num: '3.13', what: 'the Docker server certificate key file', files: maybe((f) => f.tlsKey), owner: 'root:root', severity: 'high' },
  { num: '3.14', what: 'the Docker server certificate key file', files: maybe((f) => f.tlsKey), maxMode: 0o400, severity: 'high' },
  { num: '3.15', what: 'the Docker socket file', files: (f) => f.sockets, owner: 'root:docker', severity: 'high' },
  { num: '3.16', what: 'the Docker socket file', files: (f) => f.sockets, maxMode: 0o660, severity: 'high' },
  { num: '3.17', what: 'the daemon.json file', files: one((f) => f.daemonJson), owner: 'root:root', severity: 'medium' },
  { num: '3.18', what: 'the daemon.json file', files: one((f) => f.daemonJson), maxMode: 0o644, severity: 'medium' },
  { num: '3.19', what: 'the /etc/default/docker file', files: one((f) => f.etcDefaultDocker), owner: 'root:root', severity: 'low' },
  // CIS 1.6.0 numbers these 3.19/3.20 (/etc/default/docker owner, mode) then 3.21/3.22 (/etc/sysconfig/docker mode, owner).
  { num: '3.20', what: 'the /etc/default/docker file', files: one((f) => f.etcDefaultDocker), maxMode: 0o644, severity: 'low' },
  { num: '3.21', what: 'the /etc/sysconfig/docker file', files: one((f) => f.sysconfigDocker), maxMode: 0o644, severity: 'low' },
  { num: '3.22', what: 'the /etc/sysconfig/docker file', files: one((f) => f.sysconfigDocker), owner: 'root:root', severity: 'low' },
  // The socket of the containerd the daemon dials, which is not always /run/containerd (inputs/containerd-socket.ts).
  { num: '3.23', what: 'the containerd socket file', files: maybe((f) => f.containerdSocket), owner: 'root:root', severity: 'medium' },
  { num: '3.24', what: 'the containerd socket file', files: maybe((f) => f.containerdSocket), maxMode: 0o660, severity: 'medium' },
];

/** Why a worked-out path was examined, as a suffix for messages. */
const origin = (f: FileFact) => (f.origin ? ` (${f.origin})` : '');

/** A file's owner as `user:group`, by name when the host's passwd/group know the ids. */
const ownerOf = (f: FileFact) => `${f.user ?? f.uid}:${f.group ?? f.gid}`;

function evaluate(rule: FileRule, d: DaemonInput): Outcome {
  const files = rule.files(d.files);
  if (!files.known) return skip(`cannot tell which file is ${rule.what}: ${files.reason}`);
  const present = files.value.filter((f) => f.exists);
  if (present.length === 0) return skip(`${rule.what} is not present${files.value[0] ? ` (${files.value[0].path}${origin(files.value[0])})` : ''}`);
  const unreadable = present.find((f) => f.error);
  if (unreadable) return skip(`cannot examine ${unreadable.path}: ${unreadable.error}`);
  const ev = (f: FileFact, ok: boolean): Evidence =>
    rule.owner
      ? { subject: f.path, field: 'owner', value: ownerOf(f), message: `${ok ? `owned by ${ownerOf(f)}` : `owned by ${ownerOf(f)}, expected ${rule.owner}`}${origin(f)}` }
      : { subject: f.path, field: 'mode', value: modeText(f.mode), message: `${ok ? `mode ${modeText(f.mode)}` : `mode ${modeText(f.mode)} is more permissive than ${modeText(rule.maxMode)}`}${origin(f)}` };
  const ok = (f: FileFact) => (rule.owner ? ownerOf(f) === rule.owner : ((f.mode ?? 0o7777) & ~(rule.maxMode ?? 0)) === 0);
  const bad = present.filter((f) => !ok(f));
  return bad.length === 0 ? pass(present.map((f) => ev(f, true))) : fail(capped(bad.map((f) => ev(f, false))));
}

function fileCheck(rule: FileRule): Check<'daemon'> {
  const title = rule.owner ? `${rule.what} ownership is set to ${rule.owner}` : `${rule.what} permissions are set to ${modeText(rule.maxMode)} or more restrictive`;
  const fix = rule.owner ? `chown ${rule.owner} <file>` : `chmod ${(rule.maxMode ?? 0).toString(8)} <file>`;
  return cisCheck(
    rule.num,
    'daemon',
    { title: title.charAt(0).toUpperCase() + title.slice(1), description: `Whoever can change ${rule.what} can change how the engine runs or impersonate it.`, severity: rule.severity, remediation: fix, concerns: ['config-integrity', 'access-control'] },
    (d) => evaluate(rule, d),
  );
}

export const CIS_DOCKER_FILES: readonly Check<'daemon'>[] = RULES.map(fileCheck);
