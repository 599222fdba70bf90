import { z } from 'zod';
import { schemeById } from '../../../version/registry.js';
import { cvssFromVector } from '../../cvss.js';
import type { AdvisoryInput, AffectedStatus, Cvss, Rating } from '../../model.js';
import { clipText, type FeedReporter, quote } from '../reporter.js';
import { ProductIndex, ProductTreeSchema, type RpmComponent } from './product-tree.js';

/**
 * Red Hat CSAF documents: VEX files (one per CVE, category `csaf_vex`) and security advisories
 * (one per RHSA, `csaf_security_advisory`), https://security.access.redhat.com/data/csaf/v2/.
 * Statuses and remediations per product id become one Affected entry per (RHEL major, binary
 * rpm, module stream); SCANNER-NOTES §4.4.
 */

const Ids = z.array(z.string()).optional();
const VulnSchema = z.object({
  cve: z.string().optional(),
  title: z.string().optional(),
  cwe: z.object({ id: z.string() }).optional(),
  release_date: z.string().optional(),
  notes: z.array(z.object({ category: z.string(), text: z.string().optional() })).optional(),
  product_status: z.object({ fixed: Ids, known_affected: Ids, known_not_affected: Ids, under_investigation: Ids }).optional(),
  remediations: z.array(z.object({ category: z.string(), details: z.string().optional(), product_ids: Ids, url: z.string().optional() })).optional(),
  scores: z.array(z.object({ cvss_v2: z.object({ vectorString: z.string() }).optional(), cvss_v3: z.object({ vectorString: z.string() }).optional(), cvss_v4: z.object({ vectorString: z.string() }).optional() })).optional(),
  threats: z.array(z.object({ category: z.string(), details: z.string().optional(), product_ids: Ids })).optional(),
  references: z.array(z.object({ category: z.string().optional(), url: z.string() })).optional(),
});
type Vuln = z.infer<typeof VulnSchema>;

export const CsafSchema = z.object({
  document: z.object({
    category: z.string(),
    title: z.string().optional(),
    aggregate_severity: z.object({ text: z.string() }).optional(),
    tracking: z.object({ id: z.string(), initial_release_date: z.string().optional(), current_release_date: z.string().optional() }),
    references: z.array(z.object({ category: z.string().optional(), url: z.string() })).optional(),
  }),
  product_tree: ProductTreeSchema.optional(),
  vulnerabilities: z.array(VulnSchema).optional(),
});
type Csaf = z.infer<typeof CsafSchema>;

const IMPACT: Readonly<Record<string, Rating['severity']>> = { low: 'low', moderate: 'medium', important: 'high', critical: 'critical' };
const ERRATUM = /\b(RH[SBE]A-\d{4}:\d+)\b/;
const rpm = schemeById('rpm');

export function impactRating(raw: string): Rating {
  return { severity: IMPACT[raw.toLowerCase()] ?? 'unknown', raw, source: 'redhat' };
}

type Status = 'fixed' | 'known_affected' | 'known_not_affected' | 'under_investigation';

interface ProductFact {
  status: AffectedStatus;
  note?: string;
  rating?: Rating;
}

/** Status of every product id of one vulnerability: product_status, refined by remediations. */
function productFacts(v: Vuln): Map<string, ProductFact> {
  const status = new Map<string, Status>();
  for (const s of ['fixed', 'known_affected', 'known_not_affected', 'under_investigation'] as const) for (const id of v.product_status?.[s] ?? []) status.set(id, s);
  const remedy = new Map<string, { category: string; details: string }>();
  for (const r of v.remediations ?? []) {
    for (const id of r.product_ids ?? []) {
      // Trimmed documents may lack product_status: a vendor fix still says "fixed".
      if (!status.has(id) && r.category === 'vendor_fix') status.set(id, 'fixed');
      if (!status.has(id) && (r.category === 'no_fix_planned' || r.category === 'none_available')) status.set(id, 'known_affected');
      if (r.category !== 'workaround') remedy.set(id, { category: r.category, details: r.details ?? '' });
    }
  }
  const rating = new Map<string, Rating>();
  for (const t of v.threats ?? []) if (t.category === 'impact' && t.details) for (const id of t.product_ids ?? []) rating.set(id, impactRating(t.details));
  const out = new Map<string, ProductFact>();
  for (const [id, s] of status) {
    const r = remedy.get(id);
    const fact: ProductFact = { status: s === 'fixed' ? 'fixed' : s === 'known_not_affected' ? 'not_affected' : s === 'under_investigation' ? 'under_investigation' : affectedStatus(r) };
    if (s === 'known_affected' && r?.details) fact.note = clipText(r.details) as string;
    const rt = rating.get(id);
    if (rt) fact.rating = rt;
    out.set(id, fact);
  }
  return out;
}

