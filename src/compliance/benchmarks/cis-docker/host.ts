import type { FileFact } from '../../inputs/host-fs.js';
import type { HostInput } from '../../inputs/host-input.js';
import { fail, type Known, pass, skip, warn } from '../../outcome.js';
import type { Check } from '../../types.js';
import { cisCheck } from './cis.js';

/** CIS Docker section 1 "Host Configuration", plus 4.5 (content trust is a client setting of the host). */

const UNITS = (name: string) => ['/etc/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system'].map((d) => `${d}/${name}`);
const BIN = (name: string) => ['/usr/bin', '/usr/sbin', '/usr/local/bin'].map((d) => `${d}/${name}`);

/**
 * 1.1.3–1.1.18: what must be audited, and where it may live: fixed candidate paths (the first
 * existing one is used), or a file the daemon input worked out (`located`, with the path the
 * remediation gives as an example).
 */
type Audited = { readonly num: string; readonly what: string; readonly severity: 'medium' | 'low' } & (
  | { readonly paths: readonly string[] }
  | { readonly located: (h: HostInput) => Known<FileFact>; readonly example: string; readonly where: string }
);

const AUDITED: readonly Audited[] = [
  { num: '1.1.3', what: 'the Docker daemon binary', paths: BIN('dockerd'), severity: 'medium' },
  { num: '1.1.4', what: '/run/containerd', paths: ['/run/containerd'], severity: 'low' },
  { num: '1.1.5', what: '/var/lib/docker', paths: ['/var/lib/docker'], severity: 'low' },
  { num: '1.1.6', what: '/etc/docker', paths: ['/etc/docker'], severity: 'low' },
  { num: '1.1.7', what: 'docker.service', paths: UNITS('docker.service'), severity: 'low' },
  // The socket of the containerd the daemon dials (inputs/containerd-socket.ts), not always /run/containerd.
  {
    num: '1.1.8',
    what: 'containerd.sock',
    located: (h) => h.containerdSocket,
    example: '/run/containerd/containerd.sock',
    where: 'the containerd socket the daemon uses (`--containerd`; else /run/containerd/containerd.sock if a system containerd runs; else `<exec-root>/containerd/containerd.sock`)',
    severity: 'low',
  },
  { num: '1.1.9', what: 'docker.socket', paths: UNITS('docker.socket'), severity: 'low' },
  { num: '1.1.10', what: '/etc/default/docker', paths: ['/etc/default/docker'], severity: 'low' },
  { num: '1.1.11', what: '/etc/docker/daemon.json', paths: ['/etc/docker/daemon.json'], severity: 'low' },
  { num: '1.1.12', what: '/etc/containerd/config.toml', paths: ['/etc/containerd/config.toml'], severity: 'low' },
  { num: '1.1.13', what: '/etc/sysconfig/docker', paths: ['/etc/sysconfig/docker'], severity: 'low' },
  { num: '1.1.14', what: 'the containerd binary', paths: BIN('containerd'), severity: 'low' },
  { num: '1.1.15', what: 'containerd-shim', paths: BIN('containerd-shim'), severity: 'low' },
  { num: '1.1.16', what: 'containerd-shim-runc-v1', paths: BIN('containerd-shim-runc-v1'), severity: 'low' },
  { num: '1.1.17', what: 'containerd-shim-runc-v2', paths: BIN('containerd-shim-runc-v2'), severity: 'low' },
  { num: '1.1.18', what: 'the runc binary', paths: BIN('runc'), severity: 'low' },
];

/** Every host path the section 1 checks ask about (the gatherer stats them). */
export const HOST_AUDIT_PATHS: readonly string[] = AUDITED.flatMap((a) => ('paths' in a ? a.paths : []));

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A rule watches `path` when it names it as a watch (`-w`) or a path/dir field (`-F path=`). */
export function ruleWatches(rule: string, path: string): boolean {
  return new RegExp(`(^|[\\s=])${escape(path)}/?(\\s|$)`).test(rule);
}

/** The path to audit, or why the check cannot judge it; `note` says how a worked-out path was found. */
function auditedPath(a: Audited, h: HostInput): { path: string; note: string } | { skip: string } {
  if ('paths' in a) {
    const path = a.paths.find((p) => h.paths.get(p) === true);
    return path ? { path, note: '' } : { skip: `${a.what} is not present on this host (looked at ${a.paths.join(', ')})` };
  }
  const file = a.located(h);
  if (!file.known) return { skip: `cannot tell where ${a.what} is: ${file.reason}` };
  const note = file.value.origin ? ` (${file.value.origin})` : '';
  return file.value.exists ? { path: file.value.path, note } : { skip: `${a.what} is not present on this host (looked at ${file.value.path}${note})` };
}

function auditCheck(a: Audited): Check<'host'> {
  const example = 'paths' in a ? a.paths[0] : a.example;
  return cisCheck(
    a.num,
    'host',
    {
      title: `Auditing is configured for ${a.what}`,
      description: `Audit records of changes to ${a.what} show who altered the container engine and when.`,
      severity: a.severity,
      remediation: `Add a watch rule${'where' in a ? ` on ${a.where}` : ''}, e.g. \`-w ${example} -k docker\` in /etc/audit/rules.d/docker.rules, and reload auditd.`,
      concerns: ['audit-logging'],
    },
    (h: HostInput) => {
      const at = auditedPath(a, h);
      if ('skip' in at) return skip(at.skip);
      if (!h.auditRules.known) return skip(`audit rules cannot be read: ${h.auditRules.reason}`);
      const rule = h.auditRules.value.find((r) => ruleWatches(r, at.path));
      if (rule) return pass([{ subject: 'host', field: 'audit rules', value: rule, message: `${at.path} is audited${at.note}` }]);
      return fail([{ subject: 'host', field: 'audit rules', value: at.path, message: `no audit rule watches ${at.path}${at.note}` }]);
    },
  );
}

