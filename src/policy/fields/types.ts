import type { z } from 'zod';
import type { FindingFacts } from '../facts/findings.js';
import type { PolicyFinding, PolicyInput, Stage } from '../input.js';

/**
 * The field seam: every criterion a rule may name is a field declared in a file of this folder
 * (one concern each: severity.ts, cvss.ts, fix.ts, …, trust.ts, compliance.ts, custom.ts) and
 * listed in registry.ts. A rule naming anything else is refused at load (STYLE.md habit 7). A field validates its value
 * with a zod schema and compiles it once into a test over the policy input.
 *
 * Three levels:
 * - `finding`: holds for one finding; a rule's finding criteria must all hold for the SAME
 *   finding ("critical AND fix older than 30 days").
 * - `count`: how many findings must match (default: at least one).
 * - `image`: a fact about the image or its surroundings (registry, signature, checks, CEL).
 */

export const FAMILIES = ['compliance', 'custom', 'trust', 'vulnerability'] as const;
export type Family = (typeof FAMILIES)[number];

/** Facts the CLI gathers only when some rule needs them (they cost a second pass or a network call). */
export type Need = 'compliance' | 'signatures';

/** Per-evaluation state shared by all rules. */
export interface EvalContext {
  readonly input: PolicyInput;
  readonly stage: Stage;
  readonly findings: readonly PolicyFinding[];
  readonly nowMs: number;
  /** The finding facts of the evaluation (extracted on first call), including those image tests declare. */
  facts(): FindingFacts;
  /** Other per-evaluation values computed once (the CEL activation). */
  readonly scratch: Map<unknown, unknown>;
}

/**
 * A criterion over one finding. It reads the evaluation's finding facts (../facts/findings.ts,
 * extracted once) and filters lists of finding positions: one call per rule and criterion, a
 * tight loop inside, instead of a call per finding.
 */
export interface FindingTest {
  readonly level: 'finding';
  /** Human text of the condition, e.g. `severity ≥ high`. */
  readonly describe: string;
  /** The facts `select` reads (FACTS flags): only those are extracted. */
  readonly facts: number;
  /** Writes the positions of from[0, n) that pass to `to` (which may be `from`), in order; returns how many. */
  select(from: Int32Array, n: number, to: Int32Array, facts: FindingFacts): number;
  /**
   * Why one matching finding matched, for evidence (e.g. the fix date used). It reads the
   * finding itself: evidence is built when read, after the evaluation's facts are gone.
   */
  detail?(f: PolicyFinding, nowMs: number): string | undefined;
}

/**
 * A finding test as a rule holds it: `key` identifies field and value, so rules with the same
 * criteria share their candidate lists within one evaluation. Every one has the same
 * properties (one object shape keeps the engine's loops monomorphic).
 */
export interface KeyedFindingTest {
  readonly key: string;
  readonly cost: number;
  readonly describe: string;
  readonly facts: number;
  readonly select: FindingTest['select'];
  readonly detail: FindingTest['detail'] | undefined;
}

export interface CountTest {
  readonly level: 'count';
  readonly describe: string;
  test(n: number): boolean;
}

export interface ImageOutcome {
  readonly matched: boolean;
  /** One sentence either way: why it matched, or why not. */
  readonly why: string;
}

export interface ImageTest {
  readonly level: 'image';
  readonly describe: string;
  /** Finding facts the test reads through `ctx.facts()` (CEL loops over findings), FACTS flags. */
  readonly facts?: number;
  test(ctx: EvalContext): ImageOutcome;
}

export type CompiledCriterion = FindingTest | CountTest | ImageTest;

/** What compilation can consult: the resolved diffIDs of referenced base images, known check ids. */
export interface CompileEnv {
  readonly baseImages: ReadonlyMap<string, readonly string[]>;
  readonly knownCheckIds?: ReadonlySet<string>;
}

/** Compilation reports problems through `diag` (message, optional sub-path) and returns undefined. */
export type Diag = (message: string, subPath?: string) => void;

export interface FieldDef<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly family: Family;
  readonly level: CompiledCriterion['level'];
  /** Human type, as docs/policy.md shows it: `severity name | list of severity names`. */
  readonly type: string;
  readonly description: string;
  readonly example: string;
  readonly schema: S;
  readonly needs?: Need;
  /** Relative cost of a finding test (1 a field read … 4 glob matching): cheaper tests filter first. */
  readonly cost?: number;
  compile(value: z.output<S>, env: CompileEnv, diag: Diag): CompiledCriterion | undefined;
}

/** Declares a field with its value type inferred from the schema. */
export function defineField<S extends z.ZodType>(def: FieldDef<S>): FieldDef {
  return def as unknown as FieldDef;
}