/** known_affected + remediation: "Will not fix", "Out of support scope", "Deferred", "Affected". */
function affectedStatus(r: { category: string; details: string } | undefined): AffectedStatus {
  const d = r?.details.toLowerCase() ?? '';
  if (r?.category === 'no_fix_planned') return d.includes('out of support') ? 'end_of_life' : 'will_not_fix';
  if (r?.category === 'none_available' && d.includes('deferred')) return 'fix_deferred';
  return 'affected';
}

/** Which of two statuses of one package in one release is reported: a fix, then "vulnerable", then the rest. */
const PRECEDENCE: readonly AffectedStatus[] = ['fixed', 'affected', 'fix_deferred', 'will_not_fix', 'end_of_life', 'under_investigation', 'not_affected'];

interface Entry {
  ecosystem: string;
  name: string;
  status: AffectedStatus;
  fixed?: string;
  arches: Set<string>;
  module?: string;
  rating?: Rating;
  note?: string;
}

/** Folds one product's fact into the entry of its (major, name, module). */
function fold(entries: Map<string, Entry>, c: RpmComponent, f: ProductFact, rep: FeedReporter, rel: string): void {
  if (f.status === 'fixed' && c.evr === undefined) return; // a fixed status names a version
  if (c.evr !== undefined && !rpm?.isValid(c.evr)) return rep.problem('VERSION_INVALID', `${c.name}: ${quote(c.evr)} is not a valid rpm version`, rel);
  const key = `${c.major}\0${c.name}\0${c.module ?? ''}`;
  const prev = entries.get(key);
  const next: Entry = { ecosystem: `Red Hat:${c.major}`, name: c.name, status: f.status, arches: new Set(), ...(c.module ? { module: c.module } : {}) };
  if (f.status === 'fixed') {
    next.fixed = c.evr as string;
    if (c.arch) next.arches.add(c.arch);
  }
  if (f.rating) next.rating = f.rating;
  if (f.note) next.note = f.note;
  if (!prev) return void entries.set(key, next);
  const rank = (e: Entry) => PRECEDENCE.indexOf(e.status);
  if (rank(next) < rank(prev)) return void entries.set(key, { ...next, arches: next.arches });
  if (rank(next) > rank(prev)) return;
  if (prev.status === 'fixed' && next.fixed !== undefined) {
    // Keep the highest fix (trivy does too); arches of every fixed build are kept.
    if (rpm && prev.fixed !== undefined && rpm.compare(next.fixed, prev.fixed) > 0) prev.fixed = next.fixed;
    for (const a of next.arches) prev.arches.add(a);
  }
  if (!prev.rating && next.rating) prev.rating = next.rating;
}

function toAffected(e: Entry) {
  return {
    ecosystem: e.ecosystem,
    name: e.name,
    status: e.status,
    ...(e.fixed ? { ranges: [{ type: 'ECOSYSTEM' as const, events: [{ introduced: '0' }, { fixed: e.fixed }] }] } : {}),
    ...(e.arches.size > 0 ? { arches: [...e.arches].sort() } : {}),
    ...(e.module ? { module: e.module } : {}),
    ...(e.rating ? { rating: e.rating } : {}),
    ...(e.note ? { note: e.note } : {}),
  };
}

