import { parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import { PortcullisError } from '../core/errors.js';
import { compileGlobs } from './fields/lists.js';
import { fieldByName, FIELDS } from './fields/registry.js';
import type { CompileEnv, CountTest, ImageTest, KeyedFindingTest, Need } from './fields/types.js';
import { parseTime } from './dates.js';
import type { Stage } from './input.js';
import { type CompiledException, type CompiledRule, type Diagnostic, DocumentSchema, ExceptionSchema, formatDiagnostic, type LoadedPolicy, RuleSchema } from './model.js';
import { compileScope } from './scope.js';

/**
 * Loading = parse YAML, validate every level with its schema, look every criterion up in the
 * field registry and compile it. Every problem becomes a diagnostic naming file, path, rule
 * and field; `loadPolicies` refuses the whole set when there is any (POLICY_INVALID), so a
 * typo can never switch a rule off and let an image through.
 */

export interface PolicySource {
  readonly file: string;
  readonly text: string;
}

export interface CompileOptions {
  /** diffIDs of base images named by `ref` in baseImage criteria, resolved by the caller. */
  readonly baseImages?: ReadonlyMap<string, readonly string[]>;
  /** When given, exact compliance check ids must be among these. */
  readonly knownCheckIds?: ReadonlySet<string>;
}

export interface CompileResult {
  readonly policies: readonly LoadedPolicy[];
  readonly diagnostics: readonly Diagnostic[];
}

export const MAX_POLICY_BYTES = 4 * 1024 * 1024;

function issuePath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out;
}

function zodDiags(file: string, prefix: string, error: z.ZodError, extra: { rule?: string; field?: string } = {}): Diagnostic[] {
  return error.issues.map((i) => ({ file, path: issuePath(prefix, i.path), message: i.message, ...extra }));
}

/** YAML text → plain documents, or diagnostics. Empty documents are skipped. */
function parseDocuments(src: PolicySource, diags: Diagnostic[]): unknown[] {
  if (src.text.length > MAX_POLICY_BYTES) {
    diags.push({ file: src.file, path: '', message: `larger than ${MAX_POLICY_BYTES} bytes` });
    return [];
  }
  const out: unknown[] = [];
  try {
    for (const doc of parseAllDocuments(src.text, { prettyErrors: false, uniqueKeys: true })) {
      if (doc.errors.length) {
        for (const e of doc.errors) {
          const at = e.linePos?.[0];
          diags.push({ file: src.file, path: at ? `line ${at.line}:${at.col}` : '', message: `not valid YAML: ${e.message.split('\n')[0]}` });
        }
        continue;
      }
      const js: unknown = doc.toJS({ maxAliasCount: 100 });
      if (js !== null && js !== undefined) out.push(js);
    }
  } catch (err) {
    diags.push({ file: src.file, path: '', message: `not valid YAML: ${(err as Error).message.split('\n')[0]}` });
  }
  return out;
}

