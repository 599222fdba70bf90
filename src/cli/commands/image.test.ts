import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codedErrors, runCli } from '../../../test/helpers/cli.js';
import { cyclonedxErrors } from '../../../test/helpers/json-schemas.js';
import type { Finding } from '../../core/finding.js';
import { PACKAGE_ROOT } from '../../version.js';

/**
 * `portcullis image` end to end on the bundled example image and the bundled demo database
 * (real advisories): what the README's first command shows.
 */

const DEMO = join(PACKAGE_ROOT, 'examples/images/demo.oci.tar');
let cache: string;
let env: Record<string, string>;

beforeAll(() => {
  cache = mkdtempSync(join(tmpdir(), 'portcullis-image-cli-'));
  env = { PORTCULLIS_CACHE_DIR: cache };
});
afterAll(() => rmSync(cache, { recursive: true, force: true }));

async function scanJson(extra: string[] = []): Promise<{ findings: Finding[]; suppressed: Finding[]; database: { kind: string }; stderr: string }> {
  const r = await runCli(['image', DEMO, '--format', 'json', ...extra], { env });
  expect(r.code, r.stderr).toBe(0);
  return { ...JSON.parse(r.stdout), stderr: r.stderr };
}

describe('portcullis image', () => {
  it('finds real vulnerabilities in the example image with the demo database, each with evidence', async () => {
    const { findings, database, stderr } = await scanJson();
    expect(database.kind).toBe('demo');
    expect(stderr).toContain('bundled demo vulnerability database');
    expect(codedErrors(stderr)).toContain('DB_STALE');
    const lodash = findings.find((f) => f.id === 'CVE-2018-3721');
    expect(lodash).toMatchObject({
      package: { name: 'lodash', version: '4.17.4', type: 'npm', locations: [{ path: '/app/node_modules/lodash/package.json' }] },
      fixedVersions: ['4.17.5'],
      fixState: 'fixed',
      evidence: [{ advisory: 'NSWG-ECO-368', source: 'nswg', ecosystem: 'npm', matchedBy: 'ecosystem', comparedVersion: '4.17.4', range: expect.stringContaining('<4.17.5') }],
    });
    expect(lodash?.package.layer?.index).toBe(2);
    // A package declared in package-lock.json and installed in node_modules is reported once.
    expect(findings.filter((f) => f.id === 'CVE-2018-3721')).toHaveLength(1);
    // Go: the toolchain (stdlib) and a module compiled into /app/hello, from the Go vulnerability database.
    expect(findings.some((f) => f.package.name === 'stdlib' && f.evidence.some((e) => e.advisory.startsWith('GO-')))).toBe(true);
    expect(findings.find((f) => f.id === 'CVE-2021-38561')).toMatchObject({ package: { name: 'golang.org/x/text', version: 'v0.3.5' }, fixedVersions: ['0.3.7'] });
    // express itself (CVE-2014-6393, fixed in 4.5.0) and its old dependencies.
    expect(findings.find((f) => f.id === 'CVE-2014-6393')?.package.name).toBe('express');
    expect(findings.find((f) => f.id === 'CVE-2014-7191')).toMatchObject({ package: { name: 'qs' }, severity: 'high' });
    // No Debian findings: the demo's Debian data ends before bookworm, and nothing is guessed.
    expect(findings.filter((f) => f.package.type === 'deb')).toEqual([]);
  });

  it('prints a table sorted by severity with fixed versions and layers', async () => {
    const r = await runCli(['image', DEMO], { env });
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toContain('Debian GNU/Linux 12');
    expect(lines[1]).toMatch(/^\d+ vulnerabilities in \d+ packages \(high: \d+/);
    expect(lines[3]).toMatch(/^PACKAGE\s+VULNERABILITY\s+SEVERITY\s+INSTALLED\s+FIXED IN\s+LAYER$/);
    const severities = lines.slice(4).filter(Boolean).map((l) => l.split(/\s+/)[2] as string);
    const order = ['critical', 'high', 'medium', 'low', 'negligible', 'unknown'];
    expect([...severities].sort((a, b) => order.indexOf(a) - order.indexOf(b))).toEqual(severities);
    expect(r.stdout).toMatch(/lodash\s+CVE-2018-3721\s+low\s+4\.17\.4\s+4\.17\.5\s+2 /);
  });

  it('filters by severity and fixability', async () => {
    const all = (await scanJson()).findings;
    const high = (await scanJson(['--severity', 'HIGH,critical'])).findings;
    expect(high.length).toBeGreaterThan(0);
    expect(high.every((f) => f.severity === 'high' || f.severity === 'critical')).toBe(true);
    expect(high.length).toBe(all.filter((f) => f.severity === 'high' || f.severity === 'critical').length);
    const fixed = (await scanJson(['--ignore-unfixed'])).findings;
    expect(fixed.length).toBe(all.filter((f) => f.fixedVersions.length > 0).length);
    expect(fixed.length).toBeLessThan(all.length);
  });

  it('suppresses findings a VEX document marks not_affected', async () => {
    const vex = join(cache, 'vex.json');
    writeFileSync(
      vex,
      JSON.stringify({
        '@context': 'https://openvex.dev/ns/v0.2.0',
        '@id': 'https://example.com/vex/1',
        author: 'test',
        timestamp: '2026-01-01T00:00:00Z',
        version: 1,
        statements: [{ vulnerability: { name: 'NSWG-ECO-368' }, products: [{ '@id': 'pkg:npm/lodash@4.17.4' }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' }],
      }),
    );
    const r = await scanJson(['--vex', vex]);
    expect(r.findings.find((f) => f.id === 'CVE-2018-3721')).toBeUndefined();
    expect(r.suppressed.find((f) => f.id === 'CVE-2018-3721')?.vex).toMatchObject({ status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' });
  });

  it('writes a CycloneDX 1.6 document with vulnerabilities that validates against the schema', async () => {
    const r = await runCli(['image', DEMO, '--format', 'cyclonedx'], { env });
    expect(r.code).toBe(0);
    const bom = JSON.parse(r.stdout) as { components: { 'bom-ref': string }[]; vulnerabilities: { id: string; affects: { ref: string }[]; ratings: unknown[] }[] };
    const refs = new Set(bom.components.map((c) => c['bom-ref']));
    expect(bom.vulnerabilities.length).toBeGreaterThan(10);
    for (const v of bom.vulnerabilities) for (const a of v.affects) expect(refs.has(a.ref), `${v.id} → ${a.ref}`).toBe(true);
    const errors = cyclonedxErrors(bom);
    expect(errors, JSON.stringify(errors.slice(0, 3))).toEqual([]);
  });

  it('refuses bad input with coded errors', async () => {
    const missingDb = await runCli(['image', DEMO, '--db', join(cache, 'none.db')], { env });
    expect(missingDb.code).toBe(6);
    expect(codedErrors(missingDb.stderr)).toEqual(['DB_NOT_FOUND']);
    const junk = join(cache, 'junk.db');
    writeFileSync(junk, 'not sqlite at all');
    expect(codedErrors((await runCli(['image', DEMO, '--db', junk], { env })).stderr)).toEqual(['DB_CORRUPT']);
    expect(codedErrors((await runCli(['image', DEMO, '--severity', 'urgent'], { env })).stderr)).toEqual(['USAGE']);
    expect(codedErrors((await runCli(['image', DEMO, '--format', 'xml'], { env })).stderr)).toEqual(['USAGE']);
    const offline = await runCli(['image', 'registry:registry.example.com/app:1', '--offline'], { env });
    expect(codedErrors(offline.stderr)).toEqual(['USAGE']);
    expect(offline.stderr).toContain('--offline refuses the remote registry registry.example.com');
    const badVex = join(cache, 'bad-vex.json');
    writeFileSync(badVex, '{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [');
    expect(codedErrors((await runCli(['image', DEMO, '--vex', badVex], { env })).stderr)).toEqual(['VEX_PARSE']);
    const missing = await runCli(['image', join(cache, 'nope.tar')], { env });
    expect(missing.code).toBe(3);
    expect(codedErrors(missing.stderr).at(-1)).toBe('IMAGE_NOT_FOUND');
  });
});
