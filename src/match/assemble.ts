import type { Evidence, Finding, FixState } from '../core/finding.js';
import type { StoredAdvisory, VulnDb } from '../vulndb/db/open.js';
import type { Affected, EpssEntry, KevEntry, Rating } from '../vulndb/model.js';
import type { Lookup } from './candidates.js';
import { type AdvisoryGroup, groupAdvisories } from './group.js';
import type { RangeHit } from './ranges.js';
import { groupSeverity, type SeverityChoice, withPackageRatings } from './severity.js';
import type { MatchVersions } from './versions.js';

/** One affected entry that contains the package's version. */
export interface Hit extends RangeHit {
  readonly advisory: StoredAdvisory;
  readonly affected: Affected;
  readonly lookup: Lookup;
}

/** What a finding takes from its alias group alone: the same for every package the group matches. */
interface GroupFacts {
  readonly severity: SeverityChoice;
  readonly cwes: string[];
  readonly references: string[];
  readonly summary: string | undefined;
  readonly published: string | undefined;
  readonly modified: string | undefined;
  readonly kev: Finding['kev'];
  readonly epss: Finding['epss'];
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

const PLACEHOLDER: Finding['package'] = { id: '', type: 'npm', name: '', version: '', purl: '', locations: [] };
const UNFIXED_STATES = new Set(['will_not_fix', 'fix_deferred', 'end_of_life', 'under_investigation']);

/**
 * Hits → findings, one per alias group, with `package` left for the caller to fill in. One
 * assembler serves one match: the same advisories meet again and again (every version of a
 * library matches the same records; one CVE's record covers several source packages), so the
 * grouping of a set of records and what a group alone decides (aliases, severity from the
 * records, CWEs, references, dates, KEV, EPSS) are made once per match, not once per package.
 * In the benchmark's worst case: 15,457 packages' worth of findings from 10,641 groups. The
 * caches hold only what this match found and go with the assembler.
 */
export class FindingAssembler {
  // Groupings: of one record alone, else of a list of records (by row ids, in hit order).
  readonly #alone = new Map<StoredAdvisory, readonly AdvisoryGroup[]>();
  readonly #groups = new Map<string, readonly AdvisoryGroup[]>();
  // Group facts: of a one-record group by its record, else by ids and members.
  readonly #byRecord = new Map<StoredAdvisory, GroupFacts>();
  readonly #facts = new Map<string, GroupFacts>();
  readonly #db: VulnDb;
  readonly #versions: MatchVersions;

  constructor(db: VulnDb, versions: MatchVersions) {
    this.#db = db;
    this.#versions = versions;
  }

  findings(hits: readonly Hit[]): Finding[] {
    const byRid = new Map<number, Hit[]>();
    const advisories: StoredAdvisory[] = [];
    for (const h of hits) {
      const list = byRid.get(h.advisory.rid);
      if (list) list.push(h);
      else {
        byRid.set(h.advisory.rid, [h]);
        advisories.push(h.advisory);
      }
    }
    const out: Finding[] = [];
    for (const g of this.#groupsOf(advisories)) {
      const gh: Hit[] = [];
      for (const m of g.members) {
        const list = byRid.get(m.rid);
        if (list) for (const h of list) gh.push(h);
      }
      out.push(this.#finding(g, gh));
    }
    return out;
  }

  /** groupAdvisories, remembered per list of records (its order decides the groups' order). */
  #groupsOf(advisories: readonly StoredAdvisory[]): readonly AdvisoryGroup[] {
    if (advisories.length === 1) {
      const a = advisories[0] as StoredAdvisory;
      let groups = this.#alone.get(a);
      if (!groups) this.#alone.set(a, (groups = groupAdvisories(advisories)));
      return groups;
    }
    let key = '';
    for (const a of advisories) key += `${a.rid},`;
    let groups = this.#groups.get(key);
    if (!groups) {
      groups = groupAdvisories(advisories);
      this.#groups.set(key, groups);
    }
    return groups;
  }

  #finding(g: AdvisoryGroup, gh: readonly Hit[]): Finding {
    const facts = this.#factsOf(g);
    const pkgRatings: Rating[] = [];
    const fixes: string[] = [];
    const fixDates: string[] = [];
    let unfixed: FixState | undefined;
    for (const h of gh) {
      const a = h.affected;
      if (a.rating) pkgRatings.push(a.rating);
      if (unfixed === undefined && a.status && UNFIXED_STATES.has(a.status)) unfixed = a.status as FixState;
      if (h.fixed) {
        if (!fixes.includes(h.fixed)) fixes.push(h.fixed);
        if (h.advisory.published) fixDates.push(h.advisory.published);
      }
    }
    // Lowest fix first, in the scheme of the package that was looked up.
    const scheme = this.#versions.get(gh[0]?.lookup.scheme ?? 'semver');
    if (scheme && fixes.length > 1) fixes.sort(scheme.compare);
    const sev = withPackageRatings(pkgRatings, facts.severity);
    const fixPublished = fixDates.length > 1 ? fixDates.sort((a, b) => Date.parse(a) - Date.parse(b))[0] : fixDates[0];
    const evidence: Evidence[] = [];
    for (const h of gh) evidence.push(evidenceOf(h));
    return build(g, PLACEHOLDER, sev, fixes.length > 0 ? 'fixed' : (unfixed ?? 'not_fixed'), fixes, facts, evidence, fixPublished);
  }

