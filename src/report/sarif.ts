import type { Finding, FindingSeverity } from '../core/finding.js';
import { markdownInline } from './escape.js';
import { advisoryUrl, cvssLines, digestOf, fixText, imageName, packagePath, repositoryOf, severityScore } from './facts.js';
import { type Reporter, type ScanReport, severityRank } from './types.js';

/**
 * SARIF 2.1.0 (OASIS, https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html) as
 * GitHub code scanning reads it: one rule per vulnerability id, one result per finding,
 * located at the package's file inside the image (relative to the image root) and, logically,
 * at the package and the image. Findings that VEX suppressed are kept as results with an
 * accepted external suppression (§3.35), so the log stays an audit record.
 */

type Level = 'error' | 'warning' | 'note';
const LEVEL: Readonly<Record<FindingSeverity, Level>> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', negligible: 'note', unknown: 'note' };
/** Fingerprint key: bump the suffix if the inputs of the fingerprint ever change. */
export const FINGERPRINT_KEY = 'portcullisFinding/v1';
const IMAGE_ROOT = 'IMAGE_ROOT';

/** `uri-reference` form of an absolute path in the image: relative, each segment percent-encoded. */
export function imageUri(path: string): string {
  return path
    .replace(/^\/+/, '')
    .split('/')
    .map((seg) => encodeURIComponent(seg))
    .join('/');
}

function worst(group: readonly Finding[]): Finding {
  return [...group].sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || severityScore(b) - severityScore(a))[0] as Finding;
}

function rule(id: string, group: readonly Finding[]): Record<string, unknown> {
  const f = worst(group);
  const url = advisoryUrl(id);
  const fixes = [...new Set(group.flatMap((g) => g.fixedVersions))];
  const packages = [...new Set(group.map((g) => `${g.package.name} ${g.package.version}`))];
  // Facts only, as label/value rows: the same rows make the plain and the Markdown help.
  const facts: (readonly [string, string])[] = [
    ['Severity', `${f.severity} (${f.severitySource})`],
    ...cvssLines(f).map((l) => ['CVSS', l] as const),
    ['Fixed versions', fixes.length ? fixes.join(', ') : fixText(f)],
    ['Packages', packages.join('; ')],
  ];
  if (f.aliases.length > 1) facts.push(['Aliases', f.aliases.join(', ')]);
  if (f.cwes.length) facts.push(['CWE', f.cwes.join(', ')]);
  if (f.kev) facts.push(['CISA KEV', `added ${f.kev.dateAdded}`]);
  if (f.epss) facts.push(['EPSS', `${f.epss.score} (percentile ${f.epss.percentile}, ${f.epss.date})`]);
  const refs = f.references.slice(0, 20);
  const text = [...facts.map(([k, v]) => `${k}: ${v}`), ...(refs.length ? ['References:', ...refs.map((r) => `- ${r}`)] : [])].join('\n');
  const markdown = [
    `**${markdownInline(id)}**`,
    '',
    '| | |',
    '| --- | --- |',
    ...facts.map(([k, v]) => `| ${k} | ${markdownInline(v)} |`),
    ...(refs.length ? ['', 'References:', ...refs.map((r) => `- ${markdownInline(r)}`)] : []),
  ].join('\n');
  const short = f.summary ? `${id}: ${f.summary}` : `${id} (${f.severity})`;
  return {
    id,
    name: 'ContainerPackageVulnerability',
    shortDescription: { text: short.length > 1024 ? `${short.slice(0, 1023)}…` : short },
    fullDescription: { text: f.summary ?? `${id} in ${packages.join('; ')}` },
    ...(url ? { helpUri: url } : {}),
    help: { text, markdown },
    defaultConfiguration: { level: LEVEL[f.severity] },
    properties: {
      tags: ['security', 'vulnerability', f.severity],
      'security-severity': severityScore(f).toFixed(1),
      ...(f.cwes.length ? { cwe: f.cwes } : {}),
    },
  };
}

