import { parse } from 'yaml';
import { z } from 'zod';
import { PortcullisError } from '../core/errors.js';
import { CONCERN_IDS, isConcern } from './concerns.js';
import { type Diagnostic, type Framework, FrameworkSchema, frameworkDiagnostics } from './frameworks/schema.js';
import { RuleSchema, ruleCheck, ruleProblem } from './rules.js';
import { type Check, SEVERITIES, TARGETS } from './types.js';

/**
 * Custom checks and frameworks from YAML. Everything is validated at load, with one
 * diagnostic per problem (`file: checks[1].rule.field: unknown field …`); a file with any
 * diagnostic is refused whole (COMPLIANCE_INVALID), so a typo never turns a check off.
 *
 *   checks:
 *     - id: acme-memory-1g
 *       title: Containers are limited to 1 GiB
 *       severity: medium
 *       target: container
 *       remediation: Run with --memory=1g or less.
 *       concerns: [resource-limits]
 *       rule: { field: HostConfig.Memory, op: atMost, value: 1073741824 }
 *   frameworks:
 *     - id: acme-baseline
 *       version: "1"
 *       title: ACME container baseline
 *       controls:
 *         - { id: AC-1, title: No privileged containers, checks: [cis-docker-5.5, pss-baseline-privileged] }
 */
const RESERVED = /^(cis-docker|cis-k8s|pss)-/;

const CustomCheckSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9.-]{0,63}$/, 'lower-case letters, digits, dots and dashes'),
    title: z.string().min(1).max(300),
    description: z.string().max(2000).default(''),
    severity: z.enum(SEVERITIES),
    target: z.enum(TARGETS),
    remediation: z.string().min(1).max(2000),
    concerns: z.array(z.string()).min(1),
    references: z.array(z.string()).optional(),
    rule: RuleSchema,
  })
  .strict();

const FileSchema = z.object({ checks: z.array(z.unknown()).default([]), frameworks: z.array(z.unknown()).default([]) }).strict();

export interface CustomDefinitions {
  readonly checks: readonly Check[];
  readonly frameworks: readonly Framework[];
}

const MAX_BYTES = 4 * 1024 * 1024;

function zodDiagnostics(prefix: string, error: z.ZodError): Diagnostic[] {
  return error.issues.map((i) => ({ path: [prefix, ...i.path.map(String)].filter(Boolean).join('.').replace(/\.(\d+)/g, '[$1]'), message: i.message }));
}

/** Parses one YAML text; `known` are the ids of checks already defined (built-ins and earlier files). */
export function loadCustom(text: string, file: string, known: ReadonlySet<string>): CustomDefinitions {
  const diags: Diagnostic[] = [];
  const fail = () => {
    throw new PortcullisError('COMPLIANCE_INVALID', `${file} is invalid:\n${diags.map((d) => `  ${file}: ${d.path || '(root)'}: ${d.message}`).join('\n')}`, { path: file });
  };
  if (text.length > MAX_BYTES) {
    diags.push({ path: '', message: `larger than ${MAX_BYTES} bytes` });
    fail();
  }
  let raw: unknown;
  try {
    raw = parse(text, { maxAliasCount: 100, prettyErrors: false }) ?? {};
  } catch (err) {
    diags.push({ path: '', message: `not YAML: ${(err as Error).message.split('\n')[0]}` });
    fail();
  }
  const file_ = FileSchema.safeParse(raw);
  if (!file_.success) {
    diags.push(...zodDiagnostics('', file_.error));
    fail();
  }
  const ids = new Set(known);
  const checks: Check[] = [];
  (file_.data?.checks ?? []).forEach((c, i) => {
    const parsed = CustomCheckSchema.safeParse(c);
    if (!parsed.success) return void diags.push(...zodDiagnostics(`checks[${i}]`, parsed.error));
    const d = parsed.data;
    if (RESERVED.test(d.id)) diags.push({ path: `checks[${i}].id`, message: `"${d.id}" uses a built-in benchmark prefix` });
    else if (ids.has(d.id)) diags.push({ path: `checks[${i}].id`, message: `duplicate check id "${d.id}"` });
    d.concerns.forEach((k, j) => {
      if (!isConcern(k)) diags.push({ path: `checks[${i}].concerns[${j}]`, message: `unknown concern "${k}" (known: ${CONCERN_IDS.join(', ')})` });
    });
    const why = ruleProblem(d.target, d.rule);
    if (why) diags.push({ path: `checks[${i}].rule`, message: why });
    ids.add(d.id);
    if (diags.length === 0) {
      const meta = { id: d.id, benchmark: 'custom' as const, title: d.title, description: d.description, severity: d.severity, target: d.target, remediation: d.remediation, concerns: d.concerns.filter(isConcern), ...(d.references ? { references: d.references } : {}) };
      checks.push(ruleCheck(meta, d.rule));
    }
  });
  const frameworks: Framework[] = [];
  (file_.data?.frameworks ?? []).forEach((f, i) => {
    const parsed = FrameworkSchema.safeParse(f);
    if (!parsed.success) return void diags.push(...zodDiagnostics(`frameworks[${i}]`, parsed.error));
    for (const d of frameworkDiagnostics(parsed.data, ids)) diags.push({ path: `frameworks[${i}].${d.path}`, message: d.message });
    frameworks.push(parsed.data);
  });
  if (diags.length > 0) fail();
  return { checks, frameworks };
}
