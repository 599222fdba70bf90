import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_CHECKS } from '../compliance/registry.js';
import { PACKAGE_ROOT } from '../version.js';
import { evaluatePolicy, type PolicyResult } from './evaluate.js';
import { parsePolicyInput, type PolicyInput } from './input.js';
import { loadPolicies } from './load.js';
import type { LoadedPolicy } from './model.js';
import { readPolicySources } from './sources.js';

/** The shipped default policies (deploy/policies) load cleanly and decide what their README says. */

let policies: readonly LoadedPolicy[];
beforeAll(async () => {
  policies = await loadPolicies(readPolicySources([join(PACKAGE_ROOT, 'deploy/policies')], process.cwd()), { knownCheckIds: new Set(BUILTIN_CHECKS.map((c) => c.id)) });
});

const DIGEST = 'sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc';
const PASSING = ['cis-docker-4.1', 'cis-docker-4.10'].map((id) => ({ id, status: 'pass' }));

function input(over: Record<string, unknown> = {}): PolicyInput {
  return parsePolicyInput({
    now: '2026-03-01T00:00:00Z',
    image: { reference: `registry.example.com/shop/api@${DIGEST}`, registry: 'registry.example.com', repository: 'shop/api', digest: DIGEST, referencedByDigest: true },
    signatures: { checked: true, verified: [{ keyId: 'ci', digest: DIGEST }], errors: [] },
    compliance: PASSING,
    context: { namespace: 'prod-shop' },
    findings: [],
    ...over,
  });
}

const matched = (r: PolicyResult) => r.rules.filter((x) => x.matched).map((x) => `${x.policy}/${x.rule}`);

describe('default policies (deploy/policies)', () => {
  it('load: three policies, every rule named', () => {
    expect(policies.map((p) => p.name).sort()).toEqual(['default-hardening', 'default-trust', 'default-vulnerabilities']);
    expect(policies.flatMap((p) => p.rules).length).toBe(11);
  });

  it('allow a clean, signed, pinned image from the trusted registry in production', () => {
    for (const stage of ['build', 'deploy', 'runtime'] as const) expect(evaluatePolicy(policies, input(), stage)).toMatchObject({ verdict: 'allow' });
  });

  it('block a critical vulnerability whose fix is older than 30 days at deploy, and only alert at build', () => {
    const finding = { id: 'CVE-2025-1111', package: { name: 'openssl', type: 'deb', version: '3.0.11-1' }, severity: 'critical', fixedVersions: ['3.0.13-1'], fixPublished: '2026-01-15T10:00:00Z' };
    const inside = evaluatePolicy(policies, input({ findings: [finding], now: '2026-02-14T23:00:00Z' }), 'deploy');
    expect(inside.verdict).toBe('allow');
    const past = evaluatePolicy(policies, input({ findings: [finding], now: '2026-02-15T00:00:00Z' }), 'deploy');
    expect(past.verdict).toBe('block');
    expect(matched(past)).toEqual(['default-vulnerabilities/critical-fix-older-than-30-days']);
    expect(past.rules.find((r) => r.matched)?.evidence[0]?.details).toEqual(['fix 3.0.13-1 published 2026-01-15 (fix advisory), 31 days ago']);
    const build = evaluatePolicy(policies, input({ findings: [finding], now: '2026-06-01T00:00:00Z' }), 'build');
    expect({ verdict: build.verdict, matched: matched(build) }).toEqual({ verdict: 'alert', matched: ['default-vulnerabilities/fixable-critical'] });
  });

  it('block KEV at every stage', () => {
    const kev = { id: 'CVE-2021-44228', package: { name: 'log4j-core', type: 'maven' }, severity: 'critical', kev: { dateAdded: '2021-12-10' } };
    for (const stage of ['build', 'deploy', 'runtime'] as const) {
      const r = evaluatePolicy(policies, input({ findings: [kev] }), stage);
      expect(r.verdict, stage).toBe('block');
      expect(matched(r), stage).toContain('default-vulnerabilities/known-exploited');
    }
  });

  it('alert on unsigned images and block untrusted registries in production only', () => {
    const hub = { reference: 'nginx:1.27', registry: 'docker.io', repository: 'library/nginx', tag: '1.27' };
    const prod = evaluatePolicy(policies, input({ image: hub, signatures: { checked: false, verified: [], errors: [] } }), 'deploy');
    expect(prod.verdict).toBe('block');
    expect(matched(prod).sort()).toEqual(['default-trust/tag-not-pinned-in-production', 'default-trust/unsigned-image', 'default-trust/untrusted-registry-in-production']);
    const staging = evaluatePolicy(policies, input({ image: hub, signatures: { checked: false, verified: [], errors: [] }, context: { namespace: 'staging' } }), 'deploy');
    expect({ verdict: staging.verdict, matched: matched(staging) }).toEqual({ verdict: 'alert', matched: ['default-trust/unsigned-image'] });
  });

  it('block images with secrets and alert on root, from the compliance results', () => {
    const r = evaluatePolicy(policies, input({ compliance: [{ id: 'cis-docker-4.1', status: 'fail' }, { id: 'cis-docker-4.10', status: 'fail', reason: 'id_rsa in layer 2' }] }), 'build');
    expect(r.verdict).toBe('block');
    expect(matched(r).sort()).toEqual(['default-hardening/runs-as-root', 'default-hardening/secrets-in-image']);
  });
});
