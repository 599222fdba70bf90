import type { Concern } from '../../concerns.js';
import type { WorkloadInput } from '../../inputs/workload-input.js';
import { fail, pass, warn } from '../../outcome.js';
import type { Check, Outcome, Severity } from '../../types.js';
import { defineCheck } from '../define.js';
import { capsOf, effective, judge, type Json, type Verdict } from '../pod-spec.js';
import { PSS_BASELINE } from '../pss/baseline.js';
import { PSS_RESTRICTED } from '../pss/restricted.js';

/**
 * CIS Kubernetes Benchmark v1.9.0, section 5 "Policies", the recommendations a workload
 * manifest decides. Where a control equals a Pod Security Standards control, the PSS check's
 * evaluation is reused: one engine, one answer.
 */
const CIS_K8S = 'CIS Kubernetes Benchmark v1.9.0';

type Meta = { title: string; description: string; severity: Severity; remediation: string; concerns: Concern[] };

function k8sCheck(num: string, meta: Meta, evaluate: (w: WorkloadInput) => Outcome): Check<'k8s-workload'> {
  return defineCheck({ id: `cis-k8s-${num}`, benchmark: 'cis-k8s', target: 'k8s-workload', ...meta, references: [`${CIS_K8S} ${num}`] }, evaluate);
}

const verdict = (fn: (v: Verdict, w: WorkloadInput) => void) => (w: WorkloadInput) => judge(w, (v) => fn(v, w));

function pssEval(id: string): (w: WorkloadInput) => Outcome {
  const c = [...PSS_BASELINE, ...PSS_RESTRICTED].find((x) => x.id === id);
  if (!c) throw new Error(`no PSS check ${id}`);
  return (w) => c.evaluate(w);
}

function hostNamespace(key: 'hostPID' | 'hostIPC' | 'hostNetwork') {
  return verdict((v, w) => {
    if (v.get(w.pod, key, `${w.podPath}.${key}`, 'boolean') === true) v.violation(`${w.podPath}.${key}`, true, `${key} is true`);
  });
}

