import type { Evidence, Finding, FixState } from '../core/finding.js';
import type { Package } from '../core/package.js';
import { type Problem, problem } from '../core/problem.js';
import type { Inventory } from '../catalog/inventory.js';
import { schemeById } from '../version/registry.js';
import type { VersionScheme } from '../version/types.js';
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
    const hits = plan.lookups.flatMap((l) => hitsFor(p, l, db, problems));
    if (hits.length > 0) findings.push(...findingsFor(p, hits, db));
  }
  findings.sort((a, b) => a.package.id.localeCompare(b.package.id) || a.id.localeCompare(b.id));
  return { findings, problems, skipped };
}

/**
 * The scheme a lookup compares with. Go's scheme (like the go command) wants the `v` prefix
 * that OSV's Go records leave out (`1.19.9`, `0.7.0`), so both sides get it.
 */
function comparator(id: Lookup['scheme']): VersionScheme | undefined {
  const scheme = schemeById(id);
  if (!scheme || id !== 'go') return scheme;
  const v = (s: string) => (s.startsWith('v') || s === '0' ? s : `v${s}`);
  return { ...scheme, isValid: (s) => scheme.isValid(v(s)), compare: (a, b) => scheme.compare(v(a), v(b)) };
}

function hitsFor(p: Package, l: Lookup, db: VulnDb, problems: Problem[]): Hit[] {
  const scheme = comparator(l.scheme);
  if (!scheme) return [];
  if (!scheme.isValid(l.version)) {
    problems.push(problem('VERSION_INVALID', `${p.id}: "${l.version}" is not a valid ${l.scheme} version; not matched`, p.locations[0] ? { path: p.locations[0].path } : {}));
    return [];
  }
  const out: Hit[] = [];
  for (const { rid, affected } of db.affected(l.ecosystem, l.name)) {
    if (affected.status === 'not_affected') continue;
    if (affected.arches && p.arch && !affected.arches.includes(p.arch) && !affected.arches.includes('noarch')) continue;
    const empty = affected.ranges.length === 0 && affected.versions.length === 0;
    const hit = empty ? (affected.status ? { range: '>=0 (no fix)', fixed: undefined, listed: false } : undefined) : affectedBy(l.version, affected, scheme);
    if (!hit) continue;
    // The advisory document is read only for entries that match (most lookups match nothing).
    const advisory = db.advisory(rid);
    if (!advisory || advisory.withdrawn) continue;
    out.push({ advisory, affected, lookup: l, ...hit });
  }
  return out;
}

function findingsFor(p: Package, hits: readonly Hit[], db: VulnDb): Finding[] {
  const byRid = new Map<number, Hit[]>();
  for (const h of hits) byRid.set(h.advisory.rid, [...(byRid.get(h.advisory.rid) ?? []), h]);
  const groups = groupAdvisories([...new Map(hits.map((h) => [h.advisory.rid, h.advisory])).values()]);
  return groups.map((g) => {
    const gh = g.members.flatMap((m) => byRid.get(m.rid) ?? []);
    const cves = g.ids.filter((i) => i.startsWith('CVE-'));
    const nvd = db.hasSource('nvd') ? cves.flatMap((c) => db.byAlias(c).filter((a) => a.source === 'nvd' && !a.withdrawn)) : [];
    const pkgRatings: Rating[] = gh.flatMap((h) => (h.affected.rating ? [h.affected.rating] : []));
    const sev = chooseSeverity(pkgRatings, g.members, nvd);
    const scheme = comparator(gh[0]?.lookup.scheme ?? 'semver');
    const fixes = [...new Set(gh.flatMap((h) => (h.fixed ? [h.fixed] : [])))].sort((a, b) => scheme?.compare(a, b) ?? 0);
    const kev = cves.map((c) => db.kev(c)).find(Boolean);
    const epss = cves.map((c) => db.epss(c)).find(Boolean);
    const dates = (k: 'published' | 'modified') => g.members.flatMap((m) => (m[k] ? [m[k]] : [])).sort();
    const summary = g.members.find((m) => m.summary)?.summary;
    const published = dates('published')[0];
    const modified = dates('modified').at(-1);
    const finding: Finding = {
      id: g.primary,
      aliases: g.ids,
      package: { id: p.id, type: p.type, name: p.name, version: p.version, purl: p.purl, locations: p.locations, ...(p.layer ? { layer: p.layer } : {}) },
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
