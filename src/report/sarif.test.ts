import { describe, expect, it } from 'vitest';
import { FINGERPRINT_KEY, imageUri, sarifReporter } from './sarif.js';
import { HOSTILE, demoReport, emptyReport, finding, hostileReport, hugeReport, inventory, pkg } from './testdata/reports.js';
import { sarifErrors } from '../../test/helpers/json-schemas.js';

interface Result {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: { physicalLocation?: { artifactLocation: { uri: string; uriBaseId?: string } }; logicalLocations: { kind: string; name: string; fullyQualifiedName?: string }[] }[];
  partialFingerprints: Record<string, string>;
  suppressions?: { kind: string; justification: string }[];
}
interface Rule {
  id: string;
  helpUri?: string;
  help: { text: string; markdown: string };
  defaultConfiguration: { level: string };
  properties: { 'security-severity': string; tags: string[] };
}

function render(report = demoReport()) {
  const text = sarifReporter.render(report, {});
  const log = JSON.parse(text);
  const run = log.runs[0] as { tool: { driver: { rules: Rule[] } }; results: Result[]; invocations: { toolExecutionNotifications: { descriptor: { id: string } }[] }[] };
  return { text, log, run, rules: run.tool.driver.rules, results: run.results };
}

describe('sarif reporter', () => {
  it('validates against the OASIS SARIF 2.1.0 schema, for real, empty and hostile reports', () => {
    for (const report of [demoReport(), emptyReport(), hostileReport()]) expect(sarifErrors(render(report).log)).toEqual([]);
    // The validator is not vacuous.
    const { log } = render();
    expect(sarifErrors({ ...log, version: '2.0.0' })).not.toEqual([]);
    expect(sarifErrors({ ...log, runs: [{ ...log.runs[0], results: [{ ...log.runs[0].results[0], level: 'critical' }] }] })).not.toEqual([]);
  });

  it('has one rule per vulnerability id with facts in its help, and one result per finding', () => {
    const { rules, results } = render();
    expect(rules.map((r) => r.id)).toEqual(['CVE-2014-7191', 'CVE-2018-3721', 'CVE-2019-10744', 'CVE-2021-38561', 'NSWG-ECO-106']);
    expect(results).toHaveLength(5);
    for (const r of results) expect(rules[r.ruleIndex]?.id).toBe(r.ruleId);
    const qs = rules.find((r) => r.id === 'CVE-2014-7191') as Rule;
    expect(qs.helpUri).toBe('https://nvd.nist.gov/vuln/detail/CVE-2014-7191');
    expect(qs.help.text).toContain('Severity: high (nswg)');
    expect(qs.help.text).toContain('CVSS 3.0 7.5 CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H (nswg)');
    expect(qs.help.text).toContain('Fixed versions: 1.0.0');
    expect(qs.help.text).toContain('- https://github.com/visionmedia/node-querystring/issues/104');
    expect(qs.help.markdown).toContain('| Fixed versions | 1.0.0 |');
  });

  it('maps severity to level and to a numeric security-severity GitHub ranks by', () => {
    const { rules, results } = render();
    const bySev = Object.fromEntries(rules.map((r) => [r.id, [r.defaultConfiguration.level, r.properties['security-severity']]]));
    expect(bySev['CVE-2014-7191']).toEqual(['error', '7.5']); // high, its own CVSS score
    expect(bySev['CVE-2018-3721']).toEqual(['note', '1.8']); // low
    expect(bySev['CVE-2019-10744']).toEqual(['error', '9.1']); // critical (nvd)
    expect(bySev['CVE-2021-38561']).toEqual(['note', '0.0']); // unknown
    for (const r of rules) expect(Number(r.properties['security-severity'])).toBeGreaterThanOrEqual(0);
    expect(results.find((r) => r.ruleId === 'CVE-2014-7191')?.level).toBe('error');
  });

  it('locates each result at the package file, relative to the image root, and at the package and image logically', () => {
    const { log, results } = render();
    const lodash = results.find((r) => r.ruleId === 'CVE-2018-3721') as Result;
    expect(lodash.locations[0]?.physicalLocation?.artifactLocation).toEqual({ uri: 'app/node_modules/lodash/package.json', uriBaseId: 'IMAGE_ROOT' });
    expect(lodash.locations[0]?.logicalLocations).toEqual([
      { kind: 'module', name: 'lodash', fullyQualifiedName: 'pkg:npm/lodash@4.17.4' },
      { kind: 'resource', name: 'demo:1' },
    ]);
    expect(log.runs[0].originalUriBaseIds.IMAGE_ROOT.description.text).toContain('demo:1');
    expect(log.runs[0].automationDetails.id).toBe('portcullis-image/demo/');
  });

  it('gives stable fingerprints: same across runs and versions, different per package and path', () => {
    const fp = (name: string, version: string, path: string) => {
      const p = pkg('npm', name, version, path);
      const report = { ...emptyReport(), inventory: inventory([p]), findings: [finding(p, { id: 'CVE-2024-1', severity: 'high' })] };
      return render(report).results[0]?.partialFingerprints[FINGERPRINT_KEY];
    };
    const base = fp('a', '1.0.0', '/app/a/package.json');
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(fp('a', '1.0.0', '/app/a/package.json')).toBe(base);
    expect(fp('a', '1.0.1', '/app/a/package.json')).toBe(base);
    expect(fp('b', '1.0.0', '/app/a/package.json')).not.toBe(base);
    expect(fp('a', '1.0.0', '/app/b/package.json')).not.toBe(base);
    const results = render().results;
    expect(new Set(results.map((r) => r.partialFingerprints[FINGERPRINT_KEY])).size).toBe(results.length);
  });

  it('keeps VEX-suppressed findings as results with an accepted external suppression', () => {
    const suppressed = render().results.filter((r) => r.suppressions);
    expect(suppressed.map((r) => r.ruleId)).toEqual(['CVE-2019-10744']);
    expect(suppressed[0]?.suppressions).toEqual([{ kind: 'external', justification: 'not_affected: vulnerable_code_not_in_execute_path', properties: { status: 'accepted', document: 'vex/app.openvex.json' } }]);
  });

  it('reports scan problems as tool execution notifications', () => {
    expect(render().run.invocations[0]?.toolExecutionNotifications.map((n) => n.descriptor.id)).toEqual(['DB_STALE']);
  });

  it('keeps hostile names, ids and paths as data: valid URIs, exact strings', () => {
    const { rules, results } = render(hostileReport());
    const bad = results.find((r) => r.ruleId === HOSTILE.id) as Result;
    const uri = bad.locations[0]?.physicalLocation?.artifactLocation.uri as string;
    expect(uri).not.toMatch(/[\s<>"|#?]/);
    expect(decodeURIComponent(uri)).toBe(HOSTILE.path.slice(1));
    expect(bad.locations[0]?.logicalLocations[0]?.name).toBe(HOSTILE.name);
    expect(rules.find((r) => r.id === HOSTILE.id)?.helpUri).toBeUndefined();
    // A CVSS entry with no score does not turn the security-severity into NaN.
    expect(rules.find((r) => r.id === 'CVE-2024-0001')?.properties['security-severity']).toBe('5.5');
    // Markdown help keeps the table: every row has exactly two cells.
    const markdown = rules.find((r) => r.id === HOSTILE.id)?.help.markdown ?? '';
    for (const line of markdown.split('\n').filter((l) => l.startsWith('| '))) expect(line.split(/(?<!\\)\|/).length - 2).toBe(2);
  });

  it('places a package without a file at the image, and names the analysis after the repository', () => {
    const p = { ...pkg('deb', 'base-files', '12.4'), locations: [] };
    const report = { ...emptyReport(), inventory: inventory([p], { tags: ['reg.example:5000/team/app:1.2'] }), findings: [finding(p, { id: 'CVE-2024-2', severity: 'low' })] };
    const { log, results } = render(report);
    expect(sarifErrors(log)).toEqual([]);
    expect(results[0]?.locations[0]?.physicalLocation?.artifactLocation).toEqual({ uri: 'reg.example%3A5000/team/app' });
    expect(log.runs[0].automationDetails.id).toBe('portcullis-image/reg.example:5000/team/app/');
  });

  it('encodes image paths as relative uri references', () => {
    expect(imageUri('/usr/lib/x86_64-linux-gnu/libssl.so.3')).toBe('usr/lib/x86_64-linux-gnu/libssl.so.3');
    expect(imageUri('/a b/c#d?e%f')).toBe('a%20b/c%23d%3Fe%25f');
    expect(imageUri('//x')).toBe('x');
  });

  it('renders a huge report completely, and a large one stays valid', () => {
    expect(render(hugeReport(5000)).results).toHaveLength(5000);
    // Schema validation of SARIF is slow in ajv (about 6 ms a result), so validity is checked on a smaller one.
    expect(sarifErrors(render(hugeReport(300)).log)).toEqual([]);
  });
});
