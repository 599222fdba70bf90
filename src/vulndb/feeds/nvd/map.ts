import type { z } from 'zod';
import { cvssFromVector } from '../../cvss.js';
import type { AdvisoryInput, Cvss } from '../../model.js';
import { ConfigurationSchema, CpeMatchSchema, type Cve, METRIC_KEYS, MetricSchema, ReferenceSchema, WeaknessSchema } from './schema.js';

/**
 * One NVD CVE (API 2.0) → an enrichment-only advisory: CVSS, CWE, CPE names, references and
 * dates; never affected packages (NVD's CPE configurations are not used to match packages).
 */

export type Note = (message: string) => void;

export const SOURCE = 'nvd';
/** Longer URLs, CPE names or vectors are not real data; they are skipped, not stored. */
export const MAX_FIELD = 4096;
const CWE = /^CWE-\d+$/;

export function cveToAdvisory(cve: Cve, note: Note): AdvisoryInput | string {
  const published = rfc3339(cve.published);
  const modified = rfc3339(cve.lastModified);
  if (published === undefined || modified === undefined) return `${cve.id}: published or lastModified is not a date`;
  const cvss: Cvss[] = [];
  for (const key of METRIC_KEYS) {
    for (const m of each(cve.metrics?.[key], MetricSchema, `${cve.id} ${key}`, note)) {
      // Primary is the score NVD stands behind: its own, or a CNA's it adopted (e.g. Oracle's).
      addCvss(cvss, m.cvssData.vectorString, m.type === 'Primary' ? SOURCE : `${SOURCE}:secondary:${m.source}`, `${cve.id} ${key}`, note);
    }
  }
  const cwes = new Set<string>();
  for (const w of each(cve.weaknesses, WeaknessSchema, `${cve.id} weaknesses`, note)) {
    // NVD-CWE-Other and NVD-CWE-noinfo say "no CWE"; they are not weaknesses.
    for (const d of w.description) if (CWE.test(d.value)) cwes.add(d.value);
  }
  const cpes = new Set<string>();
  for (const c of each(cve.configurations, ConfigurationSchema, `${cve.id} configurations`, note)) {
    for (const node of c.nodes) {
      if (node.negate === true) continue;
      for (const m of each(node.cpeMatch, CpeMatchSchema, `${cve.id} cpeMatch`, note)) if (m.vulnerable) addCpe(cpes, m.criteria, cve.id, note);
    }
  }
  const refs = new References();
  for (const r of each(cve.references, ReferenceSchema, `${cve.id} references`, note)) refs.add(r.url, r.tags ?? [], cve.id, note);
  return {
    id: cve.id,
    source: SOURCE,
    published,
    modified,
    ...(cve.vulnStatus === 'Rejected' ? { withdrawn: modified } : {}),
    cvss,
    cwes: [...cwes],
    cpes: [...cpes],
    references: refs.list,
    affected: [],
  };
}

/** Elements of `items` that match `schema`; each one that does not is noted and skipped. */
export function each<S extends z.ZodType>(items: readonly unknown[] | undefined, schema: S, what: string, note: Note): z.infer<S>[] {
  const out: z.infer<S>[] = [];
  (items ?? []).forEach((item, i) => {
    const r = schema.safeParse(item);
    if (r.success) out.push(r.data);
    else note(`${what}[${i}] skipped: ${r.error.issues[0]?.path.join('.') ?? ''} ${r.error.issues[0]?.message ?? ''}`.trim());
  });
  return out;
}

export function addCvss(out: Cvss[], vector: string, source: string, what: string, note: Note): void {
  const cvss = vector.length <= MAX_FIELD ? cvssFromVector(vector, source) : undefined;
  if (cvss === undefined) {
    note(`${what}: not a valid CVSS vector: ${JSON.stringify(vector.slice(0, 120))}`);
    return;
  }
  if (!out.some((c) => c.vector === cvss.vector && c.source === cvss.source)) out.push(cvss);
}

export function addCpe(out: Set<string>, cpe: string, id: string, note: Note): void {
  if (cpe.length <= MAX_FIELD && cpe.startsWith('cpe:2.3:')) out.add(cpe);
  else note(`${id}: not a CPE 2.3 name: ${JSON.stringify(cpe.slice(0, 120))}`);
}

/**
 * NVD reference tags → OSV reference types (https://ossf.github.io/osv-schema/#references-field),
 * the strongest tag first; untagged or other tags are WEB.
 */
const TAG_TYPES: readonly (readonly [string, string])[] = [
  ['Patch', 'FIX'],
  ['Vendor Advisory', 'ADVISORY'],
  ['Third Party Advisory', 'ADVISORY'],
  ['US Government Resource', 'ADVISORY'],
  ['Mitigation', 'ADVISORY'],
  ['Exploit', 'EVIDENCE'],
  ['Issue Tracking', 'REPORT'],
  ['Mailing List', 'DISCUSSION'],
  ['Technical Description', 'ARTICLE'],
  ['Press/Media Coverage', 'ARTICLE'],
  ['Product', 'PACKAGE'],
];

export class References {
  readonly list: { type: string; url: string }[] = [];
  private readonly seen = new Set<string>();

  add(url: string, tags: readonly string[], id: string, note: Note): void {
    const u = url.trim();
    if (u.length === 0 || u.length > MAX_FIELD) {
      note(`${id}: reference URL of ${u.length} characters skipped`);
      return;
    }
    if (this.seen.has(u)) return;
    this.seen.add(u);
    const type = TAG_TYPES.find(([tag]) => tags.includes(tag))?.[1] ?? 'WEB';
    this.list.push({ type, url: u });
  }
}

const NVD_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * NVD writes UTC times without a zone (`2024-06-07T10:15:12.293`; 1.1 feeds `2019-12-02T18:15Z`).
 * One RFC 3339 form for all (`…T10:15:12.293Z`) so `modified` values compare as strings.
 */
export function rfc3339(value: string): string | undefined {
  const v = value.trim();
  const m = NVD_TIME.exec(v);
  if (m === null) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  // Date.parse rolls 30 February over into March; refuse fields out of range instead.
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
  const zone = m[7];
  const zoned = zone === undefined ? `${v}Z` : /^[+-]\d{4}$/.test(zone) ? `${v.slice(0, -2)}:${v.slice(-2)}` : v;
  const t = Date.parse(zoned);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}
