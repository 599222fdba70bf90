import type { LayerRef, Location, PackageType } from './package.js';

/**
 * A finding: one vulnerability (an alias group: CVE, GHSA, PYSEC, DSA, … merged) in one
 * package, with the evidence that made it match. Produced by src/match, read by reports, the
 * policy engine and VEX.
 */

/** The one severity scale of findings, lowest first (reports, policies, gates and the DB use it). */
export const FINDING_SEVERITIES = ['unknown', 'negligible', 'low', 'medium', 'high', 'critical'] as const;
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];

/** Whether and how the vulnerability can be fixed in this package. */
export type FixState = 'fixed' | 'not_fixed' | 'will_not_fix' | 'fix_deferred' | 'end_of_life' | 'under_investigation';

export interface FindingRating {
  readonly severity: FindingSeverity;
  readonly raw?: string | undefined;
  readonly source: string;
}

export interface FindingCvss {
  readonly version: '2.0' | '3.0' | '3.1' | '4.0';
  readonly vector: string;
  readonly score: number;
  readonly source: string;
}

/** Why the finding exists: one entry per advisory record that matched. */
export interface Evidence {
  /** Advisory id and the feed that published it. */
  readonly advisory: string;
  readonly source: string;
  /** Ecosystem and package name the advisory was looked up by (e.g. `Debian:12` / `openssl`). */
  readonly ecosystem: string;
  readonly packageName: string;
  /** `distro-source`: by the OS package's source package; `distro-binary`; `ecosystem`: language package. */
  readonly matchedBy: 'distro-source' | 'distro-binary' | 'ecosystem';
  /** The affected range that contains the installed version, human-readable (`>=0, <4.17.21`). */
  readonly range?: string;
  /** True when the installed version is listed explicitly in the advisory's versions. */
  readonly versionListed?: boolean;
  /** The version that was compared (the source version for distro-source matches). */
  readonly comparedVersion: string;
  readonly status?: string;
  readonly note?: string;
}

export interface VexAnnotation {
  readonly status: 'not_affected' | 'affected' | 'fixed' | 'under_investigation';
  readonly justification?: string;
  readonly statement?: string;
  /** The document (path or id) that said so. */
  readonly document: string;
}

export interface Finding {
  /** Primary id: the CVE when the group has exactly one, else the first advisory's id. */
  readonly id: string;
  /** Every id of the group, primary first. */
  readonly aliases: readonly string[];
  readonly package: {
    readonly id: string;
    readonly type: PackageType;
    readonly name: string;
    readonly version: string;
    readonly purl: string;
    readonly layer?: LayerRef;
    readonly locations: readonly Location[];
  };
  readonly severity: FindingSeverity;
  /** Which source the severity came from (`debian`, `ghsa`, `nvd`, …). */
  readonly severitySource: string;
  readonly ratings: readonly FindingRating[];
  readonly cvss: readonly FindingCvss[];
  readonly fixState: FixState;
  /** Versions that fix it, lowest first. */
  readonly fixedVersions: readonly string[];
  readonly summary?: string;
  readonly published?: string;
  /**
   * When the fix became known: the earliest `published` of the matched advisories whose
   * affected range for this version closes with a fix (feeds do not date fixes added later to
   * an older advisory, so this can be early, never late). Grace-period policies count from it.
   */
  readonly fixPublished?: string;
  readonly modified?: string;
  readonly cwes: readonly string[];
  readonly references: readonly string[];
  readonly kev?: { readonly dateAdded: string; readonly dueDate?: string; readonly knownRansomware?: boolean };
  readonly epss?: { readonly score: number; readonly percentile: number; readonly date: string };
  readonly evidence: readonly Evidence[];
  /** Set when a VEX statement applies; `not_affected` and `fixed` suppress the finding unless asked to show them. */
  readonly vex?: VexAnnotation;
}
