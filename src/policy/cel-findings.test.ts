import { Environment } from '@marcbachmann/cel-js';
import { describe, expect, it } from 'vitest';
import { type FindingsLoop, findingsLoop } from './cel-findings.js';
import { compileCel } from './cel.js';
import { FindingFacts } from './facts/findings.js';
import type { EvalContext } from './fields/types.js';
import { type PolicyFinding, type PolicyInput, parsePolicyInput } from './input.js';
import { Pool } from './pool.js';

/**
 * The JavaScript loops must give cel-js's answer for every supported expression, and give up
 * (undefined) where cel-js would raise an error or the expression is not a supported shape.
 */

const env = new Environment({ unlistedVariablesAreDyn: false });
env.registerVariable('findings', 'dyn');
const ast = (e: string) => env.parse(e).ast;
const viaCel = (e: string, findings: readonly unknown[]) => env.parse(e)({ findings }) as unknown;
/** The facts an evaluation would extract for the loop (as evaluatePolicy does, once for all criteria). */
const factsOf = (fs: readonly PolicyFinding[], want: number) => {
  const pool = new Pool();
  pool.begin(fs.length);
  return new FindingFacts(fs, 0, pool, want);
};
const run = (loop: FindingsLoop | undefined, fs: readonly unknown[]) => loop?.run(factsOf(fs as PolicyFinding[], loop.facts));

const input = parsePolicyInput({
  now: '2026-01-01T00:00:00Z',
  image: { reference: 'x' },
  findings: [
    { id: 'CVE-2024-1', package: { name: 'openssl', type: 'deb', version: '3.0.1' }, severity: 'critical', fixedVersions: ['3.0.2'] },
    { id: 'CVE-2024-2', package: { name: 'lodash', type: 'npm', version: '4.17.0', purl: 'pkg:npm/lodash@4.17.0' }, severity: 'high', kev: { dateAdded: '2024-01-01' } },
    { id: 'CVE-2024-3', aliases: ['CVE-2024-3', 'GHSA-aaaa-bbbb-cccc'], package: { name: 'qs', type: 'npm' }, severity: 'low', epss: { score: 0.5, percentile: 0.9, date: '2026-01-01' } },
  ],
});
const findings = input.findings;

const SUPPORTED = [
  'findings.exists(f, f.severity == "critical" && f.fixedVersions.size() > 0)',
  'findings.exists(f, has(f.kev) && f.fixedVersions.size() == 0)',
  'findings.exists(f, "npm" == f.package.type || f.id == "CVE-9")',
  'findings.exists(x, !(x.severity != "low") && has(x.epss))',
  'findings.exists(f, size(f.aliases) >= 2)',
  'findings.exists(f, f.package.name == "nothing")',
  'findings.all(f, f.severity != "unknown")',
  'findings.all(f, has(f.published))',
  'findings.filter(f, f.package.type == "npm").size() > 1',
  'findings.filter(f, f.package.type == "npm").size() > 2',
  'findings.filter(f, f.fixedVersions.size() <= 0).size() == 2',
  'findings.filter(f, f.package.version != "").size() < 3',
];

describe('CEL loops over findings as JavaScript', () => {
  it.each(SUPPORTED)('%s gives cel-js\'s answer', (e) => {
    const loop = findingsLoop(ast(e));
    expect(loop).toBeDefined();
    const fast = run(loop, findings);
    expect(typeof fast).toBe('boolean');
    expect(fast).toBe(viaCel(e, findings));
    expect(run(loop, [])).toBe(viaCel(e, []));
  });

  it('leaves other shapes to cel-js', () => {
    for (const e of [
      'findings.exists(f, f.cvss.size() > 0)',
      'findings.exists(f, f.severity == 1)',
      'findings.exists(f, f.package.purl.startsWith("pkg:npm"))',
      'findings.exists(f, has(f.summary))',
      'findings.size() > 3',
      'findings.exists(f, f.severity == "low") && true',
      'findings.filter(f, f.severity == "low").size() > 1.5',
      'image.labels["team"] == "payments"',
      'findings.exists(f, findings.size() > 0)',
    ])
      expect(findingsLoop(env.parse(e).ast), e).toBeUndefined();
  });

  it('gives up where cel-js raises an error (a finding without the field)', () => {
    const bad = [...findings, { id: 'X', package: { name: 'p' } }] as unknown as PolicyFinding[];
    const loop = findingsLoop(ast('findings.exists(f, f.severity == "critical")'));
    expect(run(loop, bad)).toBeUndefined();
    expect(() => viaCel('findings.exists(f, f.severity == "nope")', bad)).toThrow(/severity/);
    // parsePolicyInput fills purl; a finding built without one makes CEL fail, so the loop gives up.
    expect(run(findingsLoop(ast('findings.exists(f, f.package.purl == "x")')), findings)).toBe(false);
    expect(run(findingsLoop(ast('findings.exists(f, f.package.purl == "x")')), [{ id: 'X', package: { name: 'p' } }])).toBeUndefined();
    expect(run(findingsLoop(ast('findings.exists(f, f.fixedVersions.size() > 0)')), [{ fixedVersions: 'no' }])).toBeUndefined();
    // Without a package object, or with a severity outside the scale that is not text, it gives up too.
    expect(run(findingsLoop(ast('findings.exists(f, f.package.type == "npm")')), [{ id: 'X', package: null }])).toBeUndefined();
    expect(run(findingsLoop(ast('findings.exists(f, f.severity == "high")')), [{ id: 'X', severity: 3 }])).toBeUndefined();
    expect(run(findingsLoop(ast('findings.exists(f, f.severity == "bogus")')), [{ id: 'X', severity: 'bogus' }])).toBe(true);
  });

  it('falls back to cel-js in the rule, which explains the error (fails closed)', () => {
    const p = compileCel('findings.exists(f, f.severity == "critical")');
    if (!p.ok) throw new Error(p.error);
    const bad = [{ id: 'X', package: { name: 'p' } }] as unknown as PolicyFinding[];
    const r = p.run({ input: { ...input, findings: bad } as PolicyInput, stage: 'deploy', findings: bad, nowMs: 0, facts: () => factsOf(bad, p.facts), scratch: new Map() });
    expect(r.value).toBeUndefined();
    expect(r.error).toMatch(/severity/);
    const ok = compileCel('findings.filter(f, f.package.type == "npm").size() == 2');
    if (!ok.ok) throw new Error(ok.error);
    const ctx: EvalContext = { input: input as PolicyInput, stage: 'deploy', findings, nowMs: 0, facts: () => factsOf(findings, ok.facts), scratch: new Map() };
    expect(ok.run(ctx)).toEqual({ value: true });
  });
});
