import type { Concern } from '../../concerns.js';
import type { WorkloadInput } from '../../inputs/workload-input.js';
import type { Check, Severity } from '../../types.js';
import { defineCheck } from '../define.js';
import { capsOf, judge, type Json, type Verdict } from '../pod-spec.js';

/**
 * Pod Security Standards, Baseline profile, one check per control of the spec's table:
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline (v1.30+).
 */
export const PSS_SPEC = 'https://kubernetes.io/docs/concepts/security/pod-security-standards/';

export function pssCheck(
  id: string,
  meta: { title: string; description: string; severity: Severity; remediation: string; concerns: Concern[]; anchor: string },
  fn: (v: Verdict, w: WorkloadInput) => void,
): Check<'k8s-workload'> {
  return defineCheck(
    { id, benchmark: 'pss', target: 'k8s-workload', title: meta.title, description: meta.description, severity: meta.severity, remediation: meta.remediation, concerns: meta.concerns, references: [`${PSS_SPEC}#${meta.anchor}`] },
    (w) => judge(w, (v) => fn(v, w)),
  );
}

/** Pod-level and every container's securityContext, with their paths. */
export function securityContexts(v: Verdict): { path: string; sc: Json }[] {
  const out: { path: string; sc: Json }[] = [];
  const pod = v.object(v.w.pod, 'securityContext', `${v.w.podPath}.securityContext`);
  if (pod) out.push({ path: `${v.w.podPath}.securityContext`, sc: pod });
  for (const c of v.containers()) {
    const sc = v.object(c.spec, 'securityContext', `${c.path}.securityContext`);
    if (sc) out.push({ path: `${c.path}.securityContext`, sc });
  }
  return out;
}

const BASELINE_CAPS = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes',
]);
const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';

