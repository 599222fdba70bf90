import { z } from 'zod';
import { FINDING_SEVERITIES, type FindingSeverity } from '../core/finding.js';

/**
 * The advisory model every feed parses into and the database stores. It is OSV
 * (https://ossf.github.io/osv-schema/) plus what distro trackers add: a per-package status for
 * entries without a fix (Debian <no-dsa>, Ubuntu deferred, Red Hat "Will not fix") and a
 * per-package vendor rating (Debian urgency, Ubuntu priority). Dates are RFC 3339 strings.
 */

/** Normalized severity, the scale reports and policies use. */
export const SEVERITIES = FINDING_SEVERITIES;
export type Severity = FindingSeverity;

/** Distro status of a package for one advisory (SCANNER-NOTES §4.2–4.5). */
export const AFFECTED_STATUSES = [
  'affected', // vulnerable; a fix may or may not exist (see ranges)
  'fixed', // vulnerable below the fixed version(s) in ranges
  'not_affected', // never vulnerable in this release (Debian fixed_version "0", Ubuntu not-affected)
  'will_not_fix', // Debian <ignored>, Ubuntu ignored, Red Hat "Will not fix"
  'fix_deferred', // Debian <postponed>, Ubuntu deferred, Red Hat "Deferred"
  'end_of_life', // Debian <end-of-life>, Red Hat "Out of support scope": still vulnerable
  'under_investigation', // Red Hat under_investigation, Ubuntu needs-triage
] as const;
export type AffectedStatus = (typeof AFFECTED_STATUSES)[number];

/**
 * OSV events. `introduced: "0"` is "from the beginning"; `fixed` is exclusive, `last_affected`
 * inclusive. `limit` (GIT-only in OSV) is used here for an exclusive upper bound that is NOT a
 * fix, e.g. GHSA `last_known_affected_version_range: "< 2.1.3"` or npm `<2.0.0` without a
 * patched release: versions at or above it are not affected, and no "fixed in" is reported.
 */
export const EventSchema = z.union([
  z.strictObject({ introduced: z.string().min(1) }),
  z.strictObject({ fixed: z.string().min(1) }),
  z.strictObject({ last_affected: z.string().min(1) }),
  z.strictObject({ limit: z.string().min(1) }),
]);
export type RangeEvent = z.infer<typeof EventSchema>;

export const RangeSchema = z.strictObject({
  /** SEMVER: SemVer 2.0 order; ECOSYSTEM: the ecosystem's own order. GIT ranges are never stored. */
  type: z.enum(['SEMVER', 'ECOSYSTEM']),
  events: z.array(EventSchema).min(1),
});
export type Range = z.infer<typeof RangeSchema>;

export const RatingSchema = z.strictObject({
  severity: z.enum(SEVERITIES),
  /** The vendor's own word, e.g. Debian urgency `low**`, GHSA `MODERATE`, Ubuntu `negligible`. */
  raw: z.string().optional(),
  /** Who rated it: `debian`, `ubuntu`, `ghsa`, `nvd`, `redhat`, `rubysec`, … */
  source: z.string().min(1),
});
export type Rating = z.infer<typeof RatingSchema>;

export const CvssSchema = z.strictObject({
  version: z.enum(['2.0', '3.0', '3.1', '4.0']),
  vector: z.string().min(1),
  /** Base score computed from the vector (never trusted from the feed when a vector exists). */
  score: z.number().min(0).max(10),
  source: z.string().min(1),
});
export type Cvss = z.infer<typeof CvssSchema>;

export const AffectedSchema = z.strictObject({
  /**
   * OSV ecosystem name. Language ecosystems as OSV writes them (`npm`, `PyPI`, `Go`, `crates.io`,
   * `RubyGems`, `Maven`, `Packagist`, `NuGet`); distros with their release, normalized by
   * `distroEcosystem` (`Debian:12`, `Alpine:v3.18`, `Ubuntu:22.04`, `Red Hat:9`).
   */
  ecosystem: z.string().min(1),
  /** Package name normalized by `normalizePackageName` (distros: the source package, except Red Hat: binary). */
  name: z.string().min(1),
  ranges: z.array(RangeSchema).default([]),
  /** Explicitly enumerated affected versions. */
  versions: z.array(z.string()).default([]),
  /** Absent means "as the ranges say" (affected below a fix, or unfixed when no fix event). */
  status: z.enum(AFFECTED_STATUSES).optional(),
  /** Per-package vendor rating (Debian urgency is per package). */
  rating: RatingSchema.optional(),
  /** Free text the vendor attaches to the status, e.g. Debian's no-dsa reason. */
  note: z.string().optional(),
  /** rpm only: architectures the entry applies to, and the module stream (`nodejs:18`). */
  arches: z.array(z.string()).optional(),
  module: z.string().optional(),
});
export type Affected = z.infer<typeof AffectedSchema>;

export const ReferenceSchema = z.strictObject({ type: z.string().min(1), url: z.string().min(1) });

export const AdvisorySchema = z.strictObject({
  /** The id as the source writes it: CVE-…, GHSA-…, PYSEC-…, GO-…, RUSTSEC-…, DSA-…, USN-…, RHSA-… */
  id: z.string().min(1),
  /** Feed id that produced this record (one advisory id may come from several feeds). */
  source: z.string().min(1),
  aliases: z.array(z.string()).default([]),
  /** OSV `upstream` (e.g. the CVE an Ubuntu or Debian record derives from); merged like aliases. */
  upstream: z.array(z.string()).default([]),
  related: z.array(z.string()).default([]),
  summary: z.string().optional(),
  published: z.string().optional(),
  modified: z.string().optional(),
  /** Present ⇒ retracted; never matched. */
  withdrawn: z.string().optional(),
  cvss: z.array(CvssSchema).default([]),
  /** Record-level rating (GHSA database_specific.severity, Ubuntu priority, Red Hat impact). */
  ratings: z.array(RatingSchema).default([]),
  cwes: z.array(z.string()).default([]),
  /** CPE 2.3 names of affected configurations (NVD enrichment; never used to match packages). */
  cpes: z.array(z.string()).default([]),
  references: z.array(ReferenceSchema).default([]),
  /** Empty for enrichment-only records (NVD). */
  affected: z.array(AffectedSchema).default([]),
});
export type Advisory = z.infer<typeof AdvisorySchema>;
/** What parsers may build: defaults filled in by `AdvisorySchema.parse`. */
export type AdvisoryInput = z.input<typeof AdvisorySchema>;

/** CISA Known Exploited Vulnerabilities entry. */
export const KevSchema = z.strictObject({
  cve: z.string().regex(/^CVE-\d{4}-\d+$/),
  dateAdded: z.string(),
  dueDate: z.string().optional(),
  knownRansomware: z.boolean().optional(),
});
export type KevEntry = z.infer<typeof KevSchema>;

/** FIRST EPSS score of one CVE on one day. */
export const EpssSchema = z.strictObject({
  cve: z.string().regex(/^CVE-\d{4}-\d+$/),
  score: z.number().min(0).max(1),
  percentile: z.number().min(0).max(1),
  date: z.string(),
});
export type EpssEntry = z.infer<typeof EpssSchema>;