/** Docker Engine release lines maintained upstream, as of the date below (https://docs.docker.com/engine/release-notes/). */
export const ENGINE_LINES = { asOf: '2025-06', maintainedMajors: [27, 28] } as const;

export const CIS_DOCKER_HOST: readonly Check<'host'>[] = [
  cisCheck('1.1.1', 'host', { title: 'A separate partition for containers has been created', description: 'Containers filling Docker’s data root must not fill the host’s root file system.', severity: 'low', remediation: 'Mount a dedicated file system on Docker’s data root (/var/lib/docker), e.g. with an LVM volume.', concerns: ['availability', 'resource-limits'] }, (h) => {
    if (!h.dataRoot.known) return skip(`Docker's data root is unknown: ${h.dataRoot.reason}`);
    if (!h.mounts.known) return skip(`mounts cannot be read: ${h.mounts.reason}`);
    const dataRoot = h.dataRoot.value;
    const covering = h.mounts.value
      .filter((m) => dataRoot === m.mountPoint || dataRoot.startsWith(m.mountPoint === '/' ? '/' : `${m.mountPoint}/`))
      .sort((x, y) => y.mountPoint.length - x.mountPoint.length)[0];
    const rootMount = h.mounts.value.find((m) => m.mountPoint === '/');
    const ev = [{ subject: 'host', field: 'mountinfo', value: covering ? `${covering.mountPoint} (${covering.fsType} ${covering.device})` : 'none', message: `${dataRoot} is on ${covering?.mountPoint ?? 'an unknown mount'}` }];
    if (!covering || covering.mountPoint === '/') return fail(ev, `${dataRoot} is on the root file system`);
    if (rootMount && covering.device === rootMount.device) return fail(ev, `${covering.mountPoint} is a bind mount of the root file system (device ${covering.device})`);
    return pass(ev);
  }),
  cisCheck('1.1.2', 'host', { title: 'Only trusted users are allowed to control the Docker daemon', description: 'Members of the docker group can start privileged containers: membership is equivalent to root.', severity: 'high', remediation: 'Remove every user who does not need to administer Docker from the docker group.', concerns: ['access-control', 'least-privilege'] }, (h) => {
    if (!h.dockerGroup.known) return skip(`groups cannot be read: ${h.dockerGroup.reason}`);
    const members = h.dockerGroup.value;
    if (!members) return pass([{ subject: 'host', field: '/etc/group', message: 'there is no docker group' }]);
    if (members.length === 0) return pass([{ subject: 'host', field: '/etc/group', value: 'docker', message: 'the docker group has no members' }]);
    return warn('confirm that every member of the docker group is trusted with root on this host', members.map((m) => ({ subject: 'host', field: '/etc/group', value: m, message: `${m} is in the docker group` })));
  }),
  ...AUDITED.map(auditCheck),
  cisCheck('1.2.2', 'host', { title: 'The version of Docker is up to date', description: 'Engine releases fix container escapes; an unmaintained engine keeps them open.', severity: 'medium', remediation: 'Upgrade to a maintained Docker Engine release, or take your OS vendor’s security updates for its package.', concerns: ['vulnerability-management'] }, (h) => {
    if (!h.engineVersion.known) return skip(`the engine version is unknown: ${h.engineVersion.reason}`);
    const version = h.engineVersion.value;
    const major = Number(/^(\d+)\./.exec(version)?.[1]);
    const ev = [{ subject: 'daemon', field: 'ServerVersion', value: version, message: `Docker Engine ${version}` }];
    if (!Number.isInteger(major)) return warn(`cannot read a release line from version ${version}`, ev);
    if ((ENGINE_LINES.maintainedMajors as readonly number[]).includes(major) || major > Math.max(...ENGINE_LINES.maintainedMajors)) return pass(ev);
    // Distribution builds (Debian's 20.10.24+dfsg1) get security fixes from the distribution, not upstream.
    if (/[+~]/.test(version)) return warn(`the ${major}.x line is no longer maintained upstream (as of ${ENGINE_LINES.asOf}); this is a distribution build: confirm it receives security updates`, ev);
    return fail(ev, `the ${major}.x line is no longer maintained upstream (as of ${ENGINE_LINES.asOf})`);
  }),
  cisCheck('4.5', 'host', { title: 'Content trust for Docker is enabled', description: 'With content trust, the docker client refuses to pull or run unsigned image tags.', severity: 'medium', remediation: 'export DOCKER_CONTENT_TRUST=1 in the environment of every shell and CI job that runs docker.', concerns: ['image-integrity'] }, (h) => {
    const ev = [{ subject: 'host', field: 'DOCKER_CONTENT_TRUST', value: h.contentTrust ?? 'unset', message: `DOCKER_CONTENT_TRUST is ${h.contentTrust ?? 'unset'}` }];
    return h.contentTrust === '1' ? pass(ev) : fail(ev);
  }),
];
