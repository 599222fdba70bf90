import type { Reporter, ScanReport } from './types.js';

/** `portcullis-scan/1`: the image, the database used, every finding with its evidence, suppressed ones apart. */
export const SCAN_SCHEMA = 'portcullis-scan/1';

export function scanDocument(report: ScanReport): Record<string, unknown> {
  const inv = report.inventory;
  return {
    schema: SCAN_SCHEMA,
    tool: inv.tool,
    createdAt: inv.createdAt,
    image: {
      reference: inv.image.reference,
      source: inv.image.source,
      tags: inv.image.tags,
      ...(inv.image.manifestDigest ? { manifestDigest: inv.image.manifestDigest } : {}),
      ...(inv.image.configDigest ? { configDigest: inv.image.configDigest } : {}),
      layers: inv.layers,
    },
    os: inv.os ?? null,
    database: report.database,
    summary: { packages: inv.packages.length, findings: report.findings.length, suppressed: report.suppressed.length, skippedPackages: report.skipped.length },
    findings: report.findings,
    suppressed: report.suppressed,
    problems: report.problems,
  };
}

export const jsonReporter: Reporter = {
  id: 'json',
  description: `findings with evidence as JSON (${SCAN_SCHEMA})`,
  render: (report) => `${JSON.stringify(scanDocument(report), null, 2)}\n`,
};
