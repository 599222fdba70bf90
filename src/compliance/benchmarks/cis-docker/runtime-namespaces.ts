import type { ContainerInput } from '../../inputs/container-input.js';
import { capped, fail, pass, skip, warn } from '../../outcome.js';
import type { Check, Evidence } from '../../types.js';
import { cisCheck, cisRule } from './cis.js';

/** CIS Docker section 5, isolation: host namespaces, mounts, devices, the Docker socket, networks. */

const ev = (c: ContainerInput, field: string, value: string, message: string): Evidence => ({ subject: c.name, field, value, message });
const noMounts = (c: ContainerInput) => (c.inspect.Mounts === undefined ? skip("the container's inspect data has no Mounts") : undefined);
const SENSITIVE = ['/boot', '/dev', '/etc', '/lib', '/proc', '/sys', '/usr'];

function isSensitive(source: string): boolean {
  const s = source.replace(/\/+$/, '') || '/';
  return s === '/' || SENSITIVE.some((d) => s === d || s.startsWith(`${d}/`));
}

/** Unix socket paths the daemon listens on, plus the conventional ones. */
function daemonSockets(c: ContainerInput): Set<string> {
  const out = new Set(['/var/run/docker.sock', '/run/docker.sock']);
  if (c.daemon.settings.hosts.known) for (const h of c.daemon.settings.hosts.value) if (h.startsWith('unix://')) out.add(h.slice('unix://'.length));
  return out;
}

export const CIS_DOCKER_NAMESPACES: readonly Check<'container'>[] = [
  cisCheck('5.6', 'container', { title: 'Sensitive host system directories are not mounted on containers', description: 'A writable mount of /, /etc, /usr or /dev lets the container rewrite the host.', severity: 'high', remediation: 'Remove bind mounts of host system directories; mount read-only only what is needed.', concerns: ['isolation', 'config-integrity'] }, (c) => {
    const missing = noMounts(c);
    if (missing) return missing;
    const mounts = (c.inspect.Mounts ?? []).filter((m) => m.Type !== 'volume' && m.Source !== undefined && isSensitive(m.Source));
    const rw = mounts.filter((m) => m.RW !== false);
    const e = (m: (typeof mounts)[number]) => ev(c, 'Mounts', `${m.Source}:${m.Destination}${m.RW === false ? ':ro' : ''}`, `host ${m.Source} is mounted ${m.RW === false ? 'read-only' : 'read-write'} at ${m.Destination}`);
    if (rw.length) return fail(rw.map(e));
    if (mounts.length) return warn('host system directories are mounted read-only; confirm they are needed', mounts.map(e));
    return pass([ev(c, 'Mounts', String((c.inspect.Mounts ?? []).length), 'no host system directory is mounted')]);
  }),
  cisRule('5.10', 'container', { title: 'The host’s network namespace is not shared', description: '--network host gives the container every host interface, including services bound to loopback.', severity: 'high', remediation: 'Remove --network host; publish the ports the service needs.', concerns: ['isolation', 'network-segmentation'] }, { field: 'HostConfig.NetworkMode', op: 'notEquals', value: 'host' }),
  cisRule('5.16', 'container', { title: 'The host’s process namespace is not shared', description: '--pid host lets the container see and signal every host process.', severity: 'high', remediation: 'Remove --pid host.', concerns: ['isolation'] }, { field: 'HostConfig.PidMode', op: 'notEquals', value: 'host' }),
  cisRule('5.17', 'container', { title: 'The host’s IPC namespace is not shared', description: '--ipc host exposes the host’s shared memory segments and message queues.', severity: 'high', remediation: 'Remove --ipc host.', concerns: ['isolation'] }, { field: 'HostConfig.IpcMode', op: 'notEquals', value: 'host' }),
  cisRule('5.18', 'container', { title: 'Host devices are not directly exposed to containers', description: 'A device node passed with --device gives raw access to host hardware.', severity: 'medium', remediation: 'Remove --device unless the workload needs the device; restrict it with :r if possible.', concerns: ['isolation'] }, { field: 'HostConfig.Devices', op: 'isEmpty', failAs: 'warn' }),
  cisCheck('5.20', 'container', { title: 'Mount propagation mode is not set to shared', description: 'A shared mount propagates mounts made inside the container back to the host.', severity: 'medium', remediation: 'Use private or slave propagation (the default rprivate).', concerns: ['isolation'] }, (c) => {
    const missing = noMounts(c);
    if (missing) return missing;
    const shared = (c.inspect.Mounts ?? []).filter((m) => m.Propagation === 'shared' || m.Propagation === 'rshared');
    if (shared.length) return fail(shared.map((m) => ev(c, 'Mounts.Propagation', m.Propagation ?? '', `${m.Destination} uses ${m.Propagation} propagation`)));
    return pass([ev(c, 'Mounts.Propagation', 'private', 'no shared mount propagation')]);
  }),
  cisRule('5.21', 'container', { title: 'The host’s UTS namespace is not shared', description: '--uts host lets the container change the host’s hostname.', severity: 'medium', remediation: 'Remove --uts host.', concerns: ['isolation'] }, { field: 'HostConfig.UTSMode', op: 'notEquals', value: 'host' }),
  cisRule('5.30', 'container', { title: 'The default bridge docker0 is not used', description: 'Containers on the default bridge share one network without name resolution or isolation between applications.', severity: 'low', remediation: 'Attach containers to user-defined networks (or none).', concerns: ['network-segmentation'] }, { field: 'HostConfig.NetworkMode', op: 'notIn', value: ['default', 'bridge'] }),
  cisCheck('5.32', 'container', { title: 'The Docker socket is not mounted inside any containers', description: 'Whoever reaches the Docker socket controls the daemon, and with it the host.', severity: 'critical', remediation: 'Remove the docker.sock bind mount; give tools that need the API a restricted proxy or an authorization plugin.', concerns: ['isolation', 'access-control'] }, (c) => {
    const missing = noMounts(c);
    if (missing) return missing;
    const sockets = daemonSockets(c);
    const hits = (c.inspect.Mounts ?? []).filter((m) => (m.Source && (sockets.has(m.Source) || m.Source.endsWith('/docker.sock'))) || m.Destination?.endsWith('/docker.sock'));
    if (hits.length) return fail(capped(hits.map((m) => ev(c, 'Mounts', `${m.Source}:${m.Destination}`, `the Docker socket ${m.Source} is mounted at ${m.Destination}`))));
    return pass([ev(c, 'Mounts', String((c.inspect.Mounts ?? []).length), 'no Docker socket is mounted')]);
  }),
];
