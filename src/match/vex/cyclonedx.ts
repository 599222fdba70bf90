import { z } from 'zod';
import { componentRef } from './component-ref.js';
import { normalizeVulnId, type ComponentRef, type ProductRef, type VexDocument, type VexStatement, type VexStatus } from './model.js';
import { describeIssues, quote, vexParseError } from './schema-errors.js';
import { parseInstant, TimestampSchema } from './timestamp.js';
import { WarningList } from './warnings.js';

/**
 * CycloneDX VEX: a BOM (1.4–1.6, JSON) whose `vulnerabilities[]` carry an `analysis`
 * (https://cyclonedx.org/docs/1.6/json/#vulnerabilities, https://cyclonedx.org/capabilities/vex/).
 * `affects[].ref` names a component of this BOM by bom-ref, a purl, or a component of another
 * BOM by BOM-Link (https://cyclonedx.org/capabilities/bomlink/).
 */

export const CYCLONEDX_SPEC_VERSIONS: readonly string[] = ['1.4', '1.5', '1.6'];

export const CYCLONEDX_STATES = ['resolved', 'resolved_with_pedigree', 'exploitable', 'in_triage', 'false_positive', 'not_affected'] as const;
type CdxState = (typeof CYCLONEDX_STATES)[number];

/** CycloneDX impact analysis states as VEX statuses (the brief's table; same as trivy and CISA's mapping). */
export const CYCLONEDX_STATE_TO_STATUS: Readonly<Record<CdxState, VexStatus>> = {
  not_affected: 'not_affected',
  false_positive: 'not_affected',
  resolved: 'fixed',
  resolved_with_pedigree: 'fixed',
  exploitable: 'affected',
  in_triage: 'under_investigation',
};

const ComponentSchema = z.object({
  'bom-ref': z.string().optional(),
  purl: z.string().optional(),
  hashes: z.array(z.object({ alg: z.string(), content: z.string() })).optional(),
  // Walked by hand (components.ts), not by a recursive schema: nesting depth is the attacker's.
  components: z.array(z.unknown()).optional(),
});

const VersionSchema = z.object({ version: z.string().optional(), range: z.string().optional(), status: z.string().optional() });

const VulnerabilitySchema = z.object({
  id: z.string().optional(),
  references: z.array(z.object({ id: z.string() })).optional(),
  created: TimestampSchema.optional(),
  published: TimestampSchema.optional(),
  updated: TimestampSchema.optional(),
  analysis: z
    .object({
      state: z.enum(CYCLONEDX_STATES).optional(),
      justification: z.string().optional(),
      // An array in the schema; a single string in some published examples (bom-examples VEX/vex.json).
      response: z.union([z.array(z.string()), z.string()]).optional(),
      detail: z.string().optional(),
      firstIssued: TimestampSchema.optional(),
      lastUpdated: TimestampSchema.optional(),
    })
    .optional(),
  affects: z
    .array(z.object({ ref: z.string().min(1), versions: z.union([z.array(VersionSchema), VersionSchema]).optional() }))
    .optional(),
});

const BomSchema = z.object({
  bomFormat: z.literal('CycloneDX'),
  specVersion: z.string(),
  serialNumber: z.string().optional(),
  metadata: z.object({ timestamp: TimestampSchema.optional(), component: ComponentSchema.optional() }).optional(),
  components: z.array(z.unknown()).optional(),
  vulnerabilities: z.array(VulnerabilitySchema).optional(),
});

type Vulnerability = z.infer<typeof VulnerabilitySchema>;
type Affects = NonNullable<Vulnerability['affects']>[number];
type Component = z.infer<typeof ComponentSchema>;

export function parseCycloneDxVex(json: Record<string, unknown>, path: string | undefined): VexDocument {
  const spec = json.specVersion;
  if (typeof spec !== 'string' || !CYCLONEDX_SPEC_VERSIONS.includes(spec)) {
    throw vexParseError(`CycloneDX specVersion ${quote(spec)} is not supported for VEX: expected ${CYCLONEDX_SPEC_VERSIONS.join(', ')}`, path);
  }
  const parsed = BomSchema.safeParse(json);
  if (!parsed.success) throw vexParseError(`not a valid CycloneDX VEX document: ${describeIssues(parsed.error)}`, path);
  const bom = parsed.data;
  if (!bom.vulnerabilities) {
    throw vexParseError('the CycloneDX BOM has no vulnerabilities[]: it is an SBOM, not a VEX document', path);
  }
  const warnings = new WarningList(path);
  const components = indexComponents(bom.metadata?.component, bom.components ?? [], path);
  const bomTime = parseInstant(bom.metadata?.timestamp ?? '');

  const statements: VexStatement[] = [];
  let unanalysed = 0;
  bom.vulnerabilities.forEach((v, i) => {
    const where = `vulnerabilities[${i}]`;
    const warn = (message: string): void => warnings.add(`${where}: ${message}`);
    const state = v.analysis?.state;
    if (!state) return void unanalysed++;
    if (!v.id) return warn('has no id; it cannot match a finding');
    const products = (v.affects ?? []).map((a) => resolveAffects(a, components, warn));
    if (products.length === 0) warn('has no affects[]; it applies to nothing');
    const a = v.analysis!;
    const status = CYCLONEDX_STATE_TO_STATUS[state];
    const text = describe(state, a.detail, a.response);
    const time = parseInstant(a.lastUpdated ?? a.firstIssued ?? v.updated ?? v.published ?? v.created ?? '') ?? bomTime;
    statements.push({
      vulnerabilities: [...new Set([v.id, ...(v.references ?? []).map((r) => r.id)].map(normalizeVulnId).filter((s) => s !== ''))],
      status,
      ...(a.justification ? { justification: a.justification } : {}),
      ...(text ? { text } : {}),
      // `detail` is CycloneDX's free-text counterpart of OpenVEX's impact_statement.
      missingJustification: state === 'not_affected' && !a.justification && !a.detail,
      time,
      products,
      where,
    });
  });
  if (unanalysed) warnings.add(`${unanalysed} vulnerabilities have no analysis.state: they are findings, not VEX statements, and were ignored`);
  return {
    format: 'cyclonedx',
    name: path ?? bom.serialNumber ?? 'CycloneDX VEX document',
    ...(path === undefined ? {} : { path }),
    statements,
    problems: warnings.list(),
  };
}

