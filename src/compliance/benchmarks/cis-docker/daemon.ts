import type { DaemonInput } from '../../inputs/daemon-input.js';
import { fail, pass, skip, warn } from '../../outcome.js';
import type { Check, Evidence } from '../../types.js';
import { cisCheck, cisRule } from './cis.js';

/**
 * CIS Docker section 2 "Docker daemon configuration" and 5.1 (swarm mode, a daemon setting).
 * Most are a setting and an expected value (data); the settings come from /info, daemon.json
 * and dockerd's command line (inputs/daemon-settings.ts).
 */
const LOCAL_LOG_DRIVERS = new Set(['json-file', 'local', 'none']);

function settingEvidence(d: DaemonInput, field: string, value: unknown, message: string): Evidence[] {
  return [{ subject: d.endpoint, field, value: typeof value === 'string' ? value : JSON.stringify(value), message }];
}

export const CIS_DOCKER_DAEMON: readonly Check<'daemon'>[] = [
  cisRule('2.2', 'daemon', { title: 'Network traffic is restricted between containers on the default bridge', description: 'With icc enabled every container on the default bridge can reach every other one.', severity: 'medium', remediation: 'Run dockerd with --icc=false (or "icc": false in daemon.json) and connect containers through user-defined networks.', concerns: ['network-segmentation'] }, { field: 'settings.icc', op: 'equals', value: false }),
  cisRule('2.3', 'daemon', { title: 'The logging level is set to info', description: 'Debug logging floods logs with request bodies; levels above info drop events an audit needs.', severity: 'low', remediation: 'Remove --log-level / --debug or set the level to info.', concerns: ['audit-logging'] }, { field: 'settings.logLevel', op: 'equals', value: 'info' }),
  cisRule('2.4', 'daemon', { title: 'Docker is allowed to make changes to iptables', description: 'Docker keeps container networking rules consistent only when it manages iptables itself.', severity: 'medium', remediation: 'Remove --iptables=false.', concerns: ['network-segmentation'] }, { field: 'settings.iptables', op: 'equals', value: true }),
  cisRule('2.5', 'daemon', { title: 'Insecure registries are not used', description: 'An insecure registry is reached over plain HTTP or with unverified TLS: images can be swapped in transit.', severity: 'high', remediation: 'Remove --insecure-registry entries; give the registries valid TLS certificates.', concerns: ['secure-transport', 'image-integrity'] }, { field: 'settings.insecureRegistries', op: 'isEmpty' }),
  cisRule('2.6', 'daemon', { title: 'The aufs storage driver is not used', description: 'aufs is unmaintained and has known kernel crashes and security issues.', severity: 'medium', remediation: 'Use overlay2.', concerns: ['vulnerability-management'] }, { field: 'settings.storageDriver', op: 'notEquals', value: 'aufs' }),
  cisCheck('2.7', 'daemon', { title: 'TLS authentication for the Docker daemon is configured', description: 'A daemon listening on TCP without mutual TLS gives root to anyone who can reach the port.', severity: 'critical', remediation: 'Listen on TCP only with --tlsverify --tlscacert --tlscert --tlskey, or only on the unix socket.', concerns: ['secure-transport', 'access-control'] }, (d) => {
    const s = d.settings;
    if (!s.hosts.known) return skip(`listening addresses unknown: ${s.hosts.reason}`);
    const tcp = s.hosts.value.filter((h) => h.startsWith('tcp://') || h.startsWith('http://'));
    if (tcp.length === 0) return pass(settingEvidence(d, 'settings.hosts', s.hosts.value, 'the daemon listens only on local sockets'));
    if (!s.tlsVerify.known || !s.tlsCaCert.known || !s.tlsCert.known || !s.tlsKey.known) return skip('TLS settings cannot be read');
    const ok = s.tlsVerify.value && s.tlsCaCert.value && s.tlsCert.value && s.tlsKey.value;
    const ev = settingEvidence(d, 'settings.tlsVerify', s.tlsVerify.value, `TCP listeners ${tcp.join(', ')}; tlsverify ${s.tlsVerify.value}`);
    return ok ? pass(ev) : fail(ev);
  }),
  cisRule('2.8', 'daemon', { title: 'The default ulimit is configured appropriately', description: 'Default ulimits cap open files and processes for containers that set none.', severity: 'low', remediation: 'Set --default-ulimit (e.g. nofile=1024:4096) or "default-ulimits" in daemon.json.', concerns: ['resource-limits'] }, { field: 'settings.defaultUlimits', op: 'isNotEmpty', failAs: 'warn' }),
  cisRule('2.9', 'daemon', { title: 'User namespace support is enabled', description: 'With user namespaces, root in a container maps to an unprivileged user on the host.', severity: 'medium', remediation: 'Run dockerd with --userns-remap=default (or a dedicated user with /etc/subuid and /etc/subgid ranges).', concerns: ['least-privilege', 'isolation'] }, { field: 'settings.usernsRemap', op: 'isSet' }),
  cisRule('2.10', 'daemon', { title: 'The default cgroup usage has been confirmed', description: 'A custom --cgroup-parent moves every container out of the cgroup limits the host set for Docker.', severity: 'low', remediation: 'Remove --cgroup-parent unless a reviewed cgroup hierarchy requires it.', concerns: ['resource-limits'] }, { field: 'settings.cgroupParent', op: 'isUnset', failAs: 'warn' }),
  cisCheck('2.11', 'daemon', { title: 'The base device size is not changed until needed', description: 'A larger base device size lets every container fill more of the host’s disk.', severity: 'low', remediation: 'Remove the dm.basesize storage option unless needed.', concerns: ['resource-limits'] }, (d) => {
    const opts = d.settings.storageOpts;
    if (!opts.known) return skip(`storage options unknown: ${opts.reason}`);
    const base = opts.value.find((o) => o.startsWith('dm.basesize='));
    return base ? warn('the device-mapper base size is changed; confirm it is needed', settingEvidence(d, 'settings.storageOpts', base, base)) : pass(settingEvidence(d, 'settings.storageOpts', opts.value, 'dm.basesize is not set'));
  }),
  cisRule('2.12', 'daemon', { title: 'Authorization for Docker client commands is enabled', description: 'Without an authorization plugin anyone with access to the socket may do anything.', severity: 'high', remediation: 'Install an authorization plugin (e.g. Portcullis authz) and pass --authorization-plugin.', concerns: ['access-control'] }, { field: 'settings.authorizationPlugins', op: 'isNotEmpty' }),
  cisCheck('2.13', 'daemon', { title: 'Centralized and remote logging is configured', description: 'Logs kept only on the host are lost with it and can be altered by whoever compromises it.', severity: 'medium', remediation: 'Set --log-driver to syslog, journald forwarded off-host, fluentd, gelf, splunk or a cloud driver.', concerns: ['audit-logging'] }, (d) => {
    const drv = d.settings.logDriver;
    if (!drv.known) return skip(`log driver unknown: ${drv.reason}`);
    const ev = settingEvidence(d, 'settings.logDriver', drv.value, `log driver ${drv.value}`);
    return LOCAL_LOG_DRIVERS.has(drv.value) ? fail(ev) : pass(ev);
  }),
  cisRule('2.14', 'daemon', { title: 'Containers are restricted from acquiring new privileges', description: 'no-new-privileges stops setuid binaries and file capabilities from raising a process’s privileges.', severity: 'medium', remediation: 'Run dockerd with --no-new-privileges (or "no-new-privileges": true).', concerns: ['least-privilege'] }, { field: 'settings.noNewPrivileges', op: 'equals', value: true }),
  cisRule('2.15', 'daemon', { title: 'Live restore is enabled', description: 'Live restore keeps containers running while the daemon restarts or upgrades.', severity: 'low', remediation: 'Run dockerd with --live-restore.', concerns: ['availability'] }, { field: 'settings.liveRestore', op: 'equals', value: true }),
  cisRule('2.16', 'daemon', { title: 'The userland proxy is disabled', description: 'The userland proxy is an extra privileged process per published port; hairpin NAT does the same in the kernel.', severity: 'low', remediation: 'Run dockerd with --userland-proxy=false.', concerns: ['attack-surface'] }, { field: 'settings.userlandProxy', op: 'equals', value: false }),
  cisCheck('2.17', 'daemon', { title: 'A daemon-wide seccomp profile is applied', description: 'Seccomp filters the system calls containers may make; unconfined exposes the whole kernel interface.', severity: 'medium', remediation: 'Keep the default seccomp profile or set --seccomp-profile to a reviewed one; never unconfined.', concerns: ['runtime-hardening'] }, (d) => {
    const p = d.settings.seccompProfile;
    if (!p.known) return skip(`seccomp profile unknown: ${p.reason}`);
    const ev = settingEvidence(d, 'settings.seccompProfile', p.value ?? 'default', `seccomp ${p.value ?? 'default profile'}`);
    return p.value && /unconfined/.test(p.value) ? fail(ev) : pass(ev);
  }),
  cisRule('2.18', 'daemon', { title: 'Experimental features are not enabled in production', description: 'Experimental features are unsupported and change without notice.', severity: 'low', remediation: 'Remove --experimental.', concerns: ['attack-surface'] }, { field: 'settings.experimental', op: 'notEquals', value: true }),
  cisCheck('5.1', 'daemon', { title: 'Swarm mode is not enabled, if not needed', description: 'Swarm mode opens management ports and keeps cluster secrets on the node.', severity: 'low', remediation: 'docker swarm leave on hosts that do not take part in a swarm.', concerns: ['attack-surface'] }, (d) => {
    if (!d.info.known) return skip(`daemon info unavailable: ${d.info.reason}`);
    const state = d.info.value.Swarm?.LocalNodeState ?? 'inactive';
    const ev = settingEvidence(d, 'info.Swarm.LocalNodeState', state, `swarm ${state}`);
    return state === 'active' ? warn('swarm mode is active; confirm this host belongs to a swarm', ev) : pass(ev);
  }),
];