function affectedOf(vulns: readonly Vuln[], index: ProductIndex, rep: FeedReporter, rel: string, onlyFixed: boolean) {
  const entries = new Map<string, Entry>();
  let unknown = 0;
  for (const v of vulns) {
    for (const [id, fact] of productFacts(v)) {
      if (onlyFixed && fact.status !== 'fixed') continue;
      const c = index.resolve(id);
      if (c === 'unknown') unknown++;
      else if (c) fold(entries, c, fact, rep, rel);
    }
  }
  if (unknown > 0) rep.problem('FEED_PARSE', `${unknown} product id(s) are not in the product tree; skipped`, rel);
  return [...entries.values()].map(toAffected);
}

function refs(list: readonly { category?: string | undefined; url: string }[] | undefined) {
  return (list ?? []).map((r) => ({ type: r.category === 'self' ? 'ADVISORY' : 'WEB', url: r.url }));
}

function cvssOf(vulns: readonly Vuln[]): Cvss[] {
  const out = new Map<string, Cvss>();
  for (const v of vulns) {
    for (const s of v.scores ?? []) {
      for (const vec of [s.cvss_v4?.vectorString, s.cvss_v3?.vectorString, s.cvss_v2?.vectorString]) {
        const c = vec ? cvssFromVector(vec, 'redhat') : undefined;
        if (c) out.set(c.vector, c);
      }
    }
  }
  return [...out.values()];
}

/** Record-level ratings: impact threats that name no product, else the document's aggregate severity. */
function ratingsOf(doc: Csaf, vulns: readonly Vuln[]): Rating[] {
  const general = vulns.flatMap((v) => v.threats ?? []).filter((t) => t.category === 'impact' && t.details && (t.product_ids ?? []).length === 0);
  const words = general.length > 0 ? general.map((t) => t.details as string) : doc.document.aggregate_severity ? [doc.document.aggregate_severity.text] : [];
  return [...new Set(words)].map(impactRating);
}

/** The advisories of one CSAF document (one per CVE of a VEX file, one per RHSA). */
export function csafAdvisories(raw: unknown, rel: string, rep: FeedReporter): AdvisoryInput[] {
  const parsed = CsafSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    rep.problem('FEED_PARSE', `not a CSAF document: ${i?.message ?? 'invalid'} at ${i?.path.join('.') ?? ''}`, rel);
    return [];
  }
  const doc = parsed.data;
  const index = new ProductIndex(doc.product_tree);
  const vulns = doc.vulnerabilities ?? [];
  const t = doc.document.tracking;
  const dates = { ...(t.current_release_date ? { modified: t.current_release_date } : {}) };
  if (doc.document.category === 'csaf_security_advisory') {
    const summary = clipText(doc.document.title);
    return [
      {
        id: t.id,
        source: 'redhat',
        aliases: [...new Set(vulns.flatMap((v) => (v.cve ? [v.cve] : [])))],
        ...(summary ? { summary } : {}),
        ...(t.initial_release_date ? { published: t.initial_release_date } : {}),
        ...dates,
        ratings: ratingsOf(doc, vulns),
        cwes: [...new Set(vulns.flatMap((v) => (v.cwe ? [v.cwe.id] : [])))],
        references: refs(doc.document.references),
        affected: affectedOf(vulns, index, rep, rel, true),
      },
    ];
  }
  if (doc.document.category !== 'csaf_vex') {
    rep.problem('FEED_PARSE', `CSAF category ${quote(doc.document.category)} is neither csaf_vex nor csaf_security_advisory`, rel);
    return [];
  }
  return vulns.flatMap((v) => {
    const id = v.cve ?? t.id;
    const summary = clipText(v.title ?? v.notes?.find((n) => n.category === 'summary')?.text ?? doc.document.title);
    const errata = (v.remediations ?? []).flatMap((r) => (r.category === 'vendor_fix' ? (ERRATUM.exec(r.url ?? '')?.slice(1, 2) ?? []) : []));
    const published = v.release_date ?? t.initial_release_date;
    return [
      {
        id,
        source: 'redhat',
        aliases: [...new Set(errata)].sort(),
        ...(summary ? { summary } : {}),
        ...(published ? { published } : {}),
        ...dates,
        cvss: cvssOf([v]),
        ratings: ratingsOf(doc, [v]),
        cwes: v.cwe ? [v.cwe.id] : [],
        references: refs(v.references),
        affected: affectedOf([v], index, rep, rel, false),
      },
    ];
  });
}
