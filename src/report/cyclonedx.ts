import type { Finding } from '../core/finding.js';
import { buildCycloneDx } from '../sbom/cyclonedx.js';
import type { Reporter, ScanReport } from './types.js';

/**
 * The image's CycloneDX 1.6 SBOM with a `vulnerabilities` section
 * (https://cyclonedx.org/docs/1.6/json/#vulnerabilities): one entry per vulnerability id,
 * affecting every component (by bom-ref = package id) it was found in; VEX results as `analysis`.
 */

const METHOD = { '2.0': 'CVSSv2', '3.0': 'CVSSv3', '3.1': 'CVSSv31', '4.0': 'CVSSv4' } as const;
const CDX_SEVERITY = { critical: 'critical', high: 'high', medium: 'medium', low: 'low', negligible: 'info', unknown: 'unknown' } as const;
const VEX_STATE = { not_affected: 'not_affected', fixed: 'resolved', affected: 'exploitable', under_investigation: 'in_triage' } as const;

function sourceOf(id: string): { name: string; url?: string } {
  if (id.startsWith('CVE-')) return { name: 'NVD', url: `https://nvd.nist.gov/vuln/detail/${id}` };
  if (id.startsWith('GHSA-')) return { name: 'GitHub', url: `https://github.com/advisories/${id}` };
  return { name: 'OSV', url: `https://osv.dev/vulnerability/${id}` };
}

function entry(id: string, group: readonly Finding[]): Record<string, unknown> {
  const f = group[0] as Finding;
  const ratings = [
    ...f.cvss.map((c) => ({ source: { name: c.source }, score: c.score, method: METHOD[c.version], vector: c.vector })),
    ...f.ratings.map((r) => ({ source: { name: r.source }, severity: CDX_SEVERITY[r.severity], method: 'other' })),
  ];
  if (!ratings.length) ratings.push({ source: { name: f.severitySource }, severity: CDX_SEVERITY[f.severity], method: 'other' });
  const cwes = f.cwes.flatMap((c) => (/^CWE-\d+$/.test(c) ? [Number(c.slice(4))] : []));
  const fixes = [...new Set(group.flatMap((g) => g.fixedVersions))];
  const vex = group.find((g) => g.vex)?.vex;
  return {
    'bom-ref': `vuln:${id}`,
    id,
    source: sourceOf(id),
    ...(f.aliases.length > 1 ? { references: f.aliases.filter((a) => a !== id).map((a) => ({ id: a, source: sourceOf(a) })) } : {}),
    ratings,
    ...(cwes.length ? { cwes } : {}),
    ...(f.summary ? { description: f.summary } : {}),
    ...(fixes.length ? { recommendation: `Upgrade to ${fixes.join(' or ')}` } : {}),
    ...(f.published ? { published: f.published } : {}),
    ...(f.modified ? { updated: f.modified } : {}),
    ...(vex ? { analysis: { state: VEX_STATE[vex.status], ...(vex.statement ? { detail: vex.statement } : {}) } } : {}),
    affects: group.map((g) => ({ ref: g.package.id, versions: [{ version: g.package.version, status: 'affected' }] })),
  };
}

export function cyclonedxWithVulnerabilities(report: ScanReport): Record<string, unknown> {
  const bom = buildCycloneDx(report.inventory);
  const byId = new Map<string, Finding[]>();
  for (const f of [...report.findings, ...report.suppressed]) byId.set(f.id, [...(byId.get(f.id) ?? []), f]);
  return { ...bom, vulnerabilities: [...byId].sort(([a], [b]) => a.localeCompare(b)).map(([id, g]) => entry(id, g)) };
}

export const cyclonedxReporter: Reporter = {
  id: 'cyclonedx',
  description: 'CycloneDX 1.6 SBOM with its vulnerabilities',
  render: (report) => `${JSON.stringify(cyclonedxWithVulnerabilities(report), null, 2)}\n`,
};
