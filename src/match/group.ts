import type { StoredAdvisory } from '../vulndb/db/open.js';

/**
 * Alias groups: the advisories that describe one vulnerability (CVE-2021-23337 = GHSA-35jh… =
 * the Debian tracker's CVE record) become one finding. Union-find over id, aliases and
 * upstream (SCANNER-NOTES §4.7), with one guard: a record that names several CVEs (a DSA, a USN,
 * an RHSA fixing five CVEs) does not glue those CVEs together; it joins each group that holds
 * one of its CVEs as evidence, and forms its own group only when none exists.
 */

const CVE = /^CVE-\d{4}-\d+$/;

export interface AdvisoryGroup {
  readonly primary: string;
  readonly ids: readonly string[];
  readonly members: readonly StoredAdvisory[];
}

interface Ids {
  readonly ids: readonly string[];
  readonly multi: boolean;
}

// An advisory object lives in the database's cache and meets many groupings: its ids are listed
// once (entries go with the advisory object).
const idsCache = new WeakMap<StoredAdvisory, Ids>();

function idsInfo(a: StoredAdvisory): Ids {
  let info = idsCache.get(a);
  if (!info) {
    const ids = [...new Set([a.id, ...a.aliases, ...a.upstream])];
    info = { ids, multi: ids.filter((i) => CVE.test(i)).length > 1 };
    idsCache.set(a, info);
  }
  return info;
}

function idsOf(a: StoredAdvisory): readonly string[] {
  return idsInfo(a).ids;
}

/** A group's primary id and its ids, primary first, the rest sorted. */
function named(ids: Iterable<string>, members: readonly StoredAdvisory[]): AdvisoryGroup {
  const all = [...ids];
  const cves = all.filter((i) => CVE.test(i)).sort();
  const primary = cves.length === 1 ? (cves[0] as string) : (members[0]?.id ?? all[0] ?? '');
  const rest = all.filter((i) => i !== primary).sort();
  return { primary, ids: [primary, ...rest], members };
}

export function groupAdvisories(advisories: readonly StoredAdvisory[]): AdvisoryGroup[] {
  // One record is one group whether it names one CVE or several (the result of the general case).
  if (advisories.length === 1) {
    const a = advisories[0] as StoredAdvisory;
    return [named(idsOf(a), [a])];
  }
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r) ?? r;
    parent.set(x, r);
    return r;
  };
  const union = (a: string, b: string): void => {
    if (!parent.has(a)) parent.set(a, a);
    if (!parent.has(b)) parent.set(b, b);
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(rb, ra);
  };
  const single: StoredAdvisory[] = [];
  const multi: StoredAdvisory[] = [];
  for (const a of advisories) (idsInfo(a).multi ? multi : single).push(a);
  for (const a of single) {
    const ids = idsOf(a);
    for (const id of ids) union(ids[0] as string, id);
  }
  const groups = new Map<string, { ids: Set<string>; members: StoredAdvisory[] }>();
  const groupOf = (root: string) => {
    let g = groups.get(root);
    if (!g) groups.set(root, (g = { ids: new Set(), members: [] }));
    return g;
  };
  for (const a of single) {
    const g = groupOf(find(a.id));
    for (const id of idsOf(a)) g.ids.add(id);
    g.members.push(a);
  }
  for (const a of multi) {
    const roots = new Set(idsOf(a).flatMap((id) => (parent.has(id) && CVE.test(id) ? [find(id)] : [])));
    if (roots.size === 0) {
      // Its own group, keyed by its own id so its several CVEs stay listed as aliases.
      const g = groupOf(`#${a.id}`);
      for (const id of idsOf(a)) g.ids.add(id);
      g.members.push(a);
      continue;
    }
    for (const root of roots) {
      const g = groupOf(root);
      g.ids.add(a.id);
      g.members.push(a);
    }
  }
  return [...groups.values()].map(({ ids, members }) => named(ids, members));
}