export const CIS_K8S_WORKLOAD_CHECKS: readonly Check<'k8s-workload'>[] = [
  k8sCheck('5.1.6', { title: 'Service account tokens are mounted only where necessary', description: 'A mounted token lets anyone who compromises the pod call the Kubernetes API as its service account.', severity: 'low', remediation: 'Set automountServiceAccountToken: false on pods that do not call the API.', concerns: ['access-control', 'least-privilege'] }, (w) => {
    const v = w.pod.automountServiceAccountToken;
    if (v === false) return pass([{ subject: w.subject, field: `${w.podPath}.automountServiceAccountToken`, value: 'false', message: 'token not mounted' }]);
    if (v !== undefined && typeof v !== 'boolean') return warn(`${w.podPath}.automountServiceAccountToken should be a boolean, found ${JSON.stringify(v)}`);
    return warn('the service account token is mounted; confirm the pod calls the Kubernetes API', [{ subject: w.subject, field: `${w.podPath}.automountServiceAccountToken`, value: String(v ?? 'unset'), message: 'token mounted' }]);
  }),
  k8sCheck('5.2.2', { title: 'Minimize the admission of privileged containers', description: 'Privileged containers are root on the node.', severity: 'critical', remediation: 'Remove securityContext.privileged: true.', concerns: ['least-privilege', 'isolation'] }, pssEval('pss-baseline-privileged')),
  k8sCheck('5.2.3', { title: 'Minimize the admission of containers sharing the host PID namespace', description: 'hostPID lets the pod see and signal every process of the node.', severity: 'high', remediation: 'Remove hostPID: true.', concerns: ['isolation'] }, hostNamespace('hostPID')),
  k8sCheck('5.2.4', { title: 'Minimize the admission of containers sharing the host IPC namespace', description: 'hostIPC exposes the node’s shared memory and message queues.', severity: 'high', remediation: 'Remove hostIPC: true.', concerns: ['isolation'] }, hostNamespace('hostIPC')),
  k8sCheck('5.2.5', { title: 'Minimize the admission of containers sharing the host network namespace', description: 'hostNetwork gives the pod the node’s interfaces, including loopback services.', severity: 'high', remediation: 'Remove hostNetwork: true.', concerns: ['isolation', 'network-segmentation'] }, hostNamespace('hostNetwork')),
  k8sCheck('5.2.6', { title: 'Minimize the admission of containers with allowPrivilegeEscalation', description: 'Unless set to false, a process can gain privileges through setuid binaries.', severity: 'medium', remediation: 'Set allowPrivilegeEscalation: false on every container.', concerns: ['least-privilege'] }, pssEval('pss-restricted-privilege-escalation')),
  k8sCheck('5.2.7', { title: 'Minimize the admission of root containers', description: 'A container without runAsNonRoot or a non-zero runAsUser may run as root.', severity: 'medium', remediation: 'Set runAsNonRoot: true or a non-zero runAsUser.', concerns: ['least-privilege'] }, verdict((v) => {
    for (const c of v.containers()) {
      const nonRoot = effective(v, c, 'runAsNonRoot', 'boolean');
      const user = effective(v, c, 'runAsUser', 'number');
      if (nonRoot !== true && !(typeof user === 'number' && user > 0)) v.violation(`${c.path}.securityContext`, { runAsNonRoot: nonRoot ?? null, runAsUser: user ?? null }, `container ${c.name} may run as root`);
    }
  })),
  k8sCheck('5.2.8', { title: 'Minimize the admission of containers with the NET_RAW capability', description: 'NET_RAW allows crafting packets and spoofing on the pod network.', severity: 'medium', remediation: 'Drop NET_RAW (or ALL) in securityContext.capabilities.drop.', concerns: ['least-privilege', 'network-segmentation'] }, verdict((v) => {
    for (const c of v.containers()) {
      const drop = capsOf(v, c, 'drop');
      if (!drop.includes('ALL') && !drop.includes('NET_RAW')) v.violation(`${c.path}.securityContext.capabilities.drop`, drop, `container ${c.name} keeps NET_RAW`);
      if (capsOf(v, c, 'add').includes('NET_RAW')) v.violation(`${c.path}.securityContext.capabilities.add`, 'NET_RAW', `container ${c.name} adds NET_RAW`);
    }
  })),
  k8sCheck('5.2.9', { title: 'Minimize the admission of containers with added capabilities', description: 'Capabilities beyond the runtime default widen what a compromised process can do.', severity: 'medium', remediation: 'Remove capabilities.add.', concerns: ['least-privilege'] }, verdict((v) => {
    for (const c of v.containers()) for (const cap of capsOf(v, c, 'add')) v.violation(`${c.path}.securityContext.capabilities.add`, cap, `container ${c.name} adds ${cap}`);
  })),
  k8sCheck('5.2.10', { title: 'Minimize the admission of containers with capabilities assigned', description: 'Most applications need no capability at all; dropping ALL removes the runtime default set.', severity: 'low', remediation: 'Set capabilities.drop: ["ALL"].', concerns: ['least-privilege'] }, verdict((v) => {
    for (const c of v.containers()) if (!capsOf(v, c, 'drop').includes('ALL')) v.violation(`${c.path}.securityContext.capabilities.drop`, capsOf(v, c, 'drop'), `container ${c.name} keeps the default capabilities`);
  })),
  k8sCheck('5.2.11', { title: 'Minimize the admission of Windows HostProcess containers', description: 'HostProcess containers have privileged access to the Windows node.', severity: 'critical', remediation: 'Remove windowsOptions.hostProcess: true.', concerns: ['isolation', 'least-privilege'] }, pssEval('pss-baseline-host-process')),
  k8sCheck('5.2.12', { title: 'Minimize the admission of HostPath volumes', description: 'hostPath volumes expose the node file system.', severity: 'high', remediation: 'Replace hostPath volumes.', concerns: ['isolation'] }, pssEval('pss-baseline-host-path-volumes')),
  k8sCheck('5.2.13', { title: 'Minimize the admission of containers which use HostPorts', description: 'Host ports bind node interfaces and bypass network policy.', severity: 'medium', remediation: 'Remove hostPort.', concerns: ['network-segmentation'] }, pssEval('pss-baseline-host-ports')),
  k8sCheck('5.4.1', { title: 'Prefer using Secrets as files over Secrets as environment variables', description: 'Environment variables leak into logs, crash dumps and child processes.', severity: 'medium', remediation: 'Mount secrets as volumes instead of env valueFrom.secretKeyRef or envFrom.secretRef.', concerns: ['secrets'] }, verdict((v) => {
    for (const c of v.containers()) {
      v.list(c.spec, 'env', `${c.path}.env`).forEach((e, i) => {
        const ref = typeof e === 'object' && e !== null ? ((e as Json).valueFrom as Json | undefined)?.secretKeyRef : undefined;
        if (ref !== undefined) v.violation(`${c.path}.env[${i}].valueFrom.secretKeyRef`, (e as Json).name, `container ${c.name} reads a secret into an environment variable`);
      });
      v.list(c.spec, 'envFrom', `${c.path}.envFrom`).forEach((e, i) => {
        if (typeof e === 'object' && e !== null && (e as Json).secretRef !== undefined) v.violation(`${c.path}.envFrom[${i}].secretRef`, (e as Json).secretRef, `container ${c.name} loads a secret into its environment`);
      });
    }
  })),
  k8sCheck('5.7.2', { title: 'Ensure that the seccomp profile is set to RuntimeDefault in pod definitions', description: 'Without a profile, pods run unconfined on most runtimes.', severity: 'medium', remediation: 'Set securityContext.seccompProfile.type: RuntimeDefault.', concerns: ['runtime-hardening'] }, verdict((v, w) => {
    const ann = (w.podMeta.annotations ?? {}) as Json;
    const legacy = ann['seccomp.security.alpha.kubernetes.io/pod'];
    for (const c of v.containers()) {
      const type = (effective(v, c, 'seccompProfile', 'object') as Json | undefined)?.type;
      if (type === 'RuntimeDefault' || type === 'Localhost') continue;
      if (type === undefined && (legacy === 'runtime/default' || legacy === 'docker/default')) continue;
      v.violation(`${c.path}.securityContext.seccompProfile.type`, type ?? 'unset', `container ${c.name} has no RuntimeDefault seccomp profile`);
    }
  })),
  k8sCheck('5.7.3', { title: 'Apply SecurityContext to your Pods and Containers', description: 'A security context is where privilege, user and filesystem restrictions are declared.', severity: 'low', remediation: 'Set a securityContext on the pod and on each container.', concerns: ['runtime-hardening', 'least-privilege'] }, verdict((v, w) => {
    const podSc = v.object(w.pod, 'securityContext', `${w.podPath}.securityContext`);
    const podSet = podSc !== undefined && Object.keys(podSc).length > 0;
    for (const c of v.containers()) {
      const sc = v.object(c.spec, 'securityContext', `${c.path}.securityContext`);
      if (!podSet && (sc === undefined || Object.keys(sc).length === 0)) v.violation(`${c.path}.securityContext`, 'unset', `container ${c.name} and its pod have no securityContext`);
    }
  })),
  k8sCheck('5.7.4', { title: 'The default namespace should not be used', description: 'Workloads in default share one namespace’s policies, quotas and RBAC with everything else put there.', severity: 'low', remediation: 'Create namespaces for workloads and set metadata.namespace.', concerns: ['isolation', 'access-control'] }, (w) => {
    const ev = [{ subject: w.subject, field: 'metadata.namespace', value: w.namespace ?? 'unset', message: `namespace ${w.namespace ?? 'unset'}` }];
    if (w.namespace === 'default') return fail(ev);
    if (w.namespace === undefined) return warn('metadata.namespace is unset: the workload lands in the namespace of whoever applies it', ev);
    return pass(ev);
  }),
];
