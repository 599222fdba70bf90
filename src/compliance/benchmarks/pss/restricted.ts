import type { WorkloadInput } from '../../inputs/workload-input.js';
import { skip } from '../../outcome.js';
import type { Check } from '../../types.js';
import { capsOf, effective, type Json } from '../pod-spec.js';
import { pssCheck } from './baseline.js';

/**
 * Pod Security Standards, Restricted profile (the controls it adds to Baseline):
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted. Windows pods
 * (spec.os.name: windows) are exempt from the Linux-only controls, as the spec says.
 */
const ALLOWED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

function isWindows(w: WorkloadInput): boolean {
  const os = w.pod.os;
  return typeof os === 'object' && os !== null && (os as Json).name === 'windows';
}

/** A Linux-only restricted control: Windows pods skip it. */
function linuxOnly(check: Check<'k8s-workload'>): Check<'k8s-workload'> {
  return { ...check, evaluate: (w) => (isWindows(w) ? skip('not applicable to Windows pods (spec.os.name: windows)') : check.evaluate(w)) };
}

export const PSS_RESTRICTED: readonly Check<'k8s-workload'>[] = [
  linuxOnly(
    pssCheck('pss-restricted-capabilities', { title: 'Containers drop ALL capabilities and add at most NET_BIND_SERVICE', description: 'Dropping every capability and adding back only binding low ports leaves a compromised process no kernel privileges.', severity: 'medium', remediation: 'Set securityContext.capabilities.drop: ["ALL"] on every container; add only NET_BIND_SERVICE if needed.', concerns: ['least-privilege'], anchor: 'restricted' }, (v) => {
      for (const c of v.containers()) {
        if (!capsOf(v, c, 'drop').includes('ALL')) v.violation(`${c.path}.securityContext.capabilities.drop`, capsOf(v, c, 'drop'), `container ${c.name} does not drop ALL`);
        for (const cap of capsOf(v, c, 'add')) if (cap !== 'NET_BIND_SERVICE') v.violation(`${c.path}.securityContext.capabilities.add`, cap, `container ${c.name} adds ${cap}`);
      }
    }),
  ),
  linuxOnly(
    pssCheck('pss-restricted-privilege-escalation', { title: 'Privilege escalation is disallowed', description: 'allowPrivilegeEscalation: false sets no_new_privs, so setuid binaries and file capabilities cannot raise privileges.', severity: 'medium', remediation: 'Set securityContext.allowPrivilegeEscalation: false on every container.', concerns: ['least-privilege'], anchor: 'restricted' }, (v) => {
      for (const c of v.containers()) {
        const sc = v.object(c.spec, 'securityContext', `${c.path}.securityContext`);
        const ape = sc ? v.get(sc, 'allowPrivilegeEscalation', `${c.path}.securityContext.allowPrivilegeEscalation`, 'boolean') : undefined;
        if (ape !== false) v.violation(`${c.path}.securityContext.allowPrivilegeEscalation`, ape ?? 'unset', `container ${c.name} does not set allowPrivilegeEscalation: false`);
      }
    }),
  ),
  pssCheck('pss-restricted-run-as-non-root', { title: 'Containers must run as non-root', description: 'runAsNonRoot makes the kubelet refuse to start a container whose user is root.', severity: 'medium', remediation: 'Set securityContext.runAsNonRoot: true on the pod (and do not set it to false on any container).', concerns: ['least-privilege'], anchor: 'restricted' }, (v) => {
    for (const c of v.containers()) {
      const nonRoot = effective(v, c, 'runAsNonRoot', 'boolean');
      if (nonRoot !== true) v.violation(`${c.path}.securityContext.runAsNonRoot`, nonRoot ?? 'unset', `container ${c.name} may run as root`);
    }
  }),
  pssCheck('pss-restricted-run-as-user', { title: 'runAsUser is not 0', description: 'Setting runAsUser to 0 runs the container as root whatever the image says.', severity: 'medium', remediation: 'Remove runAsUser: 0 or set a non-zero user id.', concerns: ['least-privilege'], anchor: 'restricted' }, (v, w) => {
    const psc = v.object(w.pod, 'securityContext', `${w.podPath}.securityContext`);
    if (psc && v.get(psc, 'runAsUser', `${w.podPath}.securityContext.runAsUser`, 'number') === 0) v.violation(`${w.podPath}.securityContext.runAsUser`, 0, 'the pod runs as user 0');
    for (const c of v.containers()) {
      const sc = v.object(c.spec, 'securityContext', `${c.path}.securityContext`);
      if (sc && v.get(sc, 'runAsUser', `${c.path}.securityContext.runAsUser`, 'number') === 0) v.violation(`${c.path}.securityContext.runAsUser`, 0, `container ${c.name} runs as user 0`);
    }
  }),
  linuxOnly(
    pssCheck('pss-restricted-seccomp', { title: 'Seccomp profile is RuntimeDefault or Localhost', description: 'Restricted requires an explicit seccomp profile so system calls are filtered on every node.', severity: 'medium', remediation: 'Set securityContext.seccompProfile.type: RuntimeDefault on the pod (or Localhost with a profile).', concerns: ['runtime-hardening'], anchor: 'restricted' }, (v) => {
      for (const c of v.containers()) {
        const prof = effective(v, c, 'seccompProfile', 'object') as Json | undefined;
        const type = prof?.type;
        if (type !== 'RuntimeDefault' && type !== 'Localhost') v.violation(`${c.path}.securityContext.seccompProfile.type`, type ?? 'unset', `container ${c.name} has no RuntimeDefault or Localhost seccomp profile`);
      }
    }),
  ),
  pssCheck('pss-restricted-volume-types', { title: 'Only restricted volume types', description: 'Restricted pods may use only volume types that carry no host or cluster-wide data: configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret.', severity: 'medium', remediation: 'Replace other volume types with a persistentVolumeClaim or one of the allowed types.', concerns: ['isolation'], anchor: 'restricted' }, (v, w) => {
    v.list(w.pod, 'volumes', `${w.podPath}.volumes`).forEach((vol, i) => {
      if (typeof vol !== 'object' || vol === null || Array.isArray(vol)) return v.bad(`${w.podPath}.volumes[${i}]`, 'an object', vol);
      for (const key of Object.keys(vol)) {
        if (key !== 'name' && !ALLOWED_VOLUMES.has(key)) v.violation(`${w.podPath}.volumes[${i}].${key}`, key, `volume ${String((vol as Json).name)} is of type ${key}`);
      }
    });
  }),
];
