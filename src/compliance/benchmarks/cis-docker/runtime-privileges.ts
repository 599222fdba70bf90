import type { ContainerInput } from '../../inputs/container-input.js';
import { capped, fail, pass, skip } from '../../outcome.js';
import type { Check, Evidence } from '../../types.js';
import { cisCheck, cisRule } from './cis.js';

/** CIS Docker section 5, privileges: capabilities, privileged mode, LSMs, seccomp, no-new-privileges, user namespaces. */

const ev = (c: ContainerInput, field: string, value: string, message: string): Evidence => ({ subject: c.name, field, value, message });
const securityOpts = (c: ContainerInput) => c.inspect.HostConfig?.SecurityOpt ?? [];
/** Capabilities and seccomp are decided by HostConfig.Privileged; without it nothing can be said. */
const noPrivileged = (c: ContainerInput) => (c.inspect.HostConfig?.Privileged === undefined ? skip("the container's inspect data has no HostConfig.Privileged") : undefined);

/** The daemon's security options mention `name` (`name=apparmor`, `name=selinux`, …). */
function daemonHas(c: ContainerInput, name: string): boolean | undefined {
  if (!c.daemon.info.known) return undefined;
  return (c.daemon.info.value.SecurityOptions ?? []).some((o) => o === `name=${name}` || o.startsWith(`name=${name},`));
}

