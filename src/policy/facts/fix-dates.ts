import type { Finding } from '../../core/finding.js';
import type { VulnDb } from '../../vulndb/db/open.js';
import type { PolicyFinding } from '../input.js';

/**
 * When did the fix become known? For a grace period ("block fixes older than 30 days") the
 * clock starts when users could first have upgraded. The nearest fact the feeds give is the
 * `published` date of the advisory record that carries the fixed version: an advisory in the
 * finding's evidence whose affected entry for this package has a `fixed` event equal to one of
 * the finding's fixed versions. When several do, the earliest counts (the fix was known from
 * then on). Feeds do not record when a fix was added to an older advisory, so for advisories
 * published before their fix this date is early, never late. Without such a record the
 * engine falls back to the finding's own `published` (fields/vulnerability.ts).
 */

type Lookup = Pick<VulnDb, 'affected' | 'advisory'>;

export function fixPublished(f: Finding, db: Lookup): string | undefined {
  if (f.fixedVersions.length === 0) return undefined;
  const fixes = new Set(f.fixedVersions);
  let best: string | undefined;
  const seen = new Set<string>();
  for (const e of f.evidence) {
    const key = `${e.ecosystem}\u0000${e.packageName}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const wanted = new Set(f.evidence.filter((x) => x.ecosystem === e.ecosystem && x.packageName === e.packageName).map((x) => `${x.source}\u0000${x.advisory}`));
    for (const hit of db.affected(e.ecosystem, e.packageName)) {
      if (!hit.affected.ranges.some((r) => r.events.some((ev) => 'fixed' in ev && fixes.has(ev.fixed)))) continue;
      const adv = db.advisory(hit.rid);
      if (!adv?.published || !wanted.has(`${adv.source}\u0000${adv.id}`)) continue;
      if (best === undefined || Date.parse(adv.published) < Date.parse(best)) best = adv.published;
    }
  }
  return best;
}

/** The findings with `fixPublished` set where the database knows it. */
export function withFixDates(findings: readonly Finding[], db: Lookup): PolicyFinding[] {
  return findings.map((f) => {
    const d = fixPublished(f, db);
    return d ? { ...f, fixPublished: d } : f;
  });
}