function compileRule(file: string, policy: string, raw: unknown, at: string, env: CompileEnv, diags: Diagnostic[]): CompiledRule | undefined {
  const ruleName = typeof raw === 'object' && raw !== null && typeof (raw as { name?: unknown }).name === 'string' ? (raw as { name: string }).name : undefined;
  const r = RuleSchema.safeParse(raw);
  if (!r.success) {
    diags.push(...zodDiags(file, at, r.error, ruleName ? { rule: ruleName } : {}));
    return undefined;
  }
  const rule = r.data;
  const before = diags.length;
  const findingTests: KeyedFindingTest[] = [];
  const imageTests: ImageTest[] = [];
  let count: CountTest | undefined;
  const needs = new Set<Need>();
  for (const [key, value] of Object.entries(rule.criteria)) {
    const path = `${at}.criteria.${key}`;
    const field = fieldByName(key);
    if (!field) {
      diags.push({ file, path, rule: rule.name, field: key, message: `unknown field "${key}"; known fields: ${FIELDS.map((f) => f.name).join(', ')}` });
      continue;
    }
    const parsed = field.schema.safeParse(value);
    if (!parsed.success) {
      diags.push(...zodDiags(file, path, parsed.error, { rule: rule.name, field: key }));
      continue;
    }
    const compiled = field.compile(parsed.data, env, (message, sub) => diags.push({ file, path: sub ? `${path}.${sub}` : path, rule: rule.name, field: key, message }));
    if (!compiled) continue;
    if (field.needs) needs.add(field.needs);
    if (compiled.level === 'finding') {
      findingTests.push({ key: `${key}=${JSON.stringify(parsed.data)}`, cost: field.cost ?? 1, describe: compiled.describe, facts: compiled.facts, select: compiled.select, detail: compiled.detail });
    }
    else if (compiled.level === 'count') count = compiled;
    else imageTests.push(compiled);
  }
  const scope = rule.scope ? compileScope(rule.scope, (message, sub) => diags.push({ file, path: `${at}.scope${sub ? `.${sub}` : ''}`, rule: rule.name, message })) : undefined;
  if (diags.length > before) return undefined;
  return {
    policy,
    name: rule.name,
    description: rule.description,
    remediation: rule.remediation,
    stages: new Set<Stage>(rule.stages),
    action: rule.action,
    scope,
    findingText: findingTests.map((t) => t.describe).join(' and '),
    findingTests: [...findingTests].sort((a, b) => a.cost - b.cost),
    count,
    imageTests,
    needs,
  };
}

function compileException(file: string, policy: string, raw: unknown, at: string, ruleNames: ReadonlySet<string>, diags: Diagnostic[]): CompiledException | undefined {
  const r = ExceptionSchema.safeParse(raw);
  if (!r.success) {
    diags.push(...zodDiags(file, at, r.error));
    return undefined;
  }
  const e = r.data;
  const before = diags.length;
  const diag = (message: string, sub?: string) => diags.push({ file, path: `${at}.match${sub ? `.${sub}` : ''}`, message });
  const expiresMs = parseTime(e.expires);
  if (Number.isNaN(expiresMs)) diags.push({ file, path: `${at}.expires`, message: `"${e.expires}" is not a date (YYYY-MM-DD or RFC 3339)` });
  const vulnerabilities = e.match.vulnerabilities ? compileGlobs(e.match.vulnerabilities, { ids: true }, diag, 'vulnerabilities') : undefined;
  const packages = e.match.packages ? compileGlobs(e.match.packages, {}, diag, 'packages') : undefined;
  const images = e.match.images ? compileScope(e.match.images, (m, sub) => diag(m, `images${sub ? `.${sub}` : ''}`)) : undefined;
  for (const [i, name] of (e.match.rules ?? []).entries()) if (!ruleNames.has(name)) diag(`no rule "${name}" in policy ${policy}`, `rules[${i}]`);
  if (diags.length > before) return undefined;
  const name = e.name ?? `exception ${at.replace(/^.*\[(\d+)\]$/, (_, n: string) => String(Number(n) + 1))}`;
  return {
    policy,
    name,
    reason: e.reason,
    owner: e.owner,
    expires: e.expires,
    expiresMs,
    ...(vulnerabilities ? { vulnerabilities } : {}),
    ...(packages ? { packages } : {}),
    ...(images ? { images } : {}),
    ...(e.match.rules ? { rules: new Set(e.match.rules) } : {}),
  };
}

