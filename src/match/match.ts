import type { Evidence, Finding, FixState } from '../core/finding.js';
import type { Package } from '../core/package.js';
import { type Problem, problem } from '../core/problem.js';
import type { Inventory } from '../catalog/inventory.js';
import { advisoryScheme } from '../vulndb/ecosystem.js';
import type { StoredAdvisory, VulnDb } from '../vulndb/db/open.js';
import type { Affected, Rating } from '../vulndb/model.js';
import { type Lookup, lookupsFor, ownedPackages } from './candidates.js';
import { groupAdvisories } from './group.js';
import { affectedBy } from './ranges.js';
import { chooseSeverity } from './severity.js';

export interface MatchResult {
  readonly findings: Finding[];
  readonly problems: Problem[];
  /** Packages not looked up, with why (owned by an OS package, unknown distro, no version). */
  readonly skipped: { readonly package: string; readonly reason: string }[];
}

interface Hit {
  readonly advisory: StoredAdvisory;
  readonly affected: Affected;
  readonly lookup: Lookup;
  readonly range: string;
  readonly fixed: string | undefined;
  readonly listed: boolean;
}

const PLACEHOLDER: Finding['package'] = { id: '', type: 'npm', name: '', version: '', purl: '', locations: [] };

const UNFIXED_STATES = new Set(['will_not_fix', 'fix_deferred', 'end_of_life', 'under_investigation']);

/**
 * Inventory × database → findings: one per vulnerability (alias group) per package, each
 * with the advisory records, ranges and versions that made it match.
 */
export function matchInventory(inv: Pick<Inventory, 'packages' | 'relationships' | 'os'>, db: VulnDb): MatchResult {
  const owned = ownedPackages(inv.relationships);
  const findings: Finding[] = [];
  const problems: Problem[] = [];
  const skipped: MatchResult['skipped'] = [];
  // A lockfile entry for a package that is also installed (node_modules/lodash beside
  // package-lock.json) is the same software: report it once, on the installed copy.
  const installed = new Map<string, string>();
  const memo = new Map<string, Finding[]>();
  for (const p of inv.packages) if (p.metadata?.source !== 'lockfile') installed.set(`${p.type}:${p.name}@${p.version}`, p.id);
  for (const p of inv.packages) {
    const twin = p.metadata?.source === 'lockfile' ? installed.get(`${p.type}:${p.name}@${p.version}`) : undefined;
    if (twin) {
      skipped.push({ package: p.id, reason: `declared in a lockfile and installed as ${twin}: matched there` });
      continue;
    }
    const plan = lookupsFor(p, inv.os, owned);
    if ('skip' in plan) {
      skipped.push({ package: p.id, reason: plan.skip });
      continue;
    }
    // Every binary of one source package (and every copy of one library at one version) asks
    // the same question: its findings differ only in `package`, so the rest is made once.
    const key = planKey(plan.lookups, p.arch);
    let bodies = memo.get(key);
    if (!bodies) {
      const hits = plan.lookups.flatMap((l) => hitsFor(p, l, db, problems));
      bodies = hits.length > 0 ? findingsFor(hits, db) : [];
      // An invalid version is reported per package (its problem names the package): not memoized.
      if (plan.lookups.every((l) => advisoryScheme(l.scheme)?.isValid(l.version) !== false)) memo.set(key, bodies);
    }
    if (bodies.length === 0) continue;
    const pkg = packageRef(p);
    // Spreading keeps `package` at the position the body gives it (the JSON output's order).
    for (const b of bodies) findings.push({ ...b, package: pkg });
  }
  // Intl.Collator#compare is the same order as localeCompare without arguments, without
  // building a collator per call.
  const collate = new Intl.Collator().compare;
  findings.sort((a, b) => collate(a.package.id, b.package.id) || collate(a.id, b.id));
  return { findings, problems, skipped };
}

function planKey(lookups: readonly Lookup[], arch: string | undefined): string {
  let k = arch ?? '';
  for (const l of lookups) k += `\0${l.ecosystem}\0${l.name}\0${l.version}\0${l.scheme}\0${l.matchedBy}`;
  return k;
}

function packageRef(p: Package): Finding['package'] {
  return { id: p.id, type: p.type, name: p.name, version: p.version, purl: p.purl, locations: p.locations, ...(p.layer ? { layer: p.layer } : {}) };
}


