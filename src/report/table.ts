import type { Finding } from '../core/finding.js';
import { type Reporter, type ScanReport, SEVERITY_ORDER, severityRank } from './types.js';

/** A plain-text table like the peers print: package, vulnerability, severity, installed, fixed in, layer. */

const HEAD = ['PACKAGE', 'VULNERABILITY', 'SEVERITY', 'INSTALLED', 'FIXED IN', 'LAYER'] as const;

function fixedIn(f: Finding): string {
  if (f.fixedVersions.length) return f.fixedVersions.join(', ');
  return f.fixState === 'not_fixed' ? '' : `(${f.fixState.replaceAll('_', ' ')})`;
}

function layerOf(f: Finding): string {
  const l = f.package.layer;
  if (!l) return '';
  const step = l.createdBy?.replace(/^\/bin\/sh -c (#\(nop\) )?/, '').trim();
  return `${l.index}${step ? ` ${step.length > 40 ? `${step.slice(0, 39)}…` : step}` : ''}`;
}

export function sortFindings(list: readonly Finding[]): Finding[] {
  return [...list].sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || a.package.name.localeCompare(b.package.name) || a.id.localeCompare(b.id));
}

export const tableReporter: Reporter = {
  id: 'table',
  description: 'human-readable table (default)',
  render(report: ScanReport): string {
    const inv = report.inventory;
    const lines: string[] = [];
    const name = inv.image.reference;
    lines.push(`${name}${inv.os ? ` (${inv.os.prettyName ?? `${inv.os.id} ${inv.os.versionId}`})` : ''}`);
    const counts = SEVERITY_ORDER.map((s) => [s, report.findings.filter((f) => f.severity === s).length] as const).filter(([, n]) => n > 0);
    lines.push(`${report.findings.length} vulnerabilities in ${inv.packages.length} packages${counts.length ? ` (${counts.map(([s, n]) => `${s}: ${n}`).join(', ')})` : ''}${report.suppressed.length ? `, ${report.suppressed.length} suppressed` : ''}`);
    lines.push('');
    if (report.findings.length === 0) return `${lines.join('\n')}No vulnerabilities found.\n`;
    const rows = sortFindings(report.findings).map((f) => [f.package.name, f.id, f.severity, f.package.version, fixedIn(f), layerOf(f)]);
    const widths = HEAD.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))));
    const fmt = (r: readonly string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
    lines.push(fmt(HEAD), ...rows.map(fmt));
    return `${lines.join('\n')}\n`;
  },
};