/** Validates and compiles policy texts. Pure: no file or network access. */
export function compilePolicies(sources: readonly PolicySource[], opts: CompileOptions = {}): CompileResult {
  const diags: Diagnostic[] = [];
  const env: CompileEnv = { baseImages: opts.baseImages ?? new Map(), ...(opts.knownCheckIds ? { knownCheckIds: opts.knownCheckIds } : {}) };
  const policies: LoadedPolicy[] = [];
  const seen = new Map<string, string>();
  for (const src of sources) {
    const before = diags.length;
    const docs = parseDocuments(src, diags);
    if (docs.length === 0 && diags.length === before) diags.push({ file: src.file, path: '', message: 'no policy document in the file' });
    docs.forEach((raw, d) => {
      const prefix = docs.length > 1 ? `documents[${d}]` : '';
      const doc = DocumentSchema.safeParse(raw);
      if (!doc.success) {
        diags.push(...zodDiags(src.file, prefix, doc.error));
        return;
      }
      const { metadata, spec } = doc.data;
      const at = (s: string) => (prefix ? `${prefix}.${s}` : s);
      const other = seen.get(metadata.name);
      if (other !== undefined) diags.push({ file: src.file, path: at('metadata.name'), message: `policy ${metadata.name} is also defined in ${other}` });
      seen.set(metadata.name, src.file);
      const rules: CompiledRule[] = [];
      const names = new Set<string>();
      spec.rules.forEach((raw, i) => {
        const name = (raw as { name?: unknown } | null)?.name;
        if (typeof name === 'string') {
          if (names.has(name)) diags.push({ file: src.file, path: at(`spec.rules[${i}].name`), rule: name, message: `duplicate rule name ${name}` });
          names.add(name);
        }
        const rule = compileRule(src.file, metadata.name, raw, at(`spec.rules[${i}]`), env, diags);
        if (rule) rules.push(rule);
      });
      const exceptions = spec.exceptions.flatMap((raw, i) => compileException(src.file, metadata.name, raw, at(`spec.exceptions[${i}]`), names, diags) ?? []);
      policies.push({ name: metadata.name, file: src.file, ...(metadata.description ? { description: metadata.description } : {}), rules, exceptions });
    });
  }
  // Policies from a set with any diagnostic are never handed out.
  return { policies: diags.length ? [] : policies, diagnostics: diags };
}

/** The `ref` strings of baseImage criteria, which the caller resolves to diffIDs before compiling. */
export function baseImageRefs(sources: readonly PolicySource[]): string[] {
  const refs = new Set<string>();
  const ignore: Diagnostic[] = [];
  for (const src of sources) {
    for (const doc of parseDocuments(src, ignore)) {
      const rules = (doc as { spec?: { rules?: unknown } })?.spec?.rules;
      if (!Array.isArray(rules)) continue;
      for (const rule of rules) {
        const base = (rule as { criteria?: { baseImage?: Record<string, unknown> } })?.criteria?.baseImage;
        for (const list of [base?.in, base?.notIn]) {
          if (!Array.isArray(list)) continue;
          for (const b of list) if (typeof (b as { ref?: unknown })?.ref === 'string') refs.add((b as { ref: string }).ref);
        }
      }
    }
  }
  return [...refs].sort();
}

export interface LoadOptions extends CompileOptions {
  /** Resolves an image reference to its diffIDs (the CLI opens the image; admission asks the registry). */
  readonly resolveImage?: (ref: string) => Promise<readonly string[]>;
}

export function policyInvalid(diags: readonly Diagnostic[]): PortcullisError {
  const files = [...new Set(diags.map((d) => d.file))];
  const shown = diags.slice(0, 50).map((d) => `  ${formatDiagnostic(d)}`);
  if (diags.length > shown.length) shown.push(`  … and ${diags.length - shown.length} more`);
  return new PortcullisError('POLICY_INVALID', `${diags.length} problem(s) in ${files.join(', ')}; no policy was applied:\n${shown.join('\n')}`, { path: files[0] });
}

/** Compiles, resolving base image references first; throws POLICY_INVALID with every diagnostic. */
export async function loadPolicies(sources: readonly PolicySource[], opts: LoadOptions = {}): Promise<readonly LoadedPolicy[]> {
  const baseImages = new Map(opts.baseImages ?? []);
  const diags: Diagnostic[] = [];
  for (const ref of baseImageRefs(sources)) {
    if (baseImages.has(ref)) continue;
    if (!opts.resolveImage) {
      diags.push({ file: sources.map((s) => s.file).join(', '), path: '', field: 'baseImage', message: `base image ${ref} needs resolving and no resolver was given` });
      continue;
    }
    try {
      baseImages.set(ref, await opts.resolveImage(ref));
    } catch (err) {
      diags.push({ file: sources.map((s) => s.file).join(', '), path: '', field: 'baseImage', message: `base image ${ref} cannot be resolved: ${(err as Error).message}` });
    }
  }
  const r = compilePolicies(sources, { ...opts, baseImages });
  diags.push(...r.diagnostics);
  if (diags.length) throw policyInvalid(diags);
  return r.policies;
}
