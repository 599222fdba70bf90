import { describe, expect, it } from 'vitest';
import { readManifests, type WorkloadInput } from '../../inputs/workload-input.js';
import { fixture, workload } from '../../testdata/fixtures.js';
import type { Status } from '../../types.js';
import { PSS_BASELINE } from './baseline.js';
import { PSS_CHECKS, PSS_PROFILES } from './registry.js';
import { PSS_RESTRICTED } from './restricted.js';

/**
 * Pod Security Standards pass/fail manifests written from the spec's tables
 * (https://kubernetes.io/docs/concepts/security/pod-security-standards/), then valid and
 * invalid cases per control in the typescript-eslint manner.
 */
function load(name: string): WorkloadInput[] {
  const set = readManifests(fixture(`manifests/${name}`), name);
  expect(set.problems).toEqual([]);
  return [...set.workloads];
}

function statuses(w: WorkloadInput): Record<string, Status> {
  return Object.fromEntries(PSS_CHECKS.map((c) => [c.id, c.evaluate(w).status]));
}

const byId = (id: string) => {
  const c = PSS_CHECKS.find((x) => x.id === id);
  if (!c) throw new Error(id);
  return c;
};

describe('PSS manifests', () => {
  it('passes every Baseline and Restricted control for the restricted example', () => {
    const [w] = load('restricted-pass.yaml');
    expect(Object.values(statuses(w as WorkloadInput)).every((s) => s === 'pass')).toBe(true);
  });

  it('passes Baseline and fails exactly the Restricted controls the Deployment misses', () => {
    const [w] = load('baseline-pass.yaml');
    const s = statuses(w as WorkloadInput);
    for (const id of PSS_PROFILES.baseline) expect(s[id], id).toBe('pass');
    const failed = PSS_RESTRICTED.filter((c) => s[c.id] === 'fail').map((c) => c.id);
    expect(failed).toEqual(['pss-restricted-capabilities', 'pss-restricted-privilege-escalation', 'pss-restricted-run-as-non-root', 'pss-restricted-seccomp', 'pss-restricted-volume-types']);
    expect(s['pss-restricted-run-as-user']).toBe('pass');
  });

  it('fails exactly one Baseline control per violating document', () => {
    const expected: Record<string, string> = {
      'host-process': 'pss-baseline-host-process',
      'host-namespaces': 'pss-baseline-host-namespaces',
      privileged: 'pss-baseline-privileged',
      capabilities: 'pss-baseline-capabilities',
      'host-path': 'pss-baseline-host-path-volumes',
      'host-ports': 'pss-baseline-host-ports',
      apparmor: 'pss-baseline-apparmor',
      selinux: 'pss-baseline-selinux',
      'proc-mount': 'pss-baseline-proc-mount',
      seccomp: 'pss-baseline-seccomp',
      sysctls: 'pss-baseline-sysctls',
    };
    const ws = load('baseline-fail.yaml');
    expect(ws.map((w) => w.name)).toEqual(Object.keys(expected));
    for (const w of ws) {
      const failed = PSS_BASELINE.filter((c) => c.evaluate(w).status === 'fail').map((c) => c.id);
      expect(failed, w.name).toEqual([expected[w.name]]);
    }
  });

  it('names the offending field and value in the evidence', () => {
    const w = load('baseline-fail.yaml').find((x) => x.name === 'capabilities') as WorkloadInput;
    const out = byId('pss-baseline-capabilities').evaluate(w);
    expect(out.evidence[0]).toMatchObject({ subject: 'Pod/ops/capabilities', field: 'spec.containers[0].securityContext.capabilities.add', value: 'SYS_ADMIN' });
  });
});

const pod = (container: Record<string, unknown>, spec: Record<string, unknown> = {}) => workload({ containers: [{ name: 'c', image: 'app', ...container }], ...spec });

