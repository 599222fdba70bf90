import type { AdvisoryInput, Cvss } from '../../model.js';
import { addCpe, addCvss, each, type Note, References, rfc3339, SOURCE } from './map.js';
import { LegacyCpeMatchSchema, type LegacyItem, LegacyNodeSchema, ReferenceSchema } from './schema.js';

/**
 * One item of a retired NVD 1.1 JSON feed (nvdcve-1.1-YYYY.json[.gz], served until 2023) →
 * the same advisory an API 2.0 record gives. The 1.1 feeds carry only NVD's own scores, so every
 * vector is labelled `nvd`; a rejected CVE is marked by its description, not by a status.
 */

/** Configurations nest through `children`; real feeds go two levels deep. */
const MAX_NODE_DEPTH = 8;
const REJECTED = /^\*\* REJECT \*\*/;

export function legacyItemToAdvisory(item: LegacyItem, note: Note): AdvisoryInput | string {
  const id = item.cve.CVE_data_meta.ID;
  const published = rfc3339(item.publishedDate);
  const modified = rfc3339(item.lastModifiedDate);
  if (published === undefined || modified === undefined) return `${id}: publishedDate or lastModifiedDate is not a date`;
  const cvss: Cvss[] = [];
  const v3 = item.impact?.baseMetricV3?.cvssV3.vectorString;
  const v2 = item.impact?.baseMetricV2?.cvssV2.vectorString;
  if (v3 !== undefined) addCvss(cvss, v3, SOURCE, `${id} baseMetricV3`, note);
  if (v2 !== undefined) addCvss(cvss, v2, SOURCE, `${id} baseMetricV2`, note);
  const cwes = new Set<string>();
  for (const p of item.cve.problemtype?.problemtype_data ?? []) {
    for (const d of p.description) if (/^CWE-\d+$/.test(d.value)) cwes.add(d.value);
  }
  const cpes = new Set<string>();
  collectCpes(item.configurations?.nodes, 0, cpes, id, note);
  const refs = new References();
  // 1.1 references carry the same url and tags fields as API 2.0 ones.
  for (const r of each(item.cve.references?.reference_data, ReferenceSchema, `${id} reference_data`, note)) refs.add(r.url, r.tags ?? [], id, note);
  const rejected = item.cve.description?.description_data.some((d) => REJECTED.test(d.value)) === true;
  return {
    id,
    source: SOURCE,
    published,
    modified,
    ...(rejected ? { withdrawn: modified } : {}),
    cvss,
    cwes: [...cwes],
    cpes: [...cpes],
    references: refs.list,
    affected: [],
  };
}

function collectCpes(nodes: readonly unknown[] | undefined, depth: number, out: Set<string>, id: string, note: Note): void {
  if (nodes === undefined) return;
  if (depth >= MAX_NODE_DEPTH) {
    note(`${id}: configurations nested deeper than ${MAX_NODE_DEPTH}; the rest was ignored`);
    return;
  }
  for (const node of each(nodes, LegacyNodeSchema, `${id} nodes`, note)) {
    if (node.negate === true) continue;
    for (const m of each(node.cpe_match, LegacyCpeMatchSchema, `${id} cpe_match`, note)) if (m.vulnerable) addCpe(out, m.cpe23Uri, id, note);
    collectCpes(node.children, depth + 1, out, id, note);
  }
}
