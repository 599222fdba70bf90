import { describe, expect, it } from 'vitest';
import { isPortcullisError } from '../core/errors.js';
import { loadCustom } from './custom.js';
import { controlsOf, frameworkReport } from './frameworks/mapping.js';
import { BUILTIN_FRAMEWORKS } from './frameworks/registry.js';
import { BUILTIN_CHECKS } from './registry.js';
import { evaluateRule, holds, ruleProblem } from './rules.js';
import { runChecks } from './run.js';
import { container, daemonFrom, workload } from './testdata/fixtures.js';

const known = new Set(BUILTIN_CHECKS.map((c) => c.id));

function diagnostics(text: string): string {
  try {
    loadCustom(text, 'acme.yaml', known);
  } catch (err) {
    if (isPortcullisError(err, 'COMPLIANCE_INVALID')) return err.message;
    throw err;
  }
  throw new Error('expected COMPLIANCE_INVALID');
}

const VALID = `
checks:
  - id: acme-memory-64m
    title: Containers are limited to 64 MiB
    severity: medium
    target: container
    remediation: Run with --memory=64m or less.
    concerns: [resource-limits]
    rule: { field: HostConfig.Memory, op: atMost, value: 67108864 }
  - id: acme-replicas
    title: Pods set a priority class
    severity: low
    target: k8s-workload
    remediation: Set priorityClassName.
    concerns: [availability]
    rule: { field: pod.priorityClassName, op: isSet, failAs: warn }
frameworks:
  - id: acme-baseline
    version: "1"
    title: ACME container baseline
    controls:
      - { id: AC-1, title: No privileged containers, checks: [cis-docker-5.5, pss-baseline-privileged] }
      - { id: AC-2, title: Bounded memory, checks: [acme-memory-64m] }
      - { id: AC-3, title: Secrets stay out of images, concerns: [secrets] }
`;

describe('custom checks and frameworks', () => {
  it('loads declarative checks that run on the same inputs as built-ins', () => {
    const custom = loadCustom(VALID, 'acme.yaml', known);
    expect(custom.checks.map((c) => c.id)).toEqual(['acme-memory-64m', 'acme-replicas']);
    const mem = custom.checks[0] as (typeof custom.checks)[number];
    const weak = daemonFrom([]);
    const results = runChecks([mem] as never, [{ subject: 'hard', input: container('hard', weak) }, { subject: 'cap', input: container('cap', weak) }]);
    // hard has --memory 64m; cap has no limit (0), and "at most 64 MiB" is true of 0: a custom check means what it says.
    expect(results.map((r) => r.status)).toEqual(['pass', 'pass']);
    const prio = custom.checks[1] as (typeof custom.checks)[number];
    expect((prio.evaluate as (w: unknown) => { status: string })(workload({ containers: [{ name: 'c' }] })).status).toBe('warn');
    const fw = custom.frameworks[0];
    expect(fw?.controls.map((c) => c.id)).toEqual(['AC-1', 'AC-2', 'AC-3']);
    const report = frameworkReport(fw as never, [...BUILTIN_CHECKS, ...custom.checks], [{ checkId: 'cis-docker-5.5', subject: 'priv', status: 'fail', evidence: [{ message: 'privileged' }] }, { checkId: 'acme-memory-64m', subject: 'hard', status: 'pass', evidence: [] }]);
    expect(report.controls.map((c) => c.status)).toEqual(['fail', 'pass', 'not-evaluated']);
    expect(report.passRate).toBe(0.5);
    expect(report.controls[0]?.findings[0]).toMatchObject({ checkId: 'cis-docker-5.5', subject: 'priv' });
  });

  it('refuses a file with diagnostics naming every problem', () => {
    const msg = diagnostics(`
checks:
  - id: cis-docker-9.9
    title: Reserved prefix
    severity: high
    target: container
    remediation: x
    concerns: [isolation]
    rule: { field: HostConfig.Privileged, op: equals, value: false }
  - id: acme-bad
    title: Bad everything
    severity: urgent
    target: container
    remediation: x
    concerns: [vibes]
    rule: { field: HostConfig.Nope, op: equals }
  - id: acme-field
    title: Unknown field
    severity: low
    target: daemon
    remediation: x
    concerns: [vibes]
    rule: { field: settings.colour, op: isSet }
frameworks:
  - id: acme
    version: "1"
    title: t
    controls:
      - { id: A, title: a, checks: [no-such-check] }
      - { id: A, title: dup, concerns: [nothing] }
`);
    expect(msg).toContain('checks[0].id: "cis-docker-9.9" uses a built-in benchmark prefix');
    expect(msg).toContain('checks[1].severity');
    expect(msg).toContain('checks[2].concerns[0]: unknown concern "vibes"');
    expect(msg).toContain('checks[2].rule: unknown field "settings.colour"');
    expect(msg).toContain('frameworks[0].controls[0].checks[0]: unknown check "no-such-check"');
    expect(msg).toContain('frameworks[0].controls[1].id: duplicate control id "A"');
    expect(diagnostics('checks: [1, 2')).toContain('not YAML');
    expect(diagnostics('rules: []')).toContain('Unrecognized key');
    expect(diagnostics(`${'a: &a [x]\n'}${Array.from({ length: 200 }, (_, i) => `k${i}: *a`).join('\n')}`)).toMatch(/alias/i);
  });
});

describe('rules', () => {
  it('evaluates operators and rejects unknown fields', () => {
    const r = (op: string, value?: unknown) => ({ field: 'HostConfig.Memory', op, value }) as never;
    expect(holds(r('greaterThan', 0), 5)).toBe(true);
    expect(holds(r('greaterThan', 0), null)).toBe(false);
    expect(holds(r('in', ['a', 'b']), 'b')).toBe(true);
    expect(holds(r('notMatches', '^(|root|0)(:.*)?$'), 'root:root')).toBe(false);
    expect(holds(r('isEmpty'), [])).toBe(true);
    expect(holds(r('contains', 'x'), ['x'])).toBe(true);
    expect(ruleProblem('container', r('in', 'x'))).toContain('list value');
    expect(ruleProblem('container', r('matches', '('))).toContain('regular expression');
    expect(ruleProblem('image', { field: 'user', op: 'isSet' })).toBeUndefined();
    expect(ruleProblem('container', { field: 'HostConfig.RestartPolicy.Name', op: 'isSet' })).toBeUndefined();
  });

  it('skips with the reason when the field cannot be read', () => {
    const out = evaluateRule('daemon', { field: 'settings.icc', op: 'equals', value: false }, daemonFrom([]));
    expect(out.status).toBe('fail');
    const c = container('hard', daemonFrom([]), (i) => delete (i.HostConfig as Record<string, unknown>).Memory);
    expect(evaluateRule('container', { field: 'HostConfig.Memory', op: 'greaterThan', value: 0 }, c)).toMatchObject({ status: 'skip', reason: expect.stringContaining('no HostConfig.Memory') });
  });

  it('maps every built-in check to framework controls by id or concern', () => {
    const five = BUILTIN_CHECKS.find((c) => c.id === 'cis-docker-5.5');
    const refs = controlsOf(five as never, BUILTIN_FRAMEWORKS).map((x) => `${x.framework}:${x.control}`);
    expect(refs).toEqual(expect.arrayContaining(['cis-docker-1.6:5.5', 'nist-800-190:4.4.3', 'pci-dss-4.0:7.2.2', 'hipaa-security-rule:164.312(a)(1)', 'gdpr:Art. 32(1)(b)']));
  });
});
