import { describe, expect, it } from 'vitest';
import { CIS_K8S_CHECKS } from '../benchmarks/cis-k8s/registry.js';
import { fixture } from '../testdata/fixtures.js';
import { MAX_MANIFEST_BYTES, readManifests } from './workload-input.js';

const check = (id: string) => CIS_K8S_CHECKS.find((c) => c.id === id) as (typeof CIS_K8S_CHECKS)[number];

describe('readManifests', () => {
  it('reads Helm-rendered output: comments, empty documents, non-workload kinds, pod templates', () => {
    const set = readManifests(fixture('manifests/helm-rendered.yaml'), 'helm.yaml');
    expect(set.problems).toEqual([]);
    expect(set.otherKinds).toEqual({ Service: 1 });
    expect(set.workloads.map((w) => [w.subject, w.podPath])).toEqual([
      ['StatefulSet/default/release-shop-db', 'spec.template.spec'],
      ['CronJob/shop/release-shop-backup', 'spec.jobTemplate.spec.template.spec'],
    ]);
    const [db, backup] = set.workloads;
    expect(check('cis-k8s-5.2.2').evaluate(db as never)).toMatchObject({ status: 'fail', evidence: [{ field: 'spec.template.spec.initContainers[0].securityContext.privileged' }] });
    expect(check('cis-k8s-5.4.1').evaluate(db as never).status).toBe('fail');
    expect(check('cis-k8s-5.7.4').evaluate(db as never).status).toBe('fail');
    expect(check('cis-k8s-5.2.4').evaluate(backup as never).status).toBe('fail');
    expect(check('cis-k8s-5.2.4').evaluate(db as never).status).toBe('pass');
  });

  it('reads List items and AdmissionReview request objects', () => {
    const list = readManifests(fixture('manifests/list.yaml'), 'list.yaml');
    expect(list.workloads.map((w) => w.subject)).toEqual(['DaemonSet/monitoring/agent', 'Job/shop/migrate']);
    expect(check('cis-k8s-5.2.13').evaluate(list.workloads[0] as never).status).toBe('fail');
    const review = readManifests(fixture('manifests/admission-review.json'), 'review.json');
    expect(review.workloads).toHaveLength(1);
    expect(review.workloads[0]).toMatchObject({ subject: 'Pod/payments/debug', source: 'review.json#1/request.object' });
    expect(check('cis-k8s-5.2.3').evaluate(review.workloads[0] as never).status).toBe('fail');
  });

  it('records a problem per bad document and keeps the good ones', () => {
    const text = ['kind: Pod\nmetadata: {name: ok}\nspec: {containers: [{name: c}]}', 'kind: [unclosed', '- just\n- a list', 'apiVersion: v1\nmetadata: {}', 'kind: Deployment\nmetadata: {name: d}\nspec: {}', 'kind: AdmissionReview\nrequest: {}'].join('\n---\n');
    const set = readManifests(text, 'mixed.yaml');
    expect(set.workloads.map((w) => w.name)).toEqual(['ok']);
    expect(set.problems.map((p) => p.path)).toEqual(['mixed.yaml#2', 'mixed.yaml#3', 'mixed.yaml#4', 'mixed.yaml#5', 'mixed.yaml#6']);
    expect(set.problems.every((p) => p.code === 'COMPLIANCE_TARGET')).toBe(true);
  });

  it('refuses hostile input without crashing or hanging', () => {
    const bomb = `a: &a ["x","x","x","x","x","x","x","x","x"]\n${Array.from({ length: 12 }, (_, i) => `b${i}: &b${i} [${Array(9).fill(i === 0 ? '*a' : `*b${i - 1}`).join(',')}]`).join('\n')}\nkind: Pod`;
    const aliases = readManifests(bomb, 'bomb.yaml');
    expect(aliases.workloads).toEqual([]);
    expect(aliases.problems[0]?.message).toMatch(/alias/i);
    const huge = readManifests('x'.repeat(MAX_MANIFEST_BYTES + 1), 'huge.yaml');
    expect(huge.problems[0]?.message).toContain('larger than');
    let nested: Record<string, unknown> = { kind: 'Pod', metadata: { name: 'deep' }, spec: { containers: [{ name: 'c' }] } };
    for (let i = 0; i < 10; i++) nested = { kind: 'List', items: [nested] };
    const deep = readManifests(JSON.stringify(nested), 'deep.json');
    expect(deep.workloads).toEqual([]);
    expect(deep.problems[0]?.message).toContain('nested deeper');
    expect(readManifests('', 'empty.yaml')).toMatchObject({ workloads: [], problems: [] });
    expect(readManifests('\u0000\u0001binary', 'bin').workloads).toEqual([]);
  });
});
