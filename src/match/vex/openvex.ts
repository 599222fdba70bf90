import { z } from 'zod';
import { componentRef, isEmptyRef } from './component-ref.js';
import { normalizeVulnId, type ComponentRef, type ProductRef, type VexDocument, type VexStatement } from './model.js';
import { describeIssues, quote, vexParseError } from './schema-errors.js';
import { parseInstant, TimestampSchema } from './timestamp.js';
import { WarningList } from './warnings.js';

/**
 * OpenVEX v0.2.0 (https://github.com/openvex/spec/blob/main/OPENVEX-SPEC.md, JSON schema
 * openvex_json_schema.json) and the earlier drafts published under the unversioned context
 * `https://openvex.dev/ns`, where `vulnerability` and `products` were plain strings and
 * `subcomponents` sat on the statement (go-vex pkg/vex/compat.go reads them the same way).
 */

export const OPENVEX_CONTEXT_PREFIX = 'https://openvex.dev/ns';
export const OPENVEX_CONTEXTS: readonly string[] = ['https://openvex.dev/ns', 'https://openvex.dev/ns/', 'https://openvex.dev/ns/v0.2.0'];

export const OPENVEX_STATUSES = ['not_affected', 'affected', 'fixed', 'under_investigation'] as const;

/** The VEX working group's justification labels (OPENVEX-SPEC.md "Status Justifications"). */
export const OPENVEX_JUSTIFICATIONS: ReadonlySet<string> = new Set([
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'inline_mitigations_already_exist',
]);

const ComponentSchema = z.object({
  '@id': z.string().optional(),
  identifiers: z.record(z.string(), z.string()).optional(),
  hashes: z.record(z.string(), z.string()).optional(),
});
const ComponentOrId = z.union([z.string(), ComponentSchema]);
const ProductOrId = z.union([z.string(), ComponentSchema.extend({ subcomponents: z.array(ComponentOrId).optional() })]);

const VulnerabilitySchema = z.union([
  z.string().min(1),
  z.object({
    '@id': z.string().optional(),
    name: z.string().min(1),
    aliases: z.array(z.string()).optional(),
  }),
]);

const StatementSchema = z.object({
  vulnerability: VulnerabilitySchema,
  timestamp: TimestampSchema.optional(),
  last_updated: TimestampSchema.optional(),
  products: z.array(ProductOrId).optional(),
  subcomponents: z.array(ComponentOrId).optional(),
  status: z.enum(OPENVEX_STATUSES),
  status_notes: z.string().optional(),
  justification: z.string().optional(),
  impact_statement: z.string().optional(),
  action_statement: z.string().optional(),
});

const DocumentSchema = z.object({
  '@context': z.string(),
  '@id': z.string().optional(),
  timestamp: TimestampSchema.optional(),
  last_updated: TimestampSchema.optional(),
  statements: z.array(StatementSchema),
});

type Statement = z.infer<typeof StatementSchema>;
type ComponentInput = z.infer<typeof ComponentOrId>;

export function parseOpenVex(json: Record<string, unknown>, path: string | undefined): VexDocument {
  const context = json['@context'];
  if (typeof context !== 'string' || !OPENVEX_CONTEXTS.includes(context)) {
    throw vexParseError(`unsupported OpenVEX @context ${quote(context)}: expected one of ${OPENVEX_CONTEXTS.join(', ')}`, path);
  }
  const parsed = DocumentSchema.safeParse(json);
  if (!parsed.success) throw vexParseError(`not a valid OpenVEX document: ${describeIssues(parsed.error)}`, path);
  const doc = parsed.data;
  const warnings = new WarningList(path);
  const docTime = parseInstant(doc.timestamp ?? doc.last_updated ?? '');
  if (!docTime) warnings.add('the document has no timestamp (required by OpenVEX); its untimed statements lose to any dated one');

  const statements = doc.statements.map((st, i): VexStatement => {
    const where = `statements[${i}]`;
    const warn = (message: string): void => warnings.add(`${where}: ${message}`);
    const products = productsOf(st, warn);
    if (products.length === 0) warn('names no product it can be matched by; it applies to nothing');
    if (st.justification !== undefined && !OPENVEX_JUSTIFICATIONS.has(st.justification)) {
      warn(`justification ${quote(st.justification)} is not one of the VEX labels`);
    }
    const own = parseInstant(st.timestamp ?? st.last_updated ?? '');
    const text = st.impact_statement ?? st.action_statement ?? st.status_notes;
    return {
      vulnerabilities: vulnerabilityIds(st.vulnerability),
      status: st.status,
      ...(st.justification ? { justification: st.justification } : {}),
      ...(text ? { text } : {}),
      missingJustification: st.status === 'not_affected' && !st.justification && !st.impact_statement,
      // OPENVEX-SPEC.md "Inheritance Flow": a statement's timestamp overrides the document's.
      time: own ?? docTime,
      products,
      where,
    };
  });
  return {
    format: 'openvex',
    name: path ?? doc['@id'] ?? 'OpenVEX document',
    ...(path === undefined ? {} : { path }),
    statements,
    problems: warnings.list(),
  };
}

function vulnerabilityIds(v: Statement['vulnerability']): string[] {
  const raw = typeof v === 'string' ? [v] : [v.name, ...(v.aliases ?? []), ...(v['@id'] ? [v['@id']] : [])];
  return [...new Set(raw.map(normalizeVulnId).filter((id) => id !== ''))];
}

function productsOf(st: Statement, warn: (message: string) => void): ProductRef[] {
  // Pre-0.2 drafts put subcomponents on the statement: they belong to every product in it.
  const shared = (st.subcomponents ?? []).map((c) => toRef(c, warn)).filter((r) => !isEmptyRef(r));
  const out: ProductRef[] = [];
  for (const p of st.products ?? []) {
    const ref = toRef(p, warn);
    const own = typeof p === 'string' ? [] : (p.subcomponents ?? []).map((c) => toRef(c, warn)).filter((r) => !isEmptyRef(r));
    if (isEmptyRef(ref)) continue;
    out.push({ ...ref, subcomponents: [...own, ...shared] });
  }
  return out;
}

function toRef(c: ComponentInput, warn: (message: string) => void): ComponentRef {
  if (typeof c === 'string') return componentRef({ ids: [c] }, warn);
  const identifiers = c.identifiers ?? {};
  if (!c['@id'] && !identifiers.purl && !c.hashes && (identifiers.cpe22 || identifiers.cpe23)) {
    warn('a component is identified only by CPE, which Portcullis does not match');
  }
  return componentRef({ ids: [c['@id'], identifiers.purl], hashes: Object.entries(c.hashes ?? {}) }, warn);
}
