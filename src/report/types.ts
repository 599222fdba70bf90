import type { Inventory } from '../catalog/inventory.js';
import { FINDING_SEVERITIES, type Finding, type FindingSeverity } from '../core/finding.js';
import type { Problem } from '../core/problem.js';

/** What one `portcullis image` run produced: the input of every reporter. */
export interface ScanReport {
  readonly inventory: Inventory;
  /** Findings after filters (severity, unfixed) and VEX; what the user is told about. */
  readonly findings: readonly Finding[];
  /** Findings a VEX statement or an ignore rule suppressed, kept for JSON/audit. */
  readonly suppressed: readonly Finding[];
  readonly database: {
    readonly path: string;
    readonly kind: string;
    readonly builtAt: string;
    readonly sources: readonly { readonly id: string; readonly status: string; readonly fetchedAt?: string | undefined; readonly advisories: number }[];
  };
  readonly problems: readonly Problem[];
  /** Packages that were not looked up, with why. */
  readonly skipped: readonly { readonly package: string; readonly reason: string }[];
}

/** The Reporter seam: one file per format, listed in registry.ts. */
export interface Reporter {
  readonly id: string;
  readonly description: string;
  render(report: ScanReport, opts: { readonly color?: boolean; readonly width?: number }): string;
}

/** Most severe first, the order reports list findings in. */
export const SEVERITY_ORDER: readonly FindingSeverity[] = [...FINDING_SEVERITIES].reverse();

export function severityRank(s: string): number {
  const i = (SEVERITY_ORDER as readonly string[]).indexOf(s);
  return i < 0 ? SEVERITY_ORDER.length : i;
}
