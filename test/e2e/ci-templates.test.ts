import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import MarkdownIt from 'markdown-it';
import { parse as parseResults } from 'test-results-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { Finding } from '../../src/core/finding.js';
import { severityRank } from '../../src/report/types.js';
import { gitlabErrors, sarifErrors } from '../helpers/json-schemas.js';
import { PACKAGE_ROOT } from '../../src/version.js';
import { type CliShim, runScript, startCliShim } from '../helpers/ci-shell.js';
import { exitCodeOf, runCli } from '../helpers/cli.js';

/**
 * Every CI template in deploy/ci, exercised by running the scan commands it contains: the
 * template is parsed (YAML, or the Jenkinsfile's Groovy text), its scan script runs in the
 * shell that CI would use, with the image replaced by examples/images/demo.oci.tar and
 * `portcullis` answered in-process (test/helpers/ci-shell.ts). The reports the template
 * publishes must validate (SARIF and GitLab schemas, a JUnit consumer), and the exit code
 * must be the gate's: 1 when a finding reaches the fail-on severity, else 0. Install and
 * `db update` steps are not run (no network); the bundled demo database is used.
 */

const DEMO = `oci-archive:${join(PACKAGE_ROOT, 'examples/images/demo.oci.tar')}`;
const CI = join(PACKAGE_ROOT, 'deploy/ci');
const BASH = ['bash', '--noprofile', '--norc', '-eo', 'pipefail'] as const;

let root: string;
let shim: CliShim;
let findings: Finding[];
let gateFlags: { failOn: boolean; policy: boolean };

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'portcullis-ci-templates-'));
  const env = { HOME: join(root, 'home'), PORTCULLIS_CACHE_DIR: join(root, 'cache') };
  const help = (await runCli(['image', '--help'], { env })).stdout;
  // The policy flags come from another change; until they exist the report part still runs.
  gateFlags = { failOn: help.includes('--fail-on'), policy: help.includes('--policy') };
  const unsupported = [...(gateFlags.failOn ? [] : ['--fail-on']), ...(gateFlags.policy ? [] : ['--policy'])];
  shim = await startCliShim(root, env, unsupported);
  const scan = await runCli(['image', DEMO, '--format', 'json'], { env });
  expect(scan.code, scan.stderr).toBe(0);
  findings = JSON.parse(scan.stdout).findings as Finding[];
});
afterAll(async () => {
  await shim?.close();
  rmSync(root, { recursive: true, force: true });
});

/** The exit code a gate at `failOn` must give on the demo image. */
function gateExit(failOn: string | undefined): number {
  if (!failOn || !gateFlags.failOn) return 0;
  return findings.some((f) => severityRank(f.severity) <= severityRank(failOn)) ? 1 : 0;
}

