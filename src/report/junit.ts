import type { Finding } from '../core/finding.js';
import type { Package } from '../core/package.js';
import { xmlAttr, xmlText } from './escape.js';
import { advisoryUrl, fixText, imageName } from './facts.js';
import { type Reporter, type ScanReport, severityRank } from './types.js';

/**
 * JUnit XML as CI servers read it (Jenkins' junit plugin, GitLab's `artifacts:reports:junit`,
 * CircleCI `store_test_results`): one `<testsuite>` per image, one `<testcase>` per package.
 * A package with findings fails, and its `<failure>` lists them; a package the matcher did
 * not look up is `<skipped>` with the reason; every other package passes. Counts on
 * `<testsuites>` and `<testsuite>` agree with the cases, because some consumers (GitLab's
 * parser, test-results-parser) trust the attributes and others count the elements.
 * Layout checked against Trivy's contrib/junit.tpl (one case per vulnerability there; per
 * package here, so the pass count means something) and GitLab's lib/gitlab/ci/parsers/test/junit.rb,
 * which reads `classname`, `name`, `time` and the text of `<failure>`/`<skipped>`.
 */

interface Case {
  readonly pkg: Package;
  readonly name: string;
  readonly findings: readonly Finding[];
  readonly suppressed: readonly Finding[];
  readonly skipped?: string;
}

function findingLine(f: Finding): string {
  const url = advisoryUrl(f.id) ?? f.references[0];
  const aka = f.aliases.filter((a) => a !== f.id);
  return `${f.id} [${f.severity}] ${fixText(f)}${aka.length ? ` (aka ${aka.join(', ')})` : ''}${url ? ` ${url}` : ''}${f.summary ? `\n    ${f.summary.replace(/\s+/g, ' ')}` : ''}`;
}

function failure(c: Case): string {
  const sorted = [...c.findings].sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || a.id.localeCompare(b.id));
  const top = sorted[0] as Finding;
  const counts = new Map<string, number>();
  for (const f of sorted) counts.set(f.severity, (counts.get(f.severity) ?? 0) + 1);
  const message = `${sorted.length} ${sorted.length === 1 ? 'vulnerability' : 'vulnerabilities'} (${[...counts].map(([s, n]) => `${s}: ${n}`).join(', ')})`;
  const where = c.pkg.locations.map((l) => l.path);
  const body = [
    `${c.pkg.name} ${c.pkg.version} (${c.pkg.purl})`,
    ...(where.length ? [`found in ${where.join(', ')}${c.pkg.layer ? ` (layer ${c.pkg.layer.index})` : ''}`] : []),
    ...sorted.map(findingLine),
  ].join('\n');
  return `      <failure message="${xmlAttr(message)}" type="${xmlAttr(top.severity)}">${xmlText(body)}</failure>\n`;
}

function testcase(c: Case): string {
  // classname is the package type: Jenkins splits classnames at dots into packages, so the image name stays out of it.
  const open = `    <testcase classname="${xmlAttr(c.pkg.type)}" name="${xmlAttr(c.name)}" time="0"`;
  const parts: string[] = [];
  if (c.findings.length) parts.push(failure(c));
  else if (c.skipped !== undefined) parts.push(`      <skipped message="${xmlAttr(c.skipped)}"/>\n`);
  if (c.suppressed.length) {
    const lines = c.suppressed.map((f) => `${f.id} suppressed by VEX (${f.vex?.status ?? 'unknown'}${f.vex?.justification ? `: ${f.vex.justification}` : ''}) in ${f.vex?.document ?? 'a VEX document'}`);
    parts.push(`      <system-out>${xmlText(lines.join('\n'))}</system-out>\n`);
  }
  return parts.length ? `${open}>\n${parts.join('')}    </testcase>\n` : `${open}/>\n`;
}

/** Test case names: `name@version`, with the path added where two packages would share one. */
function cases(report: ScanReport): Case[] {
  const byPkg = (list: readonly Finding[]) => {
    const m = new Map<string, Finding[]>();
    for (const f of list) m.set(f.package.id, [...(m.get(f.package.id) ?? []), f]);
    return m;
  };
  const found = byPkg(report.findings);
  const hidden = byPkg(report.suppressed);
  const skipped = new Map(report.skipped.map((s) => [s.package, s.reason]));
  const pkgs = [...report.inventory.packages].sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name) || a.version.localeCompare(b.version) || a.id.localeCompare(b.id));
  const base = (p: Package) => `${p.name}@${p.version}`;
  const seen = new Map<string, number>();
  for (const p of pkgs) seen.set(base(p), (seen.get(base(p)) ?? 0) + 1);
  return pkgs.map((p) => {
    const path = p.locations[0]?.path;
    const name = (seen.get(base(p)) ?? 0) > 1 ? `${base(p)} (${path ?? p.id})` : base(p);
    const reason = skipped.get(p.id);
    return { pkg: p, name, findings: found.get(p.id) ?? [], suppressed: hidden.get(p.id) ?? [], ...(reason !== undefined ? { skipped: reason } : {}) };
  });
}

export function renderJunit(report: ScanReport): string {
  const inv = report.inventory;
  const suite = imageName(inv);
  const all = cases(report);
  const failures = all.filter((c) => c.findings.length > 0).length;
  const skipped = all.filter((c) => !c.findings.length && c.skipped !== undefined).length;
  const counts = `tests="${all.length}" failures="${failures}" errors="0" skipped="${skipped}" time="0"`;
  const props: [string, string][] = [
    ['image', inv.image.reference],
    ...(inv.image.manifestDigest ? [['manifestDigest', inv.image.manifestDigest] as [string, string]] : []),
    ...(inv.os ? [['os', inv.os.prettyName ?? `${inv.os.id} ${inv.os.versionId}`] as [string, string]] : []),
    ['database', `${report.database.kind} built ${report.database.builtAt}`],
    ['findings', String(report.findings.length)],
    ['suppressed', String(report.suppressed.length)],
    ['scanner', `${inv.tool.name} ${inv.tool.version}`],
  ];
  const problems = report.problems.map((p) => `warning: [${p.code}] ${p.message}${p.path ? ` (${p.path})` : ''}`);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    `<testsuites name="portcullis" ${counts}>\n`,
    `  <testsuite name="${xmlAttr(suite)}" ${counts} timestamp="${xmlAttr(inv.createdAt.replace(/\.\d+Z$|Z$/, ''))}">\n`,
    '    <properties>\n',
    ...props.map(([k, v]) => `      <property name="${xmlAttr(k)}" value="${xmlAttr(v)}"/>\n`),
    '    </properties>\n',
    ...all.map(testcase),
    ...(problems.length ? [`    <system-err>${xmlText(problems.join('\n'))}</system-err>\n`] : []),
    '  </testsuite>\n',
    '</testsuites>\n',
  ].join('');
}

export const junitReporter: Reporter = {
  id: 'junit',
  description: 'JUnit XML: one test case per package, failing when it has findings',
  render: (report) => renderJunit(report),
};
