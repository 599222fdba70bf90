import { readFileSync, rmSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sarifErrors } from '../../../test/helpers/json-schemas.js';
import { ERROR_CATALOGUE } from '../../core/errors.js';
import { type CliIo, run } from '../run.js';

/** `portcullis compliance` in-process: manifests from testdata, an Engine API served from real replies. */
const TESTDATA = new URL('../../compliance/testdata/', import.meta.url);
const file = (p: string) => new URL(p, TESTDATA).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'pc-compliance-cli-'));


async function cli(argv: string[], stdin?: string) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { HOME: tmp, PORTCULLIS_CACHE_DIR: join(tmp, 'cache') },
    cwd: process.cwd(),
    ...(stdin !== undefined ? { stdin: Readable.from([Buffer.from(stdin)]) } : {}),
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

describe('portcullis compliance k8s', () => {
  it('reports every check with id and status in JSON, with framework reports', async () => {
    const r = await cli(['compliance', 'k8s', file('manifests/baseline-fail.yaml'), file('manifests/restricted-pass.yaml'), '--format', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.target).toBe('k8s-workload');
    const byId = Object.fromEntries(report.checks.map((c: { id: string; status: string }) => [c.id, c.status]));
    expect(byId).toMatchObject({ 'pss-baseline-privileged': 'fail', 'pss-restricted-seccomp': 'fail', 'cis-k8s-5.2.2': 'fail', 'cis-k8s-5.7.4': 'pass' });
    expect(report.checks.every((c: { id: string; status: string }) => typeof c.id === 'string' && ['pass', 'fail', 'warn', 'skip'].includes(c.status))).toBe(true);
    const pss = report.frameworks.find((f: { framework: { id: string } }) => f.framework.id === 'pss-baseline');
    expect(pss.passRate).toBe(0);
    expect(pss.controls.find((c: { id: string }) => c.id === 'baseline-privileged').findings[0].subject).toBe('Pod/ops/privileged');
  });

  it('writes SARIF 2.1.0 that validates against the OASIS schema', async () => {
    const r = await cli(['compliance', 'k8s', file('manifests/helm-rendered.yaml'), '-f', 'sarif']);
    expect(r.code).toBe(0);
    const log = JSON.parse(r.stdout);
    const errors = sarifErrors(log);
    expect(errors, JSON.stringify(errors.slice(0, 3))).toEqual([]);
    const results = log.runs[0].results as { ruleId: string; level: string; kind: string; locations: { physicalLocation?: { artifactLocation: { uri: string } } }[] }[];
    const priv = results.find((x) => x.ruleId === 'pss-baseline-privileged');
    expect(priv).toMatchObject({ level: 'error', kind: 'fail' });
    expect(priv?.locations[0]?.physicalLocation?.artifactLocation.uri).toBe(file('manifests/helm-rendered.yaml'));
    expect(results.some((x) => x.kind === 'review' && x.level === 'none')).toBe(true);
  });

  it('fails with COMPLIANCE_FAILED only for the chosen severities', async () => {
    const crit = await cli(['compliance', 'k8s', file('manifests/admission-review.json'), '--fail-on', 'critical', '--framework', 'pss-baseline']);
    expect(crit.code).toBe(ERROR_CATALOGUE.COMPLIANCE_FAILED.exit);
    expect(crit.stderr).toContain('[COMPLIANCE_FAILED]');
    expect(crit.stdout).toContain('FAIL    critical  pss-baseline-privileged');
    expect(crit.stdout).toContain('pss-baseline');
    expect(crit.stdout).not.toContain('nist-800-190');
    const clean = await cli(['compliance', 'k8s', file('manifests/restricted-pass.yaml'), '--fail-on', 'critical,high']);
    expect(clean.code).toBe(0);
  });

  it('reads manifests from standard input and custom checks from YAML', async () => {
    const checks = join(tmp, 'acme.yaml');
    writeFileSync(checks, 'checks:\n  - { id: acme-prio, title: Priority class set, severity: high, target: k8s-workload, remediation: set it, concerns: [availability], rule: { field: pod.priorityClassName, op: isSet } }\n');
    const r = await cli(['compliance', 'k8s', '-', '--checks', checks, '--format', 'json', '--fail-on', 'high'], readFileSync(file('manifests/restricted-pass.yaml'), 'utf8'));
    expect(r.code).toBe(ERROR_CATALOGUE.COMPLIANCE_FAILED.exit);
    expect(r.stderr).toContain('acme-prio');
  });

  it('turns bad invocations and bad input into coded errors', async () => {
    expect((await cli(['compliance'])).code).toBe(ERROR_CATALOGUE.USAGE.exit);
    expect((await cli(['compliance', 'cluster'])).stderr).toContain('[USAGE]');
    expect((await cli(['compliance', 'k8s', file('manifests/list.yaml'), '--fail-on', 'urgent'])).code).toBe(ERROR_CATALOGUE.USAGE.exit);
    expect((await cli(['compliance', 'k8s', file('manifests/list.yaml'), '--framework', 'iso-27001'])).stderr).toContain('unknown framework');
    expect((await cli(['compliance', 'daemon', 'extra'])).code).toBe(ERROR_CATALOGUE.USAGE.exit);
    const missing = await cli(['compliance', 'k8s', join(tmp, 'nope.yaml')]);
    expect(missing.code).toBe(ERROR_CATALOGUE.COMPLIANCE_TARGET.exit);
    const garbage = join(tmp, 'garbage.yaml');
    writeFileSync(garbage, 'kind: [\n---\n{"kind": 3}\n');
    const bad = await cli(['compliance', 'k8s', garbage]);
    expect(bad.code).toBe(ERROR_CATALOGUE.COMPLIANCE_TARGET.exit);
    expect(bad.stderr).toContain('no workload to examine');
    const badChecks = join(tmp, 'bad-checks.yaml');
    writeFileSync(badChecks, 'checks:\n  - { id: x }\n');
    expect((await cli(['compliance', 'k8s', file('manifests/list.yaml'), '--checks', badChecks])).code).toBe(ERROR_CATALOGUE.COMPLIANCE_INVALID.exit);
  });
});

/** A unix-socket Engine API that answers from the captured replies, or with garbage. */
describe('portcullis compliance daemon|container against a served Engine API', () => {
  let server: Server;
  const sock = join(tmp, 'engine.sock');
  const replies: Record<string, () => [number, string]> = {};
  const engine = (name: string) => readFileSync(file(`engine/${name}`), 'utf8');

  beforeAll(async () => {
    const summary = JSON.stringify(['cap', 'hard'].map((n) => ({ Id: JSON.parse(engine(`inspect-${n}.json`)).Id, Names: [`/${n}`], State: 'running', ImageID: 'sha256:x' })));
    Object.assign(replies, {
      '/info': () => [200, engine('info-weak.json')],
      '/version': () => [200, engine('version.json')],
      '/images/json?all=0': () => [200, '[{"Id":"sha256:x","RepoTags":["pc/weak:1"],"Containers":2}]'],
      '/containers/json?all=1': () => [200, summary],
      '/containers/json': () => [200, summary],
    });
    for (const n of ['cap', 'hard', 'priv']) {
      const id = JSON.parse(engine(`inspect-${n}.json`)).Id;
      replies[`/containers/${n}/json`] = () => [200, engine(`inspect-${n}.json`)];
      replies[`/containers/${id}/json`] = replies[`/containers/${n}/json`] as () => [number, string];
      // Host pids from the capture are not this machine's: no process is found, which the checks must survive.
      replies[`/containers/${id}/top`] = () => [200, engine('top-cap.json')];
    }
    replies['/containers/broken/json'] = () => [200, '{"Id": 42'];
    replies['/containers/nope/json'] = () => [404, '{"message":"No such container: nope"}'];
    server = createServer((req, res) => {
      const answer = replies[req.url ?? '']?.() ?? [404, '{"message":"page not found"}'];
      res.writeHead(answer[0], { 'Content-Type': 'application/json' });
      res.end(answer[1]);
    });
    await new Promise<void>((r) => server.listen(sock, r));
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(tmp, { recursive: true, force: true });
  });

  it('evaluates containers from inspect replies, with the capability audit', async () => {
    const r = await cli(['compliance', 'container', '--docker-host', `unix://${sock}`, '--proc', join(tmp, 'no-proc'), '--format', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    const c54 = report.checks.find((c: { id: string }) => c.id === 'cis-docker-5.4');
    expect(c54.results.map((x: { subject: string; status: string }) => [x.subject, x.status])).toEqual([['cap', 'fail'], ['hard', 'pass']]);
    expect(report.capabilities.cap.added).toEqual(['SYS_ADMIN']);
    // Processes could not be read: 5.7 (sshd) skips with the reason instead of passing.
    expect(report.checks.find((c: { id: string }) => c.id === 'cis-docker-5.7').status).toBe('skip');
  });

  it('reads one container by name and reports unknown or broken ones as COMPLIANCE_TARGET', async () => {
    const r = await cli(['compliance', 'container', 'priv', '--docker-host', `unix://${sock}`, '--format', 'json']);
    expect(JSON.parse(r.stdout).checks.find((c: { id: string }) => c.id === 'cis-docker-5.5').status).toBe('fail');
    for (const ref of ['nope', 'broken']) {
      const bad = await cli(['compliance', 'container', ref, '--docker-host', `unix://${sock}`]);
      expect(bad.code, ref).toBe(ERROR_CATALOGUE.COMPLIANCE_TARGET.exit);
    }
  });

  it('skips the flag-based daemon checks when no dockerd process serves the socket', async () => {
    const r = await cli(['compliance', 'daemon', '--docker-host', `unix://${sock}`, '--proc', join(tmp, 'no-proc'), '--format', 'json']);
    expect(r.code).toBe(0);
    const byId = Object.fromEntries(JSON.parse(r.stdout).checks.map((c: { id: string; status: string }) => [c.id, c.status]));
    expect(byId).toMatchObject({ 'cis-docker-2.2': 'skip', 'cis-docker-2.14': 'skip', 'cis-docker-2.15': 'fail', 'cis-docker-2.13': 'fail', 'cis-docker-5.1': 'pass', 'cis-docker-6.1': 'pass' });
  });

  it('refuses a daemon that does not answer and is not running', async () => {
    const r = await cli(['compliance', 'daemon', '--docker-host', `unix://${join(tmp, 'absent.sock')}`, '--proc', join(tmp, 'no-proc')]);
    expect(r.code).toBe(ERROR_CATALOGUE.COMPLIANCE_TARGET.exit);
    expect(r.stderr).toContain('cannot be read');
  });
});