  /**
   * A group of one record is named by that record alone (see group.ts): keyed by the record.
   * A larger group by its ids and members (the same records can meet in different groups).
   */
  #factsOf(g: AdvisoryGroup): GroupFacts {
    if (g.members.length === 1) {
      const only = g.members[0] as StoredAdvisory;
      let facts = this.#byRecord.get(only);
      if (!facts) this.#byRecord.set(only, (facts = groupFacts(g, this.#db)));
      return facts;
    }
    let key = g.ids.join(',');
    for (const m of g.members) key += `;${m.rid}`;
    let facts = this.#facts.get(key);
    if (!facts) this.#facts.set(key, (facts = groupFacts(g, this.#db)));
    return facts;
  }
}

/**
 * A finding with its keys in the order the JSON output shows them; optional ones only when set.
 * One function builds every finding, so they share one object shape.
 */
function build(g: AdvisoryGroup, pkg: Finding['package'], sev: SeverityChoice, fixState: FixState, fixes: readonly string[], facts: GroupFacts, evidence: readonly Evidence[], fixPublished: string | undefined): Finding {
  const f: Writable<Finding> = {
    id: g.primary,
    aliases: g.ids,
    package: pkg,
    severity: sev.severity,
    severitySource: sev.source,
    ratings: sev.ratings,
    cvss: sev.cvss,
    fixState,
    fixedVersions: fixes,
    cwes: facts.cwes,
    references: facts.references,
    evidence,
  };
  if (facts.summary) f.summary = facts.summary;
  if (facts.published) f.published = facts.published;
  if (fixPublished) f.fixPublished = fixPublished;
  if (facts.modified) f.modified = facts.modified;
  if (facts.kev) f.kev = facts.kev;
  if (facts.epss) f.epss = facts.epss;
  return f;
}

/** `body` (from `FindingAssembler.findings`) for one package: the same keys in the same order. */
export function withPackage(body: Finding, pkg: Finding['package']): Finding {
  const f: Writable<Finding> = {
    id: body.id,
    aliases: body.aliases,
    package: pkg,
    severity: body.severity,
    severitySource: body.severitySource,
    ratings: body.ratings,
    cvss: body.cvss,
    fixState: body.fixState,
    fixedVersions: body.fixedVersions,
    cwes: body.cwes,
    references: body.references,
    evidence: body.evidence,
  };
  if (body.summary) f.summary = body.summary;
  if (body.published) f.published = body.published;
  if (body.fixPublished) f.fixPublished = body.fixPublished;
  if (body.modified) f.modified = body.modified;
  if (body.kev) f.kev = body.kev;
  if (body.epss) f.epss = body.epss;
  return f;
}

const NONE: readonly StoredAdvisory[] = [];

function groupFacts(g: AdvisoryGroup, db: VulnDb): GroupFacts {
  const cves: string[] = [];
  for (const id of g.ids) if (id.startsWith('CVE-')) cves.push(id);
  const nvd = cves.length > 0 && db.hasSource('nvd') ? cves.flatMap((c) => db.byAlias(c).filter((a) => a.source === 'nvd' && !a.withdrawn)) : NONE;
  let kev: KevEntry | undefined;
  let epss: EpssEntry | undefined;
  for (const c of cves) if ((kev = db.kev(c))) break;
  for (const c of cves) if ((epss = db.epss(c))) break;
  let summary: string | undefined;
  let published: string | undefined;
  let modified: string | undefined;
  const cwes = new Set<string>();
  const references = new Set<string>();
  for (const m of g.members) {
    if (!summary && m.summary) summary = m.summary;
    // The earliest publication and the latest modification (RFC 3339 strings order as dates).
    if (m.published && (published === undefined || m.published < published)) published = m.published;
    if (m.modified && (modified === undefined || m.modified > modified)) modified = m.modified;
    for (const c of m.cwes) cwes.add(c);
    for (const r of m.references) references.add(r.url);
  }
  for (const n of nvd) for (const c of n.cwes) cwes.add(c);
  return {
    severity: groupSeverity(g.members, nvd),
    cwes: [...cwes].sort(),
    references: [...references],
    summary,
    published,
    modified,
    kev: kev ? { dateAdded: kev.dateAdded, ...(kev.dueDate ? { dueDate: kev.dueDate } : {}), ...(kev.knownRansomware === undefined ? {} : { knownRansomware: kev.knownRansomware }) } : undefined,
    epss: epss ? { score: epss.score, percentile: epss.percentile, date: epss.date } : undefined,
  };
}

function evidenceOf(h: Hit): Evidence {
  const e: Writable<Evidence> = {
    advisory: h.advisory.id,
    source: h.advisory.source,
    ecosystem: h.lookup.ecosystem,
    packageName: h.lookup.name,
    matchedBy: h.lookup.matchedBy,
    range: h.range,
    versionListed: h.listed,
    comparedVersion: h.lookup.version,
  };
  if (h.affected.status) e.status = h.affected.status;
  if (h.affected.note) e.note = h.affected.note;
  return e;
}
