import type { ComplianceReport } from '../run.js';
import type { CheckResult, Severity } from '../types.js';

/**
 * SARIF 2.1.0 (OASIS, https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html): one
 * rule per check, one result per failed or to-be-reviewed subject. Passes and skips are left
 * to the JSON report; SARIF consumers (code scanning) show findings.
 */
const LEVEL: Readonly<Record<Severity, 'error' | 'warning' | 'note'>> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };
/** GitHub code scanning reads `security-severity` (0.0–10.0) to rank security findings. */
const SCORE: Readonly<Record<Severity, string>> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };

function location(subject: string, source: string | undefined): Record<string, unknown> {
  const logical = [{ name: subject, fullyQualifiedName: subject, kind: 'resource' }];
  if (!source) return { logicalLocations: logical };
  return { physicalLocation: { artifactLocation: { uri: source.replace(/#.*$/, '') } }, logicalLocations: logical };
}

function message(r: CheckResult, title: string): string {
  const facts = r.evidence.slice(0, 5).map((e) => e.message);
  return [`${title}: ${r.subject}`, r.reason, ...facts].filter(Boolean).join('. ');
}

/** `sources` maps a subject to the file it came from (Kubernetes manifests). */
export function renderSarif(report: ComplianceReport, sources: ReadonlyMap<string, string> = new Map()): string {
  const rules = report.checks.map((c) => ({
    id: c.id,
    name: c.id.replace(/[^A-Za-z0-9]+(.)?/g, (_, ch: string | undefined) => (ch ? ch.toUpperCase() : '')),
    shortDescription: { text: c.title },
    fullDescription: { text: c.title },
    help: { text: c.remediation },
    defaultConfiguration: { level: LEVEL[c.severity] },
    properties: { tags: ['security', 'compliance', c.benchmark, ...c.controls.map((x) => `${x.framework}:${x.control}`)], 'security-severity': SCORE[c.severity], severity: c.severity },
  }));
  const results = report.checks.flatMap((c, ruleIndex) =>
    c.results
      .filter((r) => r.status === 'fail' || r.status === 'warn')
      .map((r) => ({
        ruleId: c.id,
        ruleIndex,
        kind: r.status === 'fail' ? 'fail' : 'review',
        level: r.status === 'fail' ? LEVEL[c.severity] : 'none',
        message: { text: message(r, c.title) },
        locations: [location(r.subject, sources.get(r.subject))],
        partialFingerprints: { 'portcullis/v1': `${c.id}:${r.subject}` },
        properties: { subject: r.subject, status: r.status, evidence: r.evidence },
      })),
  );
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'portcullis', version: report.tool.version, rules } },
        automationDetails: { id: `portcullis-compliance/${report.target}/` },
        results,
        properties: { target: report.target, subject: report.subject, summary: report.summary },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
