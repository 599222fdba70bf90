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
  return [...list].sort((a, b) => pref(b) - pref(a) || b.score - a.score)[0];
}

export interface SeverityChoice {
  readonly severity: FindingSeverity;
  readonly source: string;
  readonly ratings: FindingRating[];
  readonly cvss: FindingCvss[];
}

export function chooseSeverity(packageRatings: readonly Rating[], matched: readonly StoredAdvisory[], nvd: readonly StoredAdvisory[]): SeverityChoice {
  const ratings: FindingRating[] = [...packageRatings, ...matched.flatMap((a) => a.ratings)];
  const cvss: FindingCvss[] = matched.flatMap((a) => a.cvss);
  const nvdCvss = nvd.flatMap((a) => a.cvss);
  const all = dedupe([...cvss, ...nvdCvss]);
  const known = (r: FindingRating) => r.severity !== 'unknown';
  const pkg = packageRatings.find(known);
  if (pkg) return { severity: pkg.severity, source: pkg.source, ratings: dedupeRatings(ratings), cvss: all };
  const rec = matched.flatMap((a) => a.ratings).find(known);
  if (rec) return { severity: rec.severity, source: rec.source, ratings: dedupeRatings(ratings), cvss: all };
  const own = bestCvss(cvss);
  if (own) return { severity: severityFromScore(own.score), source: own.source, ratings: dedupeRatings(ratings), cvss: all };
  const fallback = bestCvss(nvdCvss);
  if (fallback) return { severity: severityFromScore(fallback.score), source: fallback.source, ratings: dedupeRatings(ratings), cvss: all };
  return { severity: 'unknown', source: 'none', ratings: dedupeRatings(ratings), cvss: all };
}

function dedupe(list: readonly FindingCvss[]): FindingCvss[] {
  const seen = new Set<string>();
  return list.filter((c) => {
    const k = `${c.source} ${c.vector}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function dedupeRatings(list: readonly FindingRating[]): FindingRating[] {
  const seen = new Set<string>();
  return list.filter((r) => {
    const k = `${r.source} ${r.severity} ${r.raw ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