export const CIS_DOCKER_PRIVILEGES: readonly Check<'container'>[] = [
  cisCheck('5.2', 'container', { title: 'An AppArmor profile is enabled, if applicable', description: 'AppArmor confines what a container process may touch even when it runs as root.', severity: 'medium', remediation: 'Run with the default profile (docker-default) or --security-opt apparmor=<profile>; never apparmor=unconfined.', concerns: ['runtime-hardening'] }, (c) => {
    const enabled = daemonHas(c, 'apparmor');
    if (enabled === undefined) return skip(`daemon info unavailable: ${c.daemon.info.known ? '' : c.daemon.info.reason}`);
    if (!enabled) return skip('AppArmor is not enabled on this host');
    const profile = c.inspect.AppArmorProfile ?? '';
    const e = [ev(c, 'AppArmorProfile', profile || 'none', `AppArmor profile ${profile || 'none'}`)];
    return profile === '' || profile === 'unconfined' ? fail(e) : pass(e);
  }),
  cisCheck('5.3', 'container', { title: 'SELinux security options are set, if applicable', description: 'SELinux labels keep container processes away from host files and other containers.', severity: 'medium', remediation: 'Do not run containers with --security-opt label=disable on SELinux hosts.', concerns: ['runtime-hardening'] }, (c) => {
    const enabled = daemonHas(c, 'selinux');
    if (enabled === undefined) return skip(`daemon info unavailable: ${c.daemon.info.known ? '' : c.daemon.info.reason}`);
    if (!enabled) return skip('SELinux is not enabled in the daemon (--selinux-enabled)');
    const disabled = securityOpts(c).find((o) => /^label[=:]disable$/.test(o));
    return disabled ? fail([ev(c, 'HostConfig.SecurityOpt', disabled, 'SELinux labelling is disabled')]) : pass([ev(c, 'HostConfig.SecurityOpt', JSON.stringify(securityOpts(c)), 'SELinux labelling applies')]);
  }),
  cisCheck('5.4', 'container', { title: 'Linux kernel capabilities are restricted within containers', description: 'Capabilities beyond Docker’s default set (SYS_ADMIN above all) give a container powers over the host kernel.', severity: 'high', remediation: 'Remove --cap-add; start from --cap-drop=ALL and add back only what the process needs.', concerns: ['least-privilege'] }, (c) => {
    const missing = noPrivileged(c);
    if (missing) return missing;
    const a = c.capabilities;
    const bad: Evidence[] = a.added.map((cap) => ev(c, 'capabilities.configured', cap, `${cap} is granted beyond the default set${a.dangerous.includes(cap) ? ' (host-level power)' : ''}`));
    for (const cap of a.runtimeBeyondDefault) if (!a.added.includes(cap)) bad.push(ev(c, 'capabilities.runtime', cap, `a process holds ${cap} in its bounding set`));
    if (bad.length) return fail(capped(bad, c.name));
    return pass([ev(c, 'capabilities.configured', a.configured.join(',') || 'none', `${a.configured.length} capabilities, none beyond the default set`)]);
  }),
  cisRule('5.5', 'container', { title: 'Privileged containers are not used', description: 'A privileged container has every capability, all devices and no seccomp or AppArmor: it is root on the host.', severity: 'critical', remediation: 'Remove --privileged; grant the specific capability or device instead.', concerns: ['least-privilege', 'isolation'] }, { field: 'HostConfig.Privileged', op: 'notEquals', value: true }),
  cisCheck('5.22', 'container', { title: 'The default seccomp profile is not disabled', description: 'Without seccomp a container may call every system call, including those behind most kernel escapes.', severity: 'high', remediation: 'Remove --security-opt seccomp=unconfined (and --privileged, which also disables seccomp).', concerns: ['runtime-hardening'] }, (c) => {
    const missing = noPrivileged(c);
    if (missing) return missing;
    const opt = securityOpts(c).find((o) => /^seccomp[=:]unconfined$/.test(o));
    if (opt) return fail([ev(c, 'HostConfig.SecurityOpt', opt, 'seccomp is disabled')]);
    if (c.inspect.HostConfig?.Privileged) return fail([ev(c, 'HostConfig.Privileged', 'true', 'privileged containers run without seccomp')]);
    if (c.processes.known) {
      const off = c.processes.value.filter((p) => p.seccomp === 0);
      if (off.length) return fail(off.map((p) => ev(c, `/proc/${p.pid}/status`, 'Seccomp: 0', `process ${p.name} runs without seccomp`)));
      return pass([ev(c, '/proc/<pid>/status', 'Seccomp: 2', `${c.processes.value.length} processes filtered by seccomp`)]);
    }
    return pass([ev(c, 'HostConfig.SecurityOpt', JSON.stringify(securityOpts(c)), 'the default seccomp profile applies')]);
  }),
  cisRule('5.25', 'container', { title: 'The cgroup usage is confirmed', description: 'A custom cgroup parent takes the container out of the limits set for Docker’s containers.', severity: 'low', remediation: 'Remove --cgroup-parent unless a reviewed hierarchy needs it.', concerns: ['resource-limits'] }, { field: 'HostConfig.CgroupParent', op: 'isUnset', failAs: 'warn' }),
  cisCheck('5.26', 'container', { title: 'The container is restricted from acquiring additional privileges', description: 'no_new_privs stops setuid binaries and file capabilities from raising privileges inside the container.', severity: 'medium', remediation: 'Run with --security-opt no-new-privileges (or set it daemon-wide with --no-new-privileges).', concerns: ['least-privilege'] }, (c) => {
    // The kernel's own flag is the truth for a running container; the configuration is for the others.
    if (c.processes.known) {
      const off = c.processes.value.filter((p) => p.noNewPrivs === false);
      const unread = c.processes.value.filter((p) => p.noNewPrivs === undefined);
      if (off.length) return fail(capped(off.map((p) => ev(c, `/proc/${p.pid}/status`, 'NoNewPrivs: 0', `process ${p.name} may gain privileges`))));
      if (unread.length === 0) return pass([ev(c, '/proc/<pid>/status', 'NoNewPrivs: 1', `all ${c.processes.value.length} processes have no_new_privs`)]);
    }
    const opt = securityOpts(c).find((o) => /^no-new-privileges([=:](true|1))?$/.test(o));
    if (opt) return pass([ev(c, 'HostConfig.SecurityOpt', opt, 'no-new-privileges is set')]);
    const daemonDefault = c.daemon.settings.noNewPrivileges;
    if (!daemonDefault.known) return skip(`not set on the container and the daemon default is unknown: ${daemonDefault.reason}`);
    const e = [ev(c, 'daemon --no-new-privileges', String(daemonDefault.value), `daemon default no-new-privileges ${daemonDefault.value}`)];
    return daemonDefault.value && !securityOpts(c).some((o) => /^no-new-privileges[=:](false|0)$/.test(o)) ? pass(e) : fail(e);
  }),
  cisRule('5.31', 'container', { title: 'The host’s user namespace is not shared', description: '--userns=host turns off user-namespace remapping for the container: its root is the host’s root.', severity: 'high', remediation: 'Remove --userns=host.', concerns: ['isolation', 'least-privilege'] }, { field: 'HostConfig.UsernsMode', op: 'notEquals', value: 'host' }),
];