function hitsFor(p: Package, l: Lookup, db: VulnDb, problems: Problem[]): Hit[] {
  const scheme = advisoryScheme(l.scheme);
  if (!scheme) return [];
  if (!scheme.isValid(l.version)) {
    problems.push(problem('VERSION_INVALID', `${p.id}: "${l.version}" is not a valid ${l.scheme} version; not matched`, p.locations[0] ? { path: p.locations[0].path } : {}));
    return [];
  }
  const out: Hit[] = [];
  for (const e of db.entries(l.ecosystem, l.name)) {
    if (e.status === 'not_affected') continue;
    // A single `introduced: 0, fixed: X` entry at or above X: rejected without parsing it.
    if (e.fixed !== null && scheme.compare(l.version, e.fixed) >= 0) continue;
    const affected = e.affected();
    if (affected.arches && p.arch && !affected.arches.includes(p.arch) && !affected.arches.includes('noarch')) continue;
    const empty = affected.ranges.length === 0 && affected.versions.length === 0;
    const hit = empty ? (affected.status ? { range: '>=0 (no fix)', fixed: undefined, listed: false } : undefined) : affectedBy(l.version, affected, scheme);
    if (!hit) continue;
    // The advisory document is read only for entries that match (most lookups match nothing).
    const advisory = db.advisory(e.rid);
    if (!advisory || advisory.withdrawn) continue;
    out.push({ advisory, affected, lookup: l, ...hit });
  }
  return out;
}

/** The findings of one set of hits, with `package` left for the caller to fill in. */
function findingsFor(hits: readonly Hit[], db: VulnDb): Finding[] {
  const byRid = new Map<number, Hit[]>();
  for (const h of hits) {
    const list = byRid.get(h.advisory.rid);
    if (list) list.push(h);
    else byRid.set(h.advisory.rid, [h]);
  }
  const groups = groupAdvisories([...new Map(hits.map((h) => [h.advisory.rid, h.advisory])).values()]);
  return groups.map((g) => {
    const gh = g.members.flatMap((m) => byRid.get(m.rid) ?? []);
    const cves = g.ids.filter((i) => i.startsWith('CVE-'));
    const nvd = db.hasSource('nvd') ? cves.flatMap((c) => db.byAlias(c).filter((a) => a.source === 'nvd' && !a.withdrawn)) : [];
    const pkgRatings: Rating[] = gh.flatMap((h) => (h.affected.rating ? [h.affected.rating] : []));
    const sev = chooseSeverity(pkgRatings, g.members, nvd);
    const scheme = advisoryScheme(gh[0]?.lookup.scheme ?? 'semver');
    const fixes = [...new Set(gh.flatMap((h) => (h.fixed ? [h.fixed] : [])))].sort((a, b) => scheme?.compare(a, b) ?? 0);
    const kev = cves.map((c) => db.kev(c)).find(Boolean);
    const epss = cves.map((c) => db.epss(c)).find(Boolean);
    const dates = (k: 'published' | 'modified') => g.members.flatMap((m) => (m[k] ? [m[k]] : [])).sort();
    const summary = g.members.find((m) => m.summary)?.summary;
    const published = dates('published')[0];
    const fixDates = gh.flatMap((h) => (h.fixed && h.advisory.published ? [h.advisory.published] : [])).sort((a, b) => Date.parse(a) - Date.parse(b));
    const fixPublished = fixDates[0];
    const modified = dates('modified').at(-1);
    const finding: Finding = {
      id: g.primary,
      aliases: g.ids,
      package: PLACEHOLDER,
      severity: sev.severity,
      severitySource: sev.source,
      ratings: sev.ratings,
      cvss: sev.cvss,
      fixState: fixStateOf(gh, fixes),
      fixedVersions: fixes,
      cwes: [...new Set([...g.members, ...nvd].flatMap((m) => m.cwes))].sort(),
      references: [...new Set(g.members.flatMap((m) => m.references.map((r) => r.url)))],
      evidence: gh.map(evidenceOf),
      ...(summary ? { summary } : {}),
      ...(published ? { published } : {}),
      ...(fixPublished ? { fixPublished } : {}),
      ...(modified ? { modified } : {}),
      ...(kev ? { kev: { dateAdded: kev.dateAdded, ...(kev.dueDate ? { dueDate: kev.dueDate } : {}), ...(kev.knownRansomware === undefined ? {} : { knownRansomware: kev.knownRansomware }) } } : {}),
      ...(epss ? { epss: { score: epss.score, percentile: epss.percentile, date: epss.date } } : {}),
    };
    return finding;
  });
}

function fixStateOf(hits: readonly Hit[], fixes: readonly string[]): FixState {
  if (fixes.length > 0) return 'fixed';
  const state = hits.map((h) => h.affected.status).find((s) => s && UNFIXED_STATES.has(s));
  return (state as FixState | undefined) ?? 'not_fixed';
}

function evidenceOf(h: Hit): Evidence {
  return {
    advisory: h.advisory.id,
    source: h.advisory.source,
    ecosystem: h.lookup.ecosystem,
    packageName: h.lookup.name,
    matchedBy: h.lookup.matchedBy,
    range: h.range,
    versionListed: h.listed,
    comparedVersion: h.lookup.version,
    ...(h.affected.status ? { status: h.affected.status } : {}),
    ...(h.affected.note ? { note: h.affected.note } : {}),
  };
}