function describe(state: CdxState, detail: string | undefined, response: string | string[] | undefined): string | undefined {
  const responses = typeof response === 'string' ? [response] : (response ?? []);
  const parts = [state === 'false_positive' ? 'false positive' : undefined, detail, responses.length ? `response: ${responses.join(', ')}` : undefined];
  const text = parts.filter((p) => p).join('; ');
  return text || undefined;
}

/** Every component of the BOM by bom-ref (metadata.component first), walked without recursion. */
function indexComponents(root: Component | undefined, top: readonly unknown[], path: string | undefined): Map<string, Component> {
  const out = new Map<string, Component>();
  if (root?.['bom-ref']) out.set(root['bom-ref'], root);
  const stack: { value: unknown; where: string }[] = top.map((value, i) => ({ value, where: `components.${i}` })).reverse();
  for (let item = stack.pop(); item; item = stack.pop()) {
    const parsed = ComponentSchema.safeParse(item.value);
    if (!parsed.success) throw vexParseError(`not a valid CycloneDX VEX document: ${item.where}: ${describeIssues(parsed.error)}`, path);
    const c = parsed.data;
    if (c['bom-ref'] && !out.has(c['bom-ref'])) out.set(c['bom-ref'], c);
    const children = c.components ?? [];
    for (let i = children.length - 1; i >= 0; i--) stack.push({ value: children[i], where: `${item.where}.components.${i}` });
  }
  return out;
}

// urn:cdx:<serialNumber UUID>/<version>[#<percent-encoded bom-ref>]
const BOM_LINK = /^urn:cdx:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/(\d+)(?:#(.+))?$/i;

function resolveAffects(a: Affects, components: ReadonlyMap<string, Component>, warn: (m: string) => void): ProductRef {
  const versions = scopeVersions(a, warn);
  const extra = versions ? { versions } : {};
  const local = components.get(a.ref);
  if (local) return { ...fromComponent(local, warn), ...extra, subcomponents: [] };
  const link = BOM_LINK.exec(a.ref);
  if (link) {
    // The fragment names a component of the linked BOM: our SBOMs use the package id (or a purl).
    const fragment = link[3] === undefined ? undefined : safeDecode(link[3]);
    const ids = fragment === undefined ? [a.ref, `urn:uuid:${link[1]!.toLowerCase()}`] : [fragment, a.ref];
    return { ...componentRef({ ids }, warn), ...extra, subcomponents: [] };
  }
  if (a.ref.startsWith('urn:cdx:')) warn(`affects ref ${quote(a.ref)} is not a valid BOM-Link; compared as a plain identifier`);
  else if (!/^pkg:/i.test(a.ref)) warn(`affects ref ${quote(a.ref)} is neither a component of this BOM nor a purl; compared with package ids`);
  return { ...componentRef({ ids: [a.ref] }, warn), ...extra, subcomponents: [] };
}

function fromComponent(c: Component, warn: (m: string) => void): ComponentRef {
  return componentRef({ ids: [c.purl, c['bom-ref']], hashes: (c.hashes ?? []).map((h) => [h.alg, h.content] as const) }, warn);
}

/** Exact versions an affects entry is limited to; ranges (`vers:`) are not evaluated and cover nothing. */
function scopeVersions(a: Affects, warn: (m: string) => void): string[] | undefined {
  if (a.versions === undefined) return undefined;
  const list = Array.isArray(a.versions) ? a.versions : [a.versions];
  if (list.length === 0) return undefined;
  const exact = list.flatMap((v) => (v.version ? [v.version] : []));
  const ranges = list.filter((v) => !v.version && v.range).length;
  if (ranges) warn(`${ranges} version range(s) of ${quote(a.ref)} are not evaluated; only exactly listed versions are covered`);
  return exact;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
