import type { FindingCvss, FindingRating, FindingSeverity } from '../core/finding.js';
import { severityFromScore } from '../vulndb/cvss.js';
import type { StoredAdvisory } from '../vulndb/db/open.js';
import type { Rating } from '../vulndb/model.js';

/**
 * Severity selection (SCANNER-NOTES §4.8): the rating of the source that produced the match
 * first (Debian's per-package urgency, then the matched records' own ratings such as GHSA's),
 * then a CVSS score from those records, then NVD's CVSS, else unknown. "unknown" ratings never
 * win over a real one. Every rating and CVSS seen is kept so reports can show them all.
 */

const VERSION_RANK = { '4.0': 4, '3.1': 3, '3.0': 2, '2.0': 1 } as const;

function bestCvss(list: readonly FindingCvss[]): FindingCvss | undefined {
  // v3.x before v4.0: v3 is what every peer and policy threshold still uses by default.
  const pref = (c: FindingCvss) => (c.version.startsWith('3') ? 10 + VERSION_RANK[c.version] : VERSION_RANK[c.version]);
  if (list.length < 2) return list[0];
  return [...list].sort((a, b) => pref(b) - pref(a) || b.score - a.score)[0];
}

export interface SeverityChoice {
  readonly severity: FindingSeverity;
  readonly source: string;
  readonly ratings: FindingRating[];
  readonly cvss: FindingCvss[];
}

export function chooseSeverity(packageRatings: readonly Rating[], matched: readonly StoredAdvisory[], nvd: readonly StoredAdvisory[]): SeverityChoice {
  return withPackageRatings(packageRatings, groupSeverity(matched, nvd));
}

const known = (r: FindingRating) => r.severity !== 'unknown';

/**
 * The choice from the records alone (no per-package rating): what an alias group gives every
 * package it matches, so the matcher makes it once per group.
 */
export function groupSeverity(matched: readonly StoredAdvisory[], nvd: readonly StoredAdvisory[]): SeverityChoice {
  const recRatings: Rating[] = [];
  const cvss: FindingCvss[] = [];
  for (const a of matched) {
    for (const r of a.ratings) recRatings.push(r);
    for (const c of a.cvss) cvss.push(c);
  }
  const nvdCvss: FindingCvss[] = [];
  for (const a of nvd) for (const c of a.cvss) nvdCvss.push(c);
  const all = dedupe(nvdCvss.length > 0 ? [...cvss, ...nvdCvss] : cvss);
  const ratings = dedupeRatings(recRatings);
  const rec = recRatings.find(known);
  if (rec) return { severity: rec.severity, source: rec.source, ratings, cvss: all };
  const own = bestCvss(cvss);
  if (own) return { severity: severityFromScore(own.score), source: own.source, ratings, cvss: all };
  const fallback = bestCvss(nvdCvss);
  if (fallback) return { severity: severityFromScore(fallback.score), source: fallback.source, ratings, cvss: all };
  return { severity: 'unknown', source: 'none', ratings, cvss: all };
}

/**
 * A group's choice with one package's ratings put first: a known package rating wins; the
 * ratings list is the package's, then the records' (deduplicating the records' own list first
 * keeps the same first occurrences).
 */
export function withPackageRatings(packageRatings: readonly Rating[], group: SeverityChoice): SeverityChoice {
  if (packageRatings.length === 0) return group;
  const ratings = dedupeRatings([...packageRatings, ...group.ratings]);
  const pkg = packageRatings.find(known);
  if (pkg) return { severity: pkg.severity, source: pkg.source, ratings, cvss: group.cvss };
  return { severity: group.severity, source: group.source, ratings, cvss: group.cvss };
}

function dedupe(list: readonly FindingCvss[]): FindingCvss[] {
  if (list.length < 2) return [...list];
  const seen = new Set<string>();
  return list.filter((c) => {
    const k = `${c.source} ${c.vector}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function dedupeRatings(list: readonly FindingRating[]): FindingRating[] {
  if (list.length < 2) return [...list];
  const seen = new Set<string>();
  return list.filter((r) => {
    const k = `${r.source} ${r.severity} ${r.raw ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
