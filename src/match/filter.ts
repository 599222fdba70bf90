import { FINDING_SEVERITIES, type Finding, type FindingSeverity } from '../core/finding.js';

export { FINDING_SEVERITIES };
import { PortcullisError } from '../core/errors.js';

/** The quick filters users know from Trivy and Grype: `--severity`, `--ignore-unfixed`. */


/** Parses `HIGH,critical` (case-insensitive, Trivy's names too: UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL). */
export function parseSeverities(text: string): Set<FindingSeverity> {
  const out = new Set<FindingSeverity>();
  for (const raw of text.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)) {
    if (!(FINDING_SEVERITIES as readonly string[]).includes(raw)) throw new PortcullisError('USAGE', `unknown severity "${raw}"; use ${FINDING_SEVERITIES.join(', ')}`);
    out.add(raw as FindingSeverity);
  }
  if (out.size === 0) throw new PortcullisError('USAGE', 'empty severity list');
  return out;
}

export interface FindingFilter {
  readonly severities?: ReadonlySet<FindingSeverity> | undefined;
  readonly ignoreUnfixed?: boolean | undefined;
}

export function filterFindings(findings: readonly Finding[], f: FindingFilter): Finding[] {
  return findings.filter((x) => (!f.severities || f.severities.has(x.severity)) && (!f.ignoreUnfixed || x.fixedVersions.length > 0));
}