function workspace(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function shellEnv(extra: Record<string, string>): Record<string, string> {
  return { PATH: `${shim.binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: join(root, 'home'), ...extra };
}

/** `$VAR` / `${VAR}` references in CI variables, expanded as the CI server would before the job starts. */
function expandVars(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, k: string) => vars[k] ?? '');
}

/** What a JUnit consumer reads from the file. */
function junit(path: string) {
  return parseResults({ type: 'junit', files: [path] });
}

/** The template passed the gate flag to the last command (the harness strips it while the CLI lacks it). */
function expectGate(threshold: string | undefined): void {
  const last = shim.calls.at(-1);
  if (!threshold) return expect(last?.argv).not.toContain('--fail-on');
  expect(last?.argv.join(' ')).toContain(`--fail-on ${threshold}`);
  expect(last?.stripped).toEqual(gateFlags.failOn ? [] : ['--fail-on', threshold]);
}

const packagesWithFindings = () => new Set(findings.map((f) => f.package.id)).size;

function expectCallsScannedDemo(from: number, template: string): void {
  const calls = shim.calls.slice(from);
  expect(calls.length, `${template} ran portcullis image`).toBeGreaterThan(0);
  for (const c of calls) expect(c.argv[1], `${template} scans the substituted image`).toBe(DEMO);
}

describe('GitHub Action (deploy/ci/github)', () => {
  const action = YAML.parse(readFileSync(join(CI, 'github/action.yml'), 'utf8'));
  const workflow = YAML.parse(readFileSync(join(CI, 'github/workflow.yml'), 'utf8'));
  const steps = workflow.jobs.scan.steps as { uses?: string; with?: Record<string, string>; if?: string }[];
  const use = steps.find((s) => s.uses?.includes('deploy/ci/github'));

  it('is used by the example workflow, which uploads the SARIF the action writes even when the gate fails', () => {
    expect(action.runs.using).toBe('composite');
    expect(use).toBeDefined();
    const upload = steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif'));
    expect(upload?.if).toBe('always()');
    expect(upload?.with?.sarif_file).toBe(use?.with?.sarif ?? action.inputs.sarif.default);
    expect(workflow.permissions['security-events']).toBe('write');
  });

  it('runs its scan steps as the runner would: SARIF validates, annotations and summary appear, the gate decides the exit code', async () => {
    const inputs: Record<string, string> = {};
    for (const [k, v] of Object.entries(action.inputs as Record<string, { default?: string }>)) inputs[k] = v.default ?? '';
    Object.assign(inputs, use?.with ?? {}, { image: DEMO });
    const cwd = workspace('github');
    const summary = join(cwd, 'step-summary.md');
    writeFileSync(summary, '');
    const from = shim.calls.length;
    const results = [];
    for (const step of (action.runs.steps as { name: string; run?: string; shell?: string; env?: Record<string, string> }[]).filter((s) => s.run?.includes('portcullis image'))) {
      expect(step.shell).toBe('bash');
      // Inputs reach scripts through env only: no expression is expanded inside a script.
      expect(step.run).not.toContain('${{');
      const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, v.replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (_, name: string) => inputs[name] ?? '')]));
      results.push({ name: step.name, ...(await runScript(BASH, step.run as string, { cwd, env: shellEnv({ ...env, GITHUB_STEP_SUMMARY: summary, GITHUB_WORKSPACE: cwd }) })) });
    }
    expect(results.map((r) => r.name)).toEqual(['Scan to SARIF', 'Annotate, summarize and gate']);
    expectCallsScannedDemo(from, 'action.yml');

    const [sarifStep, gate] = results;
    expect(sarifStep?.code, sarifStep?.stderr).toBe(0);
    const log = JSON.parse(readFileSync(join(cwd, inputs.sarif as string), 'utf8'));
    expect(sarifErrors(log)).toEqual([]);
    expect(log.runs[0].results).toHaveLength(findings.length);

    expect(gate?.code, gate?.stderr).toBe(gateExit(inputs['fail-on']));
    const annotations = (gate?.stdout ?? '').split('\n').filter((l) => /^::(error|warning|notice) /.test(l));
    expect(annotations.length).toBe(Math.min(findings.length, 50) + (findings.length > 50 ? 1 : 0));
    const html = new MarkdownIt({ html: true }).render(readFileSync(summary, 'utf8')).replace(/<!--[\s\S]*?-->/g, '');
    expect(html).toContain('<h3>Portcullis: demo:1</h3>');
    expect([...html.matchAll(/<tr>/g)].length - 1).toBe(findings.length);
    expectGate(inputs['fail-on']);
  });
});

describe('GitLab CI template (deploy/ci/gitlab)', () => {
  const doc = YAML.parse(readFileSync(join(CI, 'gitlab/portcullis.gitlab-ci.yml'), 'utf8'));
  const job = doc.portcullis_container_scanning;
  const predefined = { CI_REGISTRY_IMAGE: 'registry.gitlab.example/group/app', CI_COMMIT_SHA: '0123456789abcdef0123456789abcdef01234567', CI_REGISTRY_USER: 'gitlab-ci-token', CI_REGISTRY_PASSWORD: 'token' };

  async function runJob(name: string, override: Record<string, string>, image = DEMO) {
    const vars: Record<string, string> = { ...predefined };
    for (const [k, v] of Object.entries({ ...doc.variables, ...job.variables } as Record<string, string>)) vars[k] = expandVars(String(v), vars);
    Object.assign(vars, override, { PORTCULLIS_IMAGE: image });
    const cwd = workspace(name);
    const from = shim.calls.length;
    const r = await runScript(BASH, (job.script as string[]).join('\n'), { cwd, env: shellEnv(vars) });
    if (image === DEMO) expectCallsScannedDemo(from, 'portcullis.gitlab-ci.yml');
    return { r, cwd, vars };
  }

  it('stops at the first failing scan with the exit code of the error catalogue', async () => {
    const from = shim.calls.length;
    const { r, cwd } = await runJob('gitlab-missing', {}, join(root, 'no-such-image.tar'));
    expect(r.code).toBe(exitCodeOf('IMAGE_NOT_FOUND'));
    expect(r.stderr).toContain('[IMAGE_NOT_FOUND]');
    expect(shim.calls.length - from).toBe(1);
    expect(existsSync(join(cwd, job.artifacts.reports.junit))).toBe(false);
  });

  it('publishes a schema-valid container scanning report and a JUnit report, always', async () => {
    expect(job.artifacts.when).toBe('always');
    const { r, cwd, vars } = await runJob('gitlab', {});
    expect(r.code, r.stderr).toBe(gateExit(vars.PORTCULLIS_GATE_FAIL_ON));
    expectGate(vars.PORTCULLIS_GATE_FAIL_ON);
    const report = JSON.parse(readFileSync(join(cwd, job.artifacts.reports.container_scanning), 'utf8'));
    expect(gitlabErrors(report)).toEqual([]);
    expect(report.vulnerabilities).toHaveLength(findings.length);
    const tests = junit(join(cwd, job.artifacts.reports.junit));
    expect(tests.failed).toBe(packagesWithFindings());
    for (const p of [job.artifacts.reports.container_scanning, job.artifacts.reports.junit]) expect(job.artifacts.paths).toContain(p);
  });

  it('gates on a policy file from the repository: blocking rule exits 1, invalid policy exits 7', async () => {
    const policy = (rule: string) => `apiVersion: portcullis.dev/v1\nkind: Policy\nmetadata: {name: ci}\nspec:\n  rules:\n    - ${rule}\n`;
    for (const [name, rule, code] of [
      ['gitlab-policy-block', '{name: no-high, stages: [build], action: block, criteria: {severity: high}}', exitCodeOf('POLICY_BLOCKED')],
      ['gitlab-policy-invalid', '{name: typo, stages: [build], action: block, criteria: {sevrity: high}}', exitCodeOf('POLICY_INVALID')],
    ] as const) {
      mkdirSync(join(workspace(name), '.portcullis'), { recursive: true });
      writeFileSync(join(workspace(name), '.portcullis/policy.yaml'), policy(rule));
      const { r } = await runJob(name, { PORTCULLIS_GATE_FAIL_ON: '', PORTCULLIS_GATE_POLICY: '.portcullis/policy.yaml' });
      expect(r.code, `${name}: ${r.stderr}`).toBe(code);
      expect(shim.calls.at(-1)?.argv.join(' ')).toContain('--policy .portcullis/policy.yaml');
      expect(shim.calls.at(-1)?.argv).not.toContain('--fail-on');
    }
  });

  it('fails the job at a stricter gate and still writes the reports', async () => {
    const { r, cwd } = await runJob('gitlab-high', { PORTCULLIS_GATE_FAIL_ON: 'high' });
    expect(r.code, r.stderr).toBe(gateExit('high'));
    expectGate('high');
    expect(existsSync(join(cwd, job.artifacts.reports.junit))).toBe(true);
    expect(junit(join(cwd, job.artifacts.reports.junit)).failed).toBe(packagesWithFindings());
  });
});

describe('CircleCI config (deploy/ci/circleci)', () => {
  const doc = YAML.parse(readFileSync(join(CI, 'circleci/config.yml'), 'utf8'));
  const job = doc.jobs['portcullis-scan'];
  const stepsOf = (type: string) => (job.steps as Record<string, unknown>[]).flatMap((s) => (typeof s === 'object' && s[type] ? [s[type] as Record<string, string>] : []));

  async function runJob(name: string, override: Record<string, string>) {
    const vars: Record<string, string> = {};
    for (const [k, v] of Object.entries(job.environment as Record<string, string>)) vars[k] = String(v);
    Object.assign(vars, override, { PORTCULLIS_IMAGE: DEMO });
    const cwd = workspace(name);
    const from = shim.calls.length;
    const scans = stepsOf('run').filter((s) => s.command?.includes('portcullis image'));
    expect(scans).toHaveLength(1);
    // CircleCI's default shell is /bin/bash -eo pipefail.
    const r = await runScript(BASH, scans[0]?.command as string, { cwd, env: shellEnv(vars) });
    expectCallsScannedDemo(from, 'circleci/config.yml');
    return { r, cwd, vars };
  }

  it('stores JUnit test results and a schema-valid SARIF artifact', async () => {
    const { r, cwd, vars } = await runJob('circleci', {});
    expect(r.code, r.stderr).toBe(gateExit(vars.PORTCULLIS_GATE_FAIL_ON));
    expectGate(vars.PORTCULLIS_GATE_FAIL_ON);
    const results = stepsOf('store_test_results')[0]?.path as string;
    const tests = junit(join(cwd, results, 'portcullis/junit.xml'));
    expect(tests.failed).toBe(packagesWithFindings());
    expect(stepsOf('store_artifacts')[0]?.path).toBe(results);
    expect(sarifErrors(JSON.parse(readFileSync(join(cwd, results, 'portcullis.sarif'), 'utf8')))).toEqual([]);
  });

  it('fails at a stricter gate and still stores the results', async () => {
    const { r, cwd } = await runJob('circleci-high', { PORTCULLIS_GATE_FAIL_ON: 'high' });
    expect(r.code, r.stderr).toBe(gateExit('high'));
    expectGate('high');
    expect(existsSync(join(cwd, 'reports/portcullis/junit.xml'))).toBe(true);
  });
});

describe('Jenkinsfile (deploy/ci/jenkins)', () => {
  const text = readFileSync(join(CI, 'jenkins/Jenkinsfile'), 'utf8');

  /** The pipeline's literal environment entries (`KEY = 'value'`); Groovy-interpolated ones are the agent's business. */
  function environment(): Record<string, string> {
    const block = /environment\s*\{([\s\S]*?)\n\s*\}/.exec(text)?.[1] ?? '';
    return Object.fromEntries([...block.matchAll(/^\s*([A-Z_][A-Z0-9_]*)\s*=\s*'([^']*)'/gm)].map((m) => [m[1] as string, m[2] as string]));
  }

  /** The `sh '''…'''` script of stage('Scan'). */
  function scanScript(): string {
    const stage = text.slice(text.indexOf("stage('Scan')"));
    const m = /sh\s+'''([\s\S]*?)'''/.exec(stage);
    expect(m, "stage('Scan') has an sh ''' … ''' step").not.toBeNull();
    return m?.[1] ?? '';
  }

  async function runStage(name: string, override: Record<string, string>) {
    const vars: Record<string, string> = { ...environment(), ...override, PORTCULLIS_IMAGE: DEMO };
    const cwd = workspace(name);
    const from = shim.calls.length;
    // Jenkins runs sh steps with /bin/sh -xe; -x only echoes.
    const r = await runScript(['sh', '-e'], scanScript(), { cwd, env: shellEnv(vars) });
    expectCallsScannedDemo(from, 'Jenkinsfile');
    return { r, cwd, vars };
  }

  it('records the JUnit and SARIF reports it writes, whatever the gate says', async () => {
    expect(text).toMatch(/post\s*\{\s*always\s*\{/);
    const junitFile = /junit\s+testResults:\s*'([^']+)'/.exec(text)?.[1] as string;
    const sarifFile = /sarif\(pattern:\s*'([^']+)'\)/.exec(text)?.[1] as string;
    const { r, cwd, vars } = await runStage('jenkins', {});
    expect(r.code, r.stderr).toBe(gateExit(vars.PORTCULLIS_GATE_FAIL_ON));
    expectGate(vars.PORTCULLIS_GATE_FAIL_ON);
    expect(junit(join(cwd, junitFile)).failed).toBe(packagesWithFindings());
    expect(sarifErrors(JSON.parse(readFileSync(join(cwd, sarifFile), 'utf8')))).toEqual([]);
  });

  it('fails the build at a stricter gate', async () => {
    const { r, cwd } = await runStage('jenkins-high', { PORTCULLIS_GATE_FAIL_ON: 'high' });
    expect(r.code, r.stderr).toBe(gateExit('high'));
    expectGate('high');
    expect(existsSync(join(cwd, 'portcullis-junit.xml'))).toBe(true);
  });
});
