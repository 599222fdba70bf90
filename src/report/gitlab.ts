import type { Finding, FindingCvss, FindingSeverity } from '../core/finding.js';
import { advisoryUrl, digestOf, fixText, imageName, packagePath } from './facts.js';
import type { Reporter, ScanReport } from './types.js';

/**
 * GitLab container scanning report (`gl-container-scanning-report.json`), security report
 * schema 15.2.4: https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/blob/v15.2.4/dist/container-scanning-report-format.json
 * GitLab rejects a whole report when one field breaks the schema, so every bounded field is
 * cut to its limit and CVSS vectors that do not have the schema's syntax are left out.
 * VEX-suppressed findings are not listed (GitLab would show them as open vulnerabilities);
 * a scan message says how many there were.
 */

export const GITLAB_SCHEMA_VERSION = '15.2.4';
const SCHEMA_URL = `https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v${GITLAB_SCHEMA_VERSION}/dist/container-scanning-report-format.json`;

const SEVERITY: Readonly<Record<FindingSeverity, string>> = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low', negligible: 'Info', unknown: 'Unknown' };

/** The syntax the schema accepts for each CVSS version: base metrics in order, then optional others. */
const V3_EXTRA = '(E:[XUPFH]|RL:[XOTWU]|RC:[XURC]|[CIA]R:[XLMH]|MAV:[XNALP]|MAC:[XLH]|MPR:[XNLH]|MUI:[XNR]|MS:[XUC]|M[CIA]:[XNLH])';
const VECTOR: Readonly<Record<FindingCvss['version'], RegExp>> = {
  '2.0': /^AV:[NAL]\/AC:[LMH]\/Au:[MSN]\/C:[NPC]\/I:[NPC]\/A:[NPC](\/(E:(U|POC|F|H|ND)|RL:(OF|TF|W|U|ND)|RC:(UC|UR|C|ND)|CDP:(N|L|LM|MH|H|ND)|TD:(N|L|M|H|ND)|[CIA]R:(L|M|H|ND)))*$/,
  '3.0': new RegExp(`^CVSS:3\\.0/AV:[NALP]/AC:[LH]/PR:[NLH]/UI:[NR]/S:[UC]/C:[NLH]/I:[NLH]/A:[NLH](/${V3_EXTRA})*$`),
  '3.1': new RegExp(`^CVSS:3\\.1/AV:[NALP]/AC:[LH]/PR:[NLH]/UI:[NR]/S:[UC]/C:[NLH]/I:[NLH]/A:[NLH](/${V3_EXTRA})*$`),
  '4.0': /^CVSS:4\.0\/AV:[NALP]\/AC:[LH]\/AT:[NP]\/PR:[NLH]\/UI:[NPA]\/VC:[HLN]\/VI:[HLN]\/VA:[HLN]\/SC:[HLN]\/SI:[HLN]\/SA:[HLN]$/,
};

function cut(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** `YYYY-MM-DDTHH:MM:SS` in UTC, the only form the schema allows. */
function gitlabTime(iso: string): string {
  const t = Date.parse(iso);
  return (Number.isFinite(t) ? new Date(t) : new Date(0)).toISOString().slice(0, 19);
}

/** A UUID-shaped id (version 5 layout over sha256) that is the same for the same finding in the same image. */
function uuidOf(...parts: string[]): string {
  const h = digestOf(...parts);
  const variant = ((Number.parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const LINK = /^(https?|ftp):\/\/.+/;

function identifiers(f: Finding): Record<string, string>[] {
  const ids = [f.id, ...f.aliases.filter((a) => a !== f.id)].filter((id) => id.length > 0);
  const out = ids.map((id) => {
    const url = advisoryUrl(id);
    const type = (/^([A-Za-z]+)-/.exec(id)?.[1] ?? 'portcullis').toLowerCase();
    return { type, name: id, value: id, ...(url && LINK.test(url) ? { url } : {}) };
  });
  for (const cwe of f.cwes) {
    const n = /^CWE-(\d+)$/.exec(cwe)?.[1];
    if (n) out.push({ type: 'cwe', name: cwe, value: n, url: `https://cwe.mitre.org/data/definitions/${n}.html` });
  }
  return out.length ? out : [{ type: 'portcullis', name: 'unnamed', value: 'unnamed' }];
}

function details(f: Finding): Record<string, unknown> {
  const text = (name: string, value: string) => ({ name, type: 'text', value });
  const path = packagePath(f);
  return {
    package_type: text('Package type', f.package.type),
    purl: text('Package URL', f.package.purl),
    ...(path ? { file: text('File in the image', path) } : {}),
    ...(f.package.layer ? { layer: text('Layer', `${f.package.layer.index} (${f.package.layer.diffId})`) } : {}),
    fix: text('Fix', fixText(f)),
    ...(f.vex ? { vex: text('VEX', `${f.vex.status}${f.vex.statement ? `: ${f.vex.statement}` : ''} (${f.vex.document})`) } : {}),
  };
}

function vulnerability(f: Finding, image: string, os: string): Record<string, unknown> {
  const vectors = f.cvss.filter((c) => VECTOR[c.version]?.test(c.vector)).slice(0, 10).map((c) => ({ vendor: c.source || 'unknown', vector: c.vector }));
  const links = f.references.filter((r) => LINK.test(r)).map((url) => ({ url }));
  const description = f.summary ?? `${f.id} affects ${f.package.name} ${f.package.version}.`;
  return {
    id: uuidOf(image, f.package.id, f.id),
    name: cut(f.id, 255),
    description: cut(description, 1_048_576),
    severity: SEVERITY[f.severity],
    solution: cut(f.fixedVersions.length ? `Upgrade ${f.package.name} to ${f.fixedVersions.join(' or ')}` : `No fixed version of ${f.package.name} is known (${fixText(f)}).`, 7000),
    identifiers: identifiers(f),
    ...(vectors.length ? { cvss_vectors: vectors } : {}),
    ...(links.length ? { links } : {}),
    details: details(f),
    location: {
      dependency: { package: { name: f.package.name }, version: f.package.version },
      operating_system: os,
      image,
    },
  };
}

export function gitlabReport(report: ScanReport): Record<string, unknown> {
  const inv = report.inventory;
  const image = imageName(inv) || 'unknown';
  const os = inv.os ? `${inv.os.id}:${inv.os.versionId}`.replace(/:$/, '') : 'Unknown';
  const tool = { id: 'portcullis', name: 'Portcullis', version: inv.tool.version || 'unknown', vendor: { name: 'Portcullis' } };
  const messages = report.problems.map((p) => ({ level: 'warn', value: `[${p.code}] ${p.message}${p.path ? ` (${p.path})` : ''}` }));
  if (report.suppressed.length) messages.push({ level: 'info', value: `${report.suppressed.length} findings suppressed by VEX are not listed` });
  const time = gitlabTime(inv.createdAt);
  return {
    version: GITLAB_SCHEMA_VERSION,
    schema: SCHEMA_URL,
    scan: { analyzer: tool, scanner: tool, type: 'container_scanning', start_time: time, end_time: time, status: 'success', ...(messages.length ? { messages } : {}) },
    vulnerabilities: report.findings.map((f) => vulnerability(f, image, os)),
    remediations: [],
  };
}

export const gitlabReporter: Reporter = {
  id: 'gitlab',
  description: `GitLab container scanning report (security report schema ${GITLAB_SCHEMA_VERSION})`,
  render: (report) => `${JSON.stringify(gitlabReport(report), null, 2)}\n`,
};
