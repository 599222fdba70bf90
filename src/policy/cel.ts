import { Environment, type ParseResult } from '@marcbachmann/cel-js';
import { type FindingsLoop, findingsLoop } from './cel-findings.js';
import type { EvalContext } from './fields/types.js';

/**
 * Custom criteria in CEL (https://github.com/google/cel-spec), evaluated by
 * @marcbachmann/cel-js (MIT, no dependencies). Expressions see the same input as the built-in
 * fields, as plain data:
 *
 *   image        {reference, registry?, repository?, tag?, digest?, referencedByDigest, labels, diffIds}
 *   findings     list of findings (id, aliases, package{name, version, type, purl}, severity,
 *                cvss[{version, score, source}], fixedVersions, published?, fixPublished?, kev?, epss?)
 *   signatures   {checked, verified[{keyId?, identity?, issuer?, digest}], errors[{code, message}]}
 *   compliance   list of {id, status, reason?}
 *   context      {stage, namespace?, cluster?, host?}
 *   now          timestamp
 *
 * Optional keys must be tested with has() first; a runtime error (a missing key, a wrong type)
 * makes the rule match (it fails closed) and the error is explained.
 */

export const CEL_VARIABLES = ['compliance', 'context', 'findings', 'image', 'now', 'signatures'] as const;

const LIMITS = { maxAstNodes: 2000, maxDepth: 64, maxListElements: 1000, maxMapEntries: 1000, maxCallArguments: 32 };
const MAX_EXPRESSION = 8192;

let shared: Environment | undefined;

function environment(): Environment {
  if (shared) return shared;
  const env = new Environment({ unlistedVariablesAreDyn: false, limits: LIMITS });
  for (const v of CEL_VARIABLES) env.registerVariable(v, v === 'now' ? 'google.protobuf.Timestamp' : 'dyn');
  shared = env;
  return env;
}

export type CelProgram =
  | {
      readonly ok: true;
      /** Finding facts the program's loop over findings reads (FACTS flags; 0 when it has none). */
      readonly facts: number;
      run(ctx: EvalContext): { value?: boolean; error?: string };
    }
  | { readonly ok: false; readonly error: string };

/** Parses and type-checks one expression; the result must be a bool. */
export function compileCel(expression: string): CelProgram {
  if (expression.length > MAX_EXPRESSION) return { ok: false, error: `longer than ${MAX_EXPRESSION} characters` };
  const env = environment();
  let program: ParseResult;
  try {
    const checked = env.check(expression);
    if (!checked.valid) return { ok: false, error: firstLine(checked.error?.message ?? 'invalid expression') };
    if (checked.type !== 'bool' && checked.type !== 'dyn') return { ok: false, error: `the expression gives ${checked.type}, not bool` };
    program = env.parse(expression);
  } catch (err) {
    return { ok: false, error: firstLine((err as Error).message) };
  }
  // Loops over findings with simple predicates run as JavaScript (same answer; see cel-findings.ts).
  const fast: FindingsLoop | undefined = findingsLoop(program.ast);
  return {
    ok: true,
    facts: fast?.facts ?? 0,
    run(ctx) {
      const v = fast?.run(ctx.facts());
      if (v !== undefined) return { value: v };
      try {
        const v: unknown = program(activation(ctx));
        return typeof v === 'boolean' ? { value: v } : { error: `the expression gave ${typeof v}, not bool` };
      } catch (err) {
        return { error: firstLine((err as Error).message) };
      }
    },
  };
}

function firstLine(s: string): string {
  return s.split('\n')[0]?.trim() ?? s;
}

const NO_SIGNATURES = { checked: false, verified: [], errors: [] };

/** One activation per evaluation, shared by every CEL rule. */
function activation(ctx: EvalContext): Record<string, unknown> {
  const cached = ctx.scratch.get('cel');
  if (cached) return cached as Record<string, unknown>;
  const i = ctx.input;
  const act = {
    image: i.image,
    findings: i.findings,
    signatures: i.signatures ?? NO_SIGNATURES,
    compliance: i.compliance ?? [],
    context: { stage: ctx.stage, ...i.context },
    now: new Date(ctx.nowMs),
  };
  ctx.scratch.set('cel', act);
  return act;
}
