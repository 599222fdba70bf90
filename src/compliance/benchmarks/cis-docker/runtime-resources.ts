import type { ContainerInput } from '../../inputs/container-input.js';
import { fail, pass, skip } from '../../outcome.js';
import type { Check, Evidence } from '../../types.js';
import { cisCheck, cisRule } from './cis.js';

/** CIS Docker section 5, resources and exposure: limits, restart policy, health, ports, processes. */

const ev = (c: ContainerInput, field: string, value: string, message: string): Evidence => ({ subject: c.name, field, value, message });

/** Published ports: what the running container has, else what its configuration asks for. */
/** Without port data in the reply, port checks cannot decide. */
function noPorts(c: ContainerInput) {
  const known = c.running ? c.inspect.NetworkSettings?.Ports !== undefined : c.inspect.HostConfig?.PortBindings !== undefined;
  return known ? undefined : skip("the container's inspect data has no port bindings");
}

function bindings(c: ContainerInput): { port: string; hostIp: string; hostPort: number }[] {
  const map = c.running && c.inspect.NetworkSettings?.Ports ? c.inspect.NetworkSettings.Ports : (c.inspect.HostConfig?.PortBindings ?? {});
  const out: { port: string; hostIp: string; hostPort: number }[] = [];
  for (const [port, list] of Object.entries(map ?? {})) {
    for (const b of list ?? []) {
      const hostPort = Number(b.HostPort);
      if (Number.isInteger(hostPort) && hostPort > 0) out.push({ port, hostIp: b.HostIp ?? '', hostPort });
    }
  }
  return out;
}

export const CIS_DOCKER_RESOURCES: readonly Check<'container'>[] = [
  cisCheck('5.7', 'container', { title: 'sshd is not run within containers', description: 'An SSH daemon in a container is another service to patch and another way in.', severity: 'medium', remediation: 'Remove the SSH server; use docker exec for interactive access.', concerns: ['attack-surface'] }, (c) => {
    if (!c.processes.known) return skip(`processes unknown: ${c.processes.reason}`);
    const sshd = c.processes.value.filter((p) => p.name === 'sshd');
    if (sshd.length) return fail(sshd.map((p) => ev(c, `/proc/${p.pid}/status`, p.name, `process ${p.pid} is sshd`)));
    return pass([ev(c, 'processes', String(c.processes.value.length), 'no sshd process')]);
  }),
  cisCheck('5.8', 'container', { title: 'Privileged ports are not mapped within containers', description: 'Host ports below 1024 are reserved for privileged services.', severity: 'medium', remediation: 'Publish on host ports 1024 and above.', concerns: ['network-segmentation'] }, (c) => {
    const missing = noPorts(c);
    if (missing) return missing;
    const low = bindings(c).filter((b) => b.hostPort < 1024);
    if (low.length) return fail(low.map((b) => ev(c, 'ports', `${b.hostIp || '*'}:${b.hostPort}->${b.port}`, `host port ${b.hostPort} is privileged`)));
    return pass([ev(c, 'ports', String(bindings(c).length), 'no privileged host port')]);
  }),
  cisRule('5.11', 'container', { title: 'The memory usage for containers is limited', description: 'Without a memory limit one container can exhaust the host’s memory and trigger the OOM killer on others.', severity: 'medium', remediation: 'Run with --memory.', concerns: ['resource-limits', 'availability'] }, { field: 'HostConfig.Memory', op: 'greaterThan', value: 0 }),
  cisCheck('5.12', 'container', { title: 'CPU priority is set appropriately on containers', description: 'Without CPU shares or a CPU quota one container can starve the others.', severity: 'low', remediation: 'Run with --cpus or --cpu-shares.', concerns: ['resource-limits', 'availability'] }, (c) => {
    const hc = c.inspect.HostConfig ?? {};
    const set = [['CpuShares', hc.CpuShares], ['NanoCpus', hc.NanoCpus], ['CpuQuota', hc.CpuQuota]].filter(([, v]) => typeof v === 'number' && v > 0);
    if (set.length) return pass(set.map(([k, v]) => ev(c, `HostConfig.${k}`, String(v), `${k} is ${v}`)));
    return fail([ev(c, 'HostConfig.NanoCpus', '0', 'no CPU shares, quota or --cpus limit')]);
  }),
  cisRule('5.13', 'container', { title: 'The container’s root filesystem is mounted as read only', description: 'A read-only root file system stops an attacker from changing binaries and configuration in the container.', severity: 'medium', remediation: 'Run with --read-only and mount writable volumes or tmpfs only where the application writes.', concerns: ['runtime-hardening', 'config-integrity'] }, { field: 'HostConfig.ReadonlyRootfs', op: 'equals', value: true }),
  cisCheck('5.14', 'container', { title: 'Incoming container traffic is bound to a specific host interface', description: 'Ports published on 0.0.0.0 are reachable on every interface of the host.', severity: 'medium', remediation: 'Publish with an address: -p 127.0.0.1:8080:80.', concerns: ['network-segmentation'] }, (c) => {
    const missing = noPorts(c);
    if (missing) return missing;
    const open = bindings(c).filter((b) => b.hostIp === '' || b.hostIp === '0.0.0.0' || b.hostIp === '::');
    if (open.length) return fail(open.map((b) => ev(c, 'ports', `${b.hostIp || '0.0.0.0'}:${b.hostPort}`, `port ${b.hostPort} listens on every interface`)));
    return pass([ev(c, 'ports', String(bindings(c).length), 'no port bound to every interface')]);
  }),
  cisCheck('5.15', 'container', { title: 'The on-failure container restart policy is set to 5', description: 'A container that restarts forever hides a crash loop and can be used to keep a denial of service going.', severity: 'low', remediation: 'Use --restart on-failure:5 (or no restart policy).', concerns: ['availability'] }, (c) => {
    const p = c.inspect.HostConfig?.RestartPolicy;
    if (!p) return skip("the container's inspect data has no HostConfig.RestartPolicy");
    const name = p.Name ?? '';
    const max = p.MaximumRetryCount ?? 0;
    const e = [ev(c, 'HostConfig.RestartPolicy', `${name || 'no'}${name === 'on-failure' ? `:${max}` : ''}`, `restart policy ${name || 'no'}`)];
    if (name === 'always' || name === 'unless-stopped') return fail(e);
    if (name === 'on-failure' && (max === 0 || max > 5)) return fail(e);
    return pass(e);
  }),
  cisCheck('5.27', 'container', { title: 'Container health is checked at runtime', description: 'A health check lets the engine and orchestrators replace a hung container.', severity: 'low', remediation: 'Add a HEALTHCHECK to the image or run with --health-cmd.', concerns: ['availability'] }, (c) => {
    const status = c.inspect.State?.Health?.Status;
    if (status) return pass([ev(c, 'State.Health.Status', status, `health ${status}`)]);
    const test = c.inspect.Config?.Healthcheck?.Test;
    if (test && test.length && test[0] !== 'NONE') return pass([ev(c, 'Config.Healthcheck', JSON.stringify(test), 'a health check is configured')]);
    return fail([ev(c, 'Config.Healthcheck', 'unset', 'no health check')]);
  }),
  cisRule('5.29', 'container', { title: 'The PIDs cgroup limit is used', description: 'Without a PID limit a fork bomb in one container exhausts the host’s process table.', severity: 'medium', remediation: 'Run with --pids-limit.', concerns: ['resource-limits', 'availability'] }, { field: 'HostConfig.PidsLimit', op: 'greaterThan', value: 0 }),
];
