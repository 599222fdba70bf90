import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codedErrors, runCli } from '../../../test/helpers/cli.js';
import type { Finding } from '../../core/finding.js';
import { evaluatePolicy, type PolicyResult } from '../../policy/evaluate.js';
import type { PolicyInput } from '../../policy/input.js';
import { loadPolicies } from '../../policy/load.js';
import { readPolicySources } from '../../policy/sources.js';
import { PACKAGE_ROOT } from '../../version.js';

/**
 * The CI gate of `portcullis image` on the bundled demo image and demo database (lodash, qs,
 * express, negotiator, Go stdlib findings): policies, --fail-on, --exit-code, the ignore file,
 * and the same verdict through the CLI and through evaluatePolicy.
 */

const DEMO = join(PACKAGE_ROOT, 'examples/images/demo.oci.tar');
const NOW = '2026-06-01T00:00:00Z';
let dir: string;
let env: Record<string, string>;

const POLICY = `apiVersion: portcullis.dev/v1
kind: Policy
metadata: {name: ci}
spec:
  rules:
    - {name: high-qs, stages: [build], action: block, criteria: {packages: {in: [qs]}, severity: high}}
    - {name: old-fixes, stages: [build], action: alert, criteria: {severity: medium, fixOlderThanDays: 365}}
    - {name: kev, stages: [build, deploy], action: block, criteria: {kev: true}}
    - {name: lodash-cel, stages: [build], action: alert, criteria: {cel: 'findings.exists(f, f.package.name == "lodash" && has(f.fixPublished))'}}
    - {name: healthcheck, stages: [build], action: alert, criteria: {compliance: {mustPass: [cis-docker-4.6]}}}
    - {name: prod-registry, stages: [build, deploy], action: block, scope: {namespaces: [prod]}, criteria: {registry: {notIn: [registry.example.com]}}}
    - {name: deploy-go, stages: [deploy], action: alert, criteria: {packages: {in: [stdlib]}, count: {moreThan: 10}}}
  exceptions:
    - {name: qs-accepted, reason: test server only, owner: web, expires: 2026-01-01, match: {packages: [qs]}}
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-image-gate-'));
  env = { PORTCULLIS_CACHE_DIR: join(dir, 'cache') };
  writeFileSync(join(dir, 'ci.yaml'), POLICY);
  writeFileSync(join(dir, 'allow.yaml'), POLICY.replace(/ {4}- \{name: (high-qs|old-fixes|lodash-cel|healthcheck).*\n/g, ''));
  writeFileSync(join(dir, 'bad.yaml'), POLICY.replace('severity: high}', 'sevrity: high}').replace("f.package.name == \"lodash\"", 'f.package.name =='));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Doc {
  findings: Finding[];
  suppressed: Finding[];
  policy: PolicyResult & { exitCode: number; input: Omit<PolicyInput, 'findings'> & { fixDates: Record<string, string> }; gate?: Record<string, unknown>; ignorefile?: Record<string, unknown> };
}

async function json(args: string[], cwd = dir): Promise<{ code: number; doc: Doc; stderr: string }> {
  const r = await runCli(['image', DEMO, '--format', 'json', '--now', NOW, ...args], { env, cwd });
  return { code: r.code, doc: JSON.parse(r.stdout) as Doc, stderr: r.stderr };
}

const matched = (rules: readonly { matched: boolean; policy: string; rule: string }[]) => rules.filter((r) => r.matched).map((r) => `${r.policy}/${r.rule}`);

describe('portcullis image --policy', () => {
  it('gives the same verdict as evaluatePolicy called directly on the same input', async () => {
    const { code, doc, stderr } = await json(['--policy', 'ci.yaml']);
    expect(code, stderr).toBe(1);
    expect(codedErrors(stderr)).toContain('POLICY_BLOCKED');
    const p = doc.policy;
    expect(p.verdict).toBe('block');
    expect(matched(p.rules).sort()).toEqual(['ci/healthcheck', 'ci/high-qs', 'ci/lodash-cel', 'ci/old-fixes']);
    expect(p.expiredExceptions.map((e) => e.name)).toEqual(['qs-accepted']);
    expect(p.rules.find((r) => r.rule === 'high-qs')?.evidence.map((e) => e.id)).toEqual(['CVE-2014-7191']);
    expect(p.rules.find((r) => r.rule === 'healthcheck')?.why.join()).toContain('cis-docker-4.6: fail');
    expect(p.rules.find((r) => r.rule === 'prod-registry')?.why.join()).toContain('not in scope');
    // The fix date of lodash CVE-2018-3721 comes from its advisory (NSWG-ECO-368) in the demo database.
    expect(Object.keys(p.input.fixDates).some((k) => k.startsWith('CVE-2018-3721 '))).toBe(true);

    // The engine function, as the authz plugin and admission call it, on the input the CLI used.
    const input: PolicyInput = {
      ...p.input,
      findings: doc.findings.map((f) => {
        const fixPublished = p.input.fixDates[`${f.id} ${f.package.id}`];
        return fixPublished ? { ...f, fixPublished } : f;
      }),
    };
    const policies = await loadPolicies(readPolicySources([join(dir, 'ci.yaml')], dir), { knownCheckIds: new Set(['cis-docker-4.6']) });
    const direct = evaluatePolicy(policies, input, 'build');
    expect(direct.verdict).toBe(p.verdict);
    expect(direct.rules.map((r) => [r.rule, r.matched, r.evidenceTotal, r.evidence.map((e) => e.id)])).toEqual(p.rules.map((r) => [r.rule, r.matched, r.evidenceTotal, r.evidence.map((e) => e.id)]));

    const deploy = evaluatePolicy(policies, input, 'deploy');
    const viaCli = await json(['--policy', 'ci.yaml', '--stage', 'deploy']);
    expect(viaCli.code).toBe(0);
    expect([viaCli.doc.policy.verdict, matched(viaCli.doc.policy.rules)]).toEqual([deploy.verdict, matched(deploy.rules)]);
    expect(deploy.verdict).toBe('alert');
    expect(matched(deploy.rules)).toEqual(['ci/deploy-go']);
  });

  it('explains the verdict on stderr in table mode and exits 0 when allowed', async () => {
    const blocked = await runCli(['image', DEMO, '--policy', join(dir, 'ci.yaml'), '--now', NOW], { env });
    expect(blocked.code).toBe(1);
    expect(blocked.stdout).toMatch(/^PACKAGE\s+VULNERABILITY/m);
    expect(blocked.stderr).toContain('policy: BLOCK (stage build; 4 of 6 rules matched)');
    expect(blocked.stderr).toMatch(/BLOCK {2}ci\/high-qs: 1 finding with package in \[qs\] and severity ≥ high/);
    expect(blocked.stderr).toContain('CVE-2014-7191 in qs 0.6.6 (high)');
    expect(blocked.stderr).toContain('expired exception "qs-accepted" of ci');
    const allowed = await runCli(['image', DEMO, '--policy', join(dir, 'allow.yaml'), '--now', NOW], { env });
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stderr).toContain('policy: ALLOW');
    expect(codedErrors(allowed.stderr)).not.toContain('POLICY_BLOCKED');
  });

  it('refuses invalid policies and flags with documented codes, never allowing', async () => {
    const bad = await runCli(['image', DEMO, '--policy', join(dir, 'bad.yaml')], { env });
    expect(bad.code).toBe(7);
    expect(codedErrors(bad.stderr)).toEqual(['POLICY_INVALID']);
    expect(bad.stderr).toContain('[rule high-qs, field sevrity]');
    expect(bad.stderr).toContain('malformed CEL');
    expect((await runCli(['image', DEMO, '--policy', join(dir, 'missing.yaml')], { env })).code).toBe(7);
    expect((await runCli(['image', DEMO, '--policy', join(dir, 'allow.yaml'), '--stage', 'ship'], { env })).code).toBe(2);
    expect((await runCli(['image', DEMO, '--fail-on', 'severe'], { env })).code).toBe(2);
    expect((await runCli(['image', DEMO, '--exit-code', '300'], { env })).code).toBe(2);
    expect((await runCli(['image', DEMO, '--now', 'tomorrow'], { env })).code).toBe(2);
    expect((await runCli(['image', DEMO, '--ignorefile', join(dir, 'none')], { env })).code).toBe(2);
    expect((await runCli(['image', join(dir, 'nope.tar'), '--policy', join(dir, 'allow.yaml')], { env })).code).toBe(3);
    expect((await runCli(['image', DEMO, '--policy', join(dir, 'allow.yaml'), '--db', join(dir, 'none.db')], { env })).code).toBe(6);
  });
});

describe('portcullis image quick gates', () => {
  it('--fail-on fails at or above the severity (Grype) and sees only reported findings', async () => {
    const high = await json(['--fail-on', 'HIGH']);
    expect(high.code).toBe(1);
    expect(high.doc.policy.gate).toMatchObject({ failOn: 'high', triggered: true, findings: 2 });
    expect(codedErrors(high.stderr)).toContain('POLICY_BLOCKED');
    expect((await json(['--fail-on', 'critical'])).code).toBe(0);
    expect((await json(['--fail-on', 'high', '--exit-code', '9'])).code).toBe(9);
    // --severity decides what is reported, so what the gate sees.
    expect((await json(['--fail-on', 'low', '--severity', 'UNKNOWN'])).code).toBe(0);
  });

  it('--exit-code N with --severity (Trivy)', async () => {
    expect((await json(['--exit-code', '5', '--severity', 'HIGH,CRITICAL'])).code).toBe(5);
    expect((await json(['--exit-code', '5', '--severity', 'CRITICAL'])).code).toBe(0);
    expect((await json(['--exit-code', '0'])).code).toBe(0);
    // A blocking policy wins over the quick gate's code.
    expect((await json(['--exit-code', '5', '--policy', 'ci.yaml'])).code).toBe(1);
  });

  it('.portcullisignore in the cwd suppresses ids until their expiry, and reports expired lines', async () => {
    const cwd = mkdtempSync(join(dir, 'ignore-'));
    writeFileSync(join(cwd, '.portcullisignore'), '# accepted risks\nCVE-2014-7191\nnswg-eco-106 exp:2026-05-31\nGHSA-bad exp:someday\n');
    const r = await json(['--fail-on', 'high'], cwd);
    expect(r.code).toBe(1);
    expect(r.doc.findings.map((f) => f.id)).not.toContain('CVE-2014-7191');
    expect(r.doc.suppressed.map((f) => f.id)).toContain('CVE-2014-7191');
    expect(r.doc.findings.map((f) => f.id)).toContain('NSWG-ECO-106');
    expect(r.doc.policy.ignorefile).toMatchObject({ file: '.portcullisignore', ignored: ['CVE-2014-7191'], expired: [{ id: 'nswg-eco-106', expires: '2026-05-31', line: 3 }] });
    expect(r.stderr).toContain('.portcullisignore:3: nswg-eco-106 expired on 2026-05-31; it no longer applies');
    expect(r.stderr).toContain('"exp:someday" is not exp:YYYY-MM-DD');
    // Before the expiry both high findings are ignored and the gate passes.
    const before = await runCli(['image', DEMO, '--fail-on', 'high', '--now', '2026-05-30T23:59:59Z'], { env, cwd });
    expect(before.code, before.stderr).toBe(0);
    // The ignore file's suppressions also hold for policies.
    const policy = await json(['--policy', join(dir, 'ci.yaml'), '--ignorefile', '.portcullisignore'], cwd);
    expect(policy.doc.policy.rules.find((x) => x.rule === 'high-qs')?.matched).toBe(false);
  });
});
