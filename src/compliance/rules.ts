import { z } from 'zod';
import { PortcullisError } from '../core/errors.js';
import { FIELD_READERS, type FieldValue, isKnownField } from './fields.js';
import { capped, fail, type Known, pass, skip, warn } from './outcome.js';
import type { Check, CheckMeta, Evidence, InputOf, Outcome, Target } from './types.js';

/**
 * Checks as data: a field, an operator and an expected value. Built-in declarative checks and
 * custom YAML checks share this one evaluator. A field whose source could not be read makes
 * the check skip with the reason; it never passes.
 */
export const OPERATORS = [
  'equals', 'notEquals', 'in', 'notIn', 'greaterThan', 'atLeast', 'lessThan', 'atMost', 'matches', 'notMatches', 'isSet', 'isUnset',
  'isEmpty', 'isNotEmpty', 'contains', 'notContains',
] as const;
export type Operator = (typeof OPERATORS)[number];

export const RuleSchema = z
  .object({
    field: z.string().min(1),
    op: z.enum(OPERATORS),
    value: z.unknown().optional(),
    /** Report a violated rule as `warn` instead of `fail` (recommendations that need a person's judgement). */
    failAs: z.enum(['fail', 'warn']).optional(),
  })
  .strict();
export type Rule = z.infer<typeof RuleSchema>;

const NEEDS_VALUE: ReadonlySet<Operator> = new Set(['equals', 'notEquals', 'in', 'notIn', 'greaterThan', 'atLeast', 'lessThan', 'atMost', 'matches', 'notMatches', 'contains', 'notContains']);

const isEmptyValue = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && Object.keys(v).length === 0);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);

function regexOf(value: unknown): RegExp {
  return new RegExp(String(value), 'u');
}

/** Why a rule cannot be used for `target`, or undefined when it can. */
export function ruleProblem(target: Target, rule: Rule): string | undefined {
  if (!isKnownField(target, rule.field)) return `unknown field "${rule.field}" for target ${target}; known: ${FIELD_READERS[target].names.slice(0, 12).join(', ')}…`;
  if (NEEDS_VALUE.has(rule.op) && rule.value === undefined) return `operator ${rule.op} needs a value`;
  if ((rule.op === 'in' || rule.op === 'notIn') && !Array.isArray(rule.value)) return `operator ${rule.op} needs a list value`;
  if (rule.op === 'matches' || rule.op === 'notMatches') {
    try {
      regexOf(rule.value);
    } catch (err) {
      return `invalid regular expression: ${(err as Error).message}`;
    }
  }
  return undefined;
}

/** Whether one value satisfies the rule. */
export function holds(rule: Rule, v: unknown): boolean {
  const e = rule.value;
  switch (rule.op) {
    case 'equals':
      return JSON.stringify(v) === JSON.stringify(e);
    case 'notEquals':
      return JSON.stringify(v) !== JSON.stringify(e);
    case 'in':
      return (e as unknown[]).some((x) => JSON.stringify(x) === JSON.stringify(v));
    case 'notIn':
      return !(e as unknown[]).some((x) => JSON.stringify(x) === JSON.stringify(v));
    case 'greaterThan':
    case 'atLeast':
    case 'lessThan':
    case 'atMost': {
      const a = num(v);
      const b = num(e);
      if (a === undefined || b === undefined) return false;
      return rule.op === 'greaterThan' ? a > b : rule.op === 'atLeast' ? a >= b : rule.op === 'lessThan' ? a < b : a <= b;
    }
    case 'matches':
      return regexOf(e).test(typeof v === 'string' ? v : JSON.stringify(v ?? ''));
    case 'notMatches':
      return !regexOf(e).test(typeof v === 'string' ? v : JSON.stringify(v ?? ''));
    case 'isSet':
      return !isEmptyValue(v) && v !== false;
    case 'isUnset':
      return isEmptyValue(v) || v === false;
    case 'isEmpty':
      return isEmptyValue(v);
    case 'isNotEmpty':
      return !isEmptyValue(v);
    case 'contains':
      return Array.isArray(v) ? v.some((x) => JSON.stringify(x) === JSON.stringify(e)) : typeof v === 'string' && v.includes(String(e));
    case 'notContains':
      return Array.isArray(v) ? !v.some((x) => JSON.stringify(x) === JSON.stringify(e)) : !(typeof v === 'string' && v.includes(String(e)));
  }
}

function show(v: unknown): string {
  const s = v === undefined ? 'unset' : typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

const OP_TEXT: Readonly<Record<Operator, string>> = {
  equals: '', notEquals: 'not', in: 'one of', notIn: 'none of', greaterThan: 'greater than', atLeast: 'at least', lessThan: 'less than',
  atMost: 'at most', matches: 'matching', notMatches: 'not matching', isSet: 'set', isUnset: 'unset', isEmpty: 'empty', isNotEmpty: 'not empty',
  contains: 'containing', notContains: 'not containing',
};

/** `not host`, `greater than 0`, `set`: what a rule expects, in words. */
export function describeRule(rule: Pick<Rule, 'op' | 'value'>): string {
  const words = OP_TEXT[rule.op];
  if (!NEEDS_VALUE.has(rule.op)) return words;
  return `${words} ${show(rule.value)}`.trim();
}

export function evaluateRule<T extends Target>(target: T, rule: Rule, input: InputOf[T]): Outcome {
  const reader = FIELD_READERS[target] as unknown as { read: (i: InputOf[T], f: string) => Known<readonly FieldValue[]> };
  const read = reader.read(input, rule.field);
  if (!read.known) return skip(`${rule.field}: ${read.reason}`);
  if (read.value.length === 0) return skip(`${rule.field}: nothing to evaluate`);
  const expect = describeRule(rule);
  const evidence = (f: FieldValue): Evidence => ({ subject: f.subject, field: rule.field, value: show(f.value), message: `${rule.field} is ${show(f.value)}; expected ${expect}` });
  const bad = read.value.filter((f) => !holds(rule, f.value));
  if (bad.length === 0) return pass(read.value.map(evidence));
  const ev = capped(bad.map(evidence));
  return rule.failAs === 'warn' ? warn(`${rule.field} should be ${expect}`, ev) : fail(ev);
}

/** A declarative check; throws COMPLIANCE_INVALID when its rule names an unknown field (a bug for built-ins). */
export function ruleCheck<T extends Target>(meta: CheckMeta & { readonly target: T }, rule: Rule): Check<T> & { readonly rule: Rule } {
  const why = ruleProblem(meta.target, rule);
  if (why) throw new PortcullisError('COMPLIANCE_INVALID', `check ${meta.id}: ${why}`, { check: meta.id });
  return { ...meta, rule, evaluate: (input: InputOf[T]) => evaluateRule(meta.target, rule, input) } as Check<T> & { rule: Rule };
}