describe.each([
  { id: 'pss-baseline-privileged', valid: [pod({}), pod({ securityContext: { privileged: false } })], invalid: [pod({ securityContext: { privileged: true } }), workload({ containers: [{ name: 'c' }], ephemeralContainers: [{ name: 'e', securityContext: { privileged: true } }] })] },
  { id: 'pss-baseline-capabilities', valid: [pod({ securityContext: { capabilities: { add: ['NET_BIND_SERVICE', 'CHOWN'] } } })], invalid: [pod({ securityContext: { capabilities: { add: ['cap_sys_admin'] } } }), pod({ securityContext: { capabilities: { add: ['NET_ADMIN'] } } })] },
  { id: 'pss-baseline-host-ports', valid: [pod({ ports: [{ containerPort: 80, hostPort: 0 }] })], invalid: [pod({ ports: [{ containerPort: 80, hostPort: 8080 }] })] },
  { id: 'pss-baseline-selinux', valid: [pod({ securityContext: { seLinuxOptions: { type: 'container_t', level: 's0:c1,c2' } } })], invalid: [pod({}, { securityContext: { seLinuxOptions: { role: 'sysadm_r' } } })] },
  { id: 'pss-baseline-apparmor', valid: [pod({ securityContext: { appArmorProfile: { type: 'Localhost', localhostProfile: 'p' } } })], invalid: [pod({}, { securityContext: { appArmorProfile: { type: 'Unconfined' } } })] },
  { id: 'pss-restricted-run-as-non-root', valid: [pod({}, { securityContext: { runAsNonRoot: true } }), pod({ securityContext: { runAsNonRoot: true } })], invalid: [pod({ securityContext: { runAsNonRoot: false } }, { securityContext: { runAsNonRoot: true } }), pod({})] },
  { id: 'pss-restricted-run-as-user', valid: [pod({ securityContext: { runAsUser: 1000 } })], invalid: [pod({ securityContext: { runAsUser: 0 } }), pod({}, { securityContext: { runAsUser: 0 } })] },
  { id: 'pss-restricted-seccomp', valid: [pod({ securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'x.json' } } })], invalid: [pod({ securityContext: { seccompProfile: { type: 'Unconfined' } } }, { securityContext: { seccompProfile: { type: 'RuntimeDefault' } } })] },
  { id: 'pss-restricted-volume-types', valid: [pod({}, { volumes: [{ name: 's', secret: { secretName: 's' } }, { name: 'p', projected: { sources: [] } }] })], invalid: [pod({}, { volumes: [{ name: 'h', hostPath: { path: '/' } }] })] },
])('$id', ({ id, valid, invalid }) => {
  it('passes the valid cases', () => {
    for (const w of valid) expect(byId(id).evaluate(w).status).toBe('pass');
  });
  it('fails the invalid cases', () => {
    for (const w of invalid) expect(byId(id).evaluate(w).status).toBe('fail');
  });
});

describe('malformed pod specs', () => {
  it('warns (never passes) when a field has the wrong type', () => {
    const out = byId('pss-baseline-privileged').evaluate(pod({ securityContext: { privileged: 'yes' } }));
    expect(out.status).toBe('warn');
    expect(out.reason).toContain('securityContext.privileged should be a boolean');
    expect(byId('pss-baseline-host-namespaces').evaluate(pod({}, { hostPID: 'true' })).status).toBe('warn');
    expect(byId('pss-baseline-capabilities').evaluate(pod({ securityContext: { capabilities: { add: 'SYS_ADMIN' } } })).status).toBe('warn');
  });

  it('warns on a pod with no containers', () => {
    for (const c of PSS_CHECKS) expect(c.evaluate(workload({ containers: 'nope' })).status, c.id).toBe('warn');
  });

  it('exempts Windows pods from the Linux-only restricted controls', () => {
    const w = pod({}, { os: { name: 'windows' } });
    expect(byId('pss-restricted-seccomp').evaluate(w)).toMatchObject({ status: 'skip', reason: expect.stringContaining('Windows') });
    expect(byId('pss-restricted-run-as-non-root').evaluate(w).status).toBe('fail');
  });
});
