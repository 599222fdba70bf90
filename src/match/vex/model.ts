import type { VexAnnotation } from '../../core/finding.js';
import type { Problem } from '../../core/problem.js';
import type { Purl } from './purl.js';
import type { Instant } from './timestamp.js';

/**
 * One model for both formats: an OpenVEX statement and a CycloneDX vulnerability with an
 * analysis both become a VexStatement, so applying them is one piece of code.
 */

export const VEX_FORMATS = ['openvex', 'cyclonedx'] as const;
export type VexFormat = (typeof VEX_FORMATS)[number];

export type VexStatus = VexAnnotation['status'];

/** Statuses that remove a finding from the report (kept aside in `suppressed`). */
export const SUPPRESSING_STATUSES: ReadonlySet<VexStatus> = new Set<VexStatus>(['not_affected', 'fixed']);

/** How a statement names a piece of software. Any one identifier matching is enough. */
export interface ComponentRef {
  /** Package URLs (OpenVEX `@id` or `identifiers.purl`, CycloneDX `purl`, BOM-Link fragment). */
  readonly purls: readonly Purl[];
  /** Other identifiers as written: image references, digests, bom-refs, BOM-Links, package ids. */
  readonly ids: readonly string[];
  /** `sha256:<hex>` digests from OpenVEX `hashes` / CycloneDX `hashes`, lower case. */
  readonly digests: readonly string[];
  /**
   * CycloneDX `affects[].versions`: when present the statement covers only these exact package
   * versions (empty = none, e.g. only `range`s we do not evaluate).
   */
  readonly versions?: readonly string[];
}

export interface ProductRef extends ComponentRef {
  /** OpenVEX subcomponents: the statement is about these packages inside the product. */
  readonly subcomponents: readonly ComponentRef[];
}

export interface VexStatement {
  /** Vulnerability name, aliases and `@id` (OpenVEX) / id and references (CycloneDX), upper case. */
  readonly vulnerabilities: readonly string[];
  readonly status: VexStatus;
  readonly justification?: string;
  /** Impact or action statement, status notes, CycloneDX detail and response. */
  readonly text?: string;
  /** `not_affected` with neither justification nor impact statement (invalid per spec; applied with a warning). */
  readonly missingJustification: boolean;
  /** When the statement was known true (own timestamp, else inherited from the document). */
  readonly time: Instant | undefined;
  readonly products: readonly ProductRef[];
  /** Where it sits in its document, for messages (`statements[3]`, `vulnerabilities[0]`). */
  readonly where: string;
}

export interface VexDocument {
  readonly format: VexFormat;
  /** The path given on the command line, else the document's own id. Shown in reports. */
  readonly name: string;
  readonly path?: string;
  readonly statements: readonly VexStatement[];
  /** Warnings found while reading (statements that can never apply, unevaluated ranges, …). */
  readonly problems: readonly Problem[];
}

/** Identifiers are compared case-insensitively (`GHSA-jfh8-c2jp-5v3q` is written both ways). */
export function normalizeVulnId(id: string): string {
  return id.trim().toUpperCase();
}