function location(f: Finding, image: string): Record<string, unknown> {
  const path = packagePath(f);
  const logical = [
    { kind: 'module', name: f.package.name, fullyQualifiedName: f.package.purl },
    { kind: 'resource', name: image },
  ];
  // GitHub code scanning needs a physical location on every result; a package with no file
  // is placed at the image itself, as Trivy does for OS packages.
  if (!path) return { physicalLocation: { artifactLocation: { uri: imageUri(repositoryOf(image)) } }, logicalLocations: logical };
  return {
    physicalLocation: { artifactLocation: { uri: imageUri(path), uriBaseId: IMAGE_ROOT } },
    logicalLocations: logical,
    message: { text: `${f.package.name} ${f.package.version} (${path})` },
  };
}

function result(f: Finding, ruleIndex: number, image: string, suppressed: boolean): Record<string, unknown> {
  const path = packagePath(f) ?? '';
  const layer = f.package.layer ? `, layer ${f.package.layer.index}` : '';
  return {
    ruleId: f.id,
    ruleIndex,
    level: LEVEL[f.severity],
    message: { text: `${f.id} (${f.severity}) in ${f.package.type} package ${f.package.name} ${f.package.version}${path ? ` at ${path}` : ''}${layer}: ${fixText(f)}.` },
    locations: [location(f, image)],
    // What makes two runs' results the same alert: the vulnerability, the package and where it lives; not its version, so an upgrade that is still vulnerable keeps the alert.
    partialFingerprints: { [FINGERPRINT_KEY]: digestOf(f.id, f.package.type, f.package.name, path) },
    ...(suppressed && f.vex
      ? {
          // The suppression's state field is left out: SARIF 2.1.0 drafts name it `state`, the standard `status`, and both default to accepted.
          suppressions: [{ kind: 'external', justification: [f.vex.status, f.vex.justification, f.vex.statement].filter(Boolean).join(': '), properties: { status: 'accepted', document: f.vex.document } }],
        }
      : {}),
    properties: {
      severity: f.severity,
      purl: f.package.purl,
      fixState: f.fixState,
      fixedVersions: f.fixedVersions,
      aliases: f.aliases,
      ...(f.package.layer ? { layer: { index: f.package.layer.index, diffId: f.package.layer.diffId } } : {}),
      ...(f.vex ? { vex: f.vex } : {}),
    },
  };
}

export function sarifLog(report: ScanReport): Record<string, unknown> {
  const inv = report.inventory;
  const image = imageName(inv);
  const all = [...report.findings.map((f) => [f, false] as const), ...report.suppressed.map((f) => [f, true] as const)];
  const byId = new Map<string, Finding[]>();
  for (const [f] of all) byId.set(f.id, [...(byId.get(f.id) ?? []), f]);
  const ids = [...byId.keys()].sort((a, b) => a.localeCompare(b));
  const index = new Map(ids.map((id, i) => [id, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'portcullis', semanticVersion: inv.tool.version, version: inv.tool.version, rules: ids.map((id) => rule(id, byId.get(id) ?? [])) } },
        automationDetails: { id: `portcullis-image/${repositoryOf(image)}/` },
        originalUriBaseIds: { [IMAGE_ROOT]: { description: { text: `Root of the file system of image ${image}` } } },
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: report.problems.map((p) => ({
              level: 'warning',
              message: { text: p.path ? `${p.message} (${p.path})` : p.message },
              descriptor: { id: p.code },
            })),
          },
        ],
        results: all.map(([f, suppressed]) => result(f, index.get(f.id) ?? 0, image, suppressed)),
        properties: {
          image: { reference: inv.image.reference, tags: inv.image.tags, ...(inv.image.manifestDigest ? { manifestDigest: inv.image.manifestDigest } : {}), ...(inv.image.configDigest ? { configDigest: inv.image.configDigest } : {}) },
          ...(inv.os ? { os: `${inv.os.id} ${inv.os.versionId}` } : {}),
          database: { kind: report.database.kind, builtAt: report.database.builtAt },
        },
      },
    ],
  };
}

export const sarifReporter: Reporter = {
  id: 'sarif',
  description: 'SARIF 2.1.0 for GitHub code scanning and other SARIF viewers',
  render: (report) => `${JSON.stringify(sarifLog(report), null, 2)}\n`,
};