export const PSS_BASELINE: readonly Check<'k8s-workload'>[] = [
  pssCheck('pss-baseline-apparmor', { title: 'AppArmor profile is not overridden to unconfined', description: 'An unconfined AppArmor profile removes the mandatory access control that confines the container.', severity: 'medium', remediation: 'Leave the AppArmor profile unset, or set RuntimeDefault or a Localhost profile.', concerns: ['runtime-hardening'], anchor: 'baseline' }, (v) => {
    for (const { path, sc } of securityContexts(v)) {
      const prof = v.object(sc, 'appArmorProfile', `${path}.appArmorProfile`);
      const type = prof ? v.get(prof, 'type', `${path}.appArmorProfile.type`, 'string') : undefined;
      if (type !== undefined && type !== 'RuntimeDefault' && type !== 'Localhost') v.violation(`${path}.appArmorProfile.type`, type, `AppArmor profile type ${String(type)} is not allowed`);
    }
    const ann = v.object(v.w.podMeta, 'annotations', 'metadata.annotations') ?? {};
    for (const [k, val] of Object.entries(ann)) {
      if (!k.startsWith(APPARMOR_ANNOTATION)) continue;
      if (typeof val !== 'string') v.bad(`metadata.annotations.${k}`, 'a string', val);
      else if (val !== 'runtime/default' && !val.startsWith('localhost/')) v.violation(`metadata.annotations.${k}`, val, `AppArmor annotation ${val} is not allowed`);
    }
  }),
  pssCheck('pss-baseline-capabilities', { title: 'Only baseline capabilities are added', description: 'Capabilities beyond the baseline list give a container kernel powers such as administering the host or tracing other processes.', severity: 'high', remediation: 'Remove capabilities.add entries outside the baseline list (AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT).', concerns: ['least-privilege'], anchor: 'baseline' }, (v) => {
    for (const c of v.containers()) {
      for (const cap of capsOf(v, c, 'add')) if (!BASELINE_CAPS.has(cap)) v.violation(`${c.path}.securityContext.capabilities.add`, cap, `container ${c.name} adds ${cap}`);
    }
  }),
  pssCheck('pss-baseline-host-namespaces', { title: 'Host namespaces are not shared', description: 'Sharing the host network, PID or IPC namespace lets the pod see and reach host processes and traffic.', severity: 'high', remediation: 'Remove hostNetwork, hostPID and hostIPC, or set them to false.', concerns: ['isolation'], anchor: 'baseline' }, (v, w) => {
    for (const key of ['hostNetwork', 'hostPID', 'hostIPC']) {
      if (v.get(w.pod, key, `${w.podPath}.${key}`, 'boolean') === true) v.violation(`${w.podPath}.${key}`, true, `${key} is true`);
    }
  }),
  pssCheck('pss-baseline-host-path-volumes', { title: 'No hostPath volumes', description: 'A hostPath volume exposes the node file system to the pod.', severity: 'high', remediation: 'Replace hostPath volumes with persistent volumes, configMaps, secrets or emptyDir.', concerns: ['isolation'], anchor: 'baseline' }, (v, w) => {
    v.list(w.pod, 'volumes', `${w.podPath}.volumes`).forEach((vol, i) => {
      if (typeof vol === 'object' && vol !== null && 'hostPath' in vol) v.violation(`${w.podPath}.volumes[${i}].hostPath`, (vol as Json).hostPath, `volume ${String((vol as Json).name)} mounts a host path`);
    });
  }),
  pssCheck('pss-baseline-host-ports', { title: 'No host ports', description: 'Host ports bind the node’s interfaces directly and bypass network policy.', severity: 'medium', remediation: 'Remove hostPort from container ports; expose the pod through a Service.', concerns: ['network-segmentation'], anchor: 'baseline' }, (v) => {
    for (const c of v.containers()) {
      v.list(c.spec, 'ports', `${c.path}.ports`).forEach((p, i) => {
        if (typeof p !== 'object' || p === null) return v.bad(`${c.path}.ports[${i}]`, 'an object', p);
        const hp = v.get(p as Json, 'hostPort', `${c.path}.ports[${i}].hostPort`, 'number');
        if (hp !== undefined && hp !== 0) v.violation(`${c.path}.ports[${i}].hostPort`, hp, `container ${c.name} uses host port ${String(hp)}`);
      });
    }
  }),
  pssCheck('pss-baseline-host-process', { title: 'No Windows HostProcess containers', description: 'HostProcess containers run with privileged access to the Windows node.', severity: 'critical', remediation: 'Remove windowsOptions.hostProcess or set it to false.', concerns: ['isolation', 'least-privilege'], anchor: 'baseline' }, (v) => {
    for (const { path, sc } of securityContexts(v)) {
      const win = v.object(sc, 'windowsOptions', `${path}.windowsOptions`);
      if (win && v.get(win, 'hostProcess', `${path}.windowsOptions.hostProcess`, 'boolean') === true) v.violation(`${path}.windowsOptions.hostProcess`, true, 'hostProcess is true');
    }
  }),
  pssCheck('pss-baseline-privileged', { title: 'No privileged containers', description: 'A privileged container has every capability and access to all host devices: it is root on the node.', severity: 'critical', remediation: 'Remove securityContext.privileged or set it to false.', concerns: ['least-privilege', 'isolation'], anchor: 'baseline' }, (v) => {
    for (const c of v.containers()) {
      const sc = v.object(c.spec, 'securityContext', `${c.path}.securityContext`);
      if (sc && v.get(sc, 'privileged', `${c.path}.securityContext.privileged`, 'boolean') === true) v.violation(`${c.path}.securityContext.privileged`, true, `container ${c.name} is privileged`);
    }
  }),
  pssCheck('pss-baseline-proc-mount', { title: 'Default /proc mount', description: 'An Unmasked /proc mount exposes kernel interfaces the runtime normally hides.', severity: 'medium', remediation: 'Remove securityContext.procMount or set it to Default.', concerns: ['runtime-hardening', 'isolation'], anchor: 'baseline' }, (v) => {
    for (const c of v.containers()) {
      const sc = v.object(c.spec, 'securityContext', `${c.path}.securityContext`);
      const pm = sc ? v.get(sc, 'procMount', `${c.path}.securityContext.procMount`, 'string') : undefined;
      if (pm !== undefined && pm !== 'Default') v.violation(`${c.path}.securityContext.procMount`, pm, `container ${c.name} uses procMount ${String(pm)}`);
    }
  }),
  pssCheck('pss-baseline-seccomp', { title: 'Seccomp is not set to Unconfined', description: 'An Unconfined seccomp profile lets the container call every system call of the host kernel.', severity: 'high', remediation: 'Remove seccompProfile.type Unconfined; use RuntimeDefault.', concerns: ['runtime-hardening'], anchor: 'baseline' }, (v) => {
    for (const { path, sc } of securityContexts(v)) {
      const prof = v.object(sc, 'seccompProfile', `${path}.seccompProfile`);
      if (prof && v.get(prof, 'type', `${path}.seccompProfile.type`, 'string') === 'Unconfined') v.violation(`${path}.seccompProfile.type`, 'Unconfined', 'seccomp is Unconfined');
    }
  }),
  pssCheck('pss-baseline-selinux', { title: 'No custom SELinux user, role or forbidden type', description: 'Custom SELinux users and roles, or types outside the container types, escape the confinement SELinux gives containers.', severity: 'medium', remediation: 'Remove seLinuxOptions.user and role; keep type unset or one of container_t, container_init_t, container_kvm_t, container_engine_t.', concerns: ['runtime-hardening'], anchor: 'baseline' }, (v) => {
    for (const { path, sc } of securityContexts(v)) {
      const se = v.object(sc, 'seLinuxOptions', `${path}.seLinuxOptions`);
      if (!se) continue;
      const type = v.get(se, 'type', `${path}.seLinuxOptions.type`, 'string');
      if (type !== undefined && !SELINUX_TYPES.has(type as string)) v.violation(`${path}.seLinuxOptions.type`, type, `SELinux type ${String(type)} is not allowed`);
      for (const key of ['user', 'role']) {
        const val = v.get(se, key, `${path}.seLinuxOptions.${key}`, 'string');
        if (val !== undefined && val !== '') v.violation(`${path}.seLinuxOptions.${key}`, val, `SELinux ${key} is set`);
      }
    }
  }),
  pssCheck('pss-baseline-sysctls', { title: 'Only safe sysctls', description: 'Sysctls outside the namespaced safe set change kernel behaviour for every pod on the node.', severity: 'medium', remediation: 'Remove sysctls outside the safe set, or run the workload on dedicated nodes.', concerns: ['isolation'], anchor: 'baseline' }, (v, w) => {
    const sc = v.object(w.pod, 'securityContext', `${w.podPath}.securityContext`);
    if (!sc) return;
    v.list(sc, 'sysctls', `${w.podPath}.securityContext.sysctls`).forEach((s, i) => {
      const name = typeof s === 'object' && s !== null ? (s as Json).name : undefined;
      if (typeof name !== 'string') return v.bad(`${w.podPath}.securityContext.sysctls[${i}].name`, 'a string', name);
      if (!SAFE_SYSCTLS.has(name)) v.violation(`${w.podPath}.securityContext.sysctls[${i}].name`, name, `sysctl ${name} is not in the safe set`);
    });
  }),
];
