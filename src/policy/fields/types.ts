import type { z } from 'zod';
import type { PolicyFinding, PolicyInput, Stage } from '../input.js';

/**
 * The field seam: every criterion a rule may name is a field declared in one family file
 * (vulnerability.ts, trust.ts, compliance.ts, custom.ts) and listed in registry.ts. A rule
 * naming anything else is refused at load (STYLE.md habit 7). A field validates its value
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

/** Per-evaluation state shared by all rules: derived per-finding values are computed once. */
export interface EvalContext {
  readonly input: PolicyInput;
  readonly stage: Stage;
  readonly findings: readonly PolicyFinding[];
  readonly nowMs: number;
  /** Lazily filled caches indexed by finding position. */
  readonly memo: Map<string, Float64Array>;
  /** Other per-evaluation values computed once (the CEL activation, per-package answers). */
  readonly scratch: Map<unknown, unknown>;
}

export interface FindingTest {
  readonly level: 'finding';
  /** Human text of the condition, e.g. `severity ≥ high`. */
  readonly describe: string;
  test(i: number, ctx: EvalContext): boolean;
  /** Why one matching finding matched, for evidence (e.g. the fix date used). */
  detail?(i: number, ctx: EvalContext): string | undefined;
  /** For cheap tests: decide every finding at once (2 pass, 1 fail), a tight loop instead of a call per finding. */
  fill?(col: Uint8Array, ctx: EvalContext): void;
}

/**
 * A finding test as a rule holds it: `key` identifies field and value, so rules share results
 * within one evaluation. Every one has the same properties (one object shape keeps the
 * engine's loops monomorphic).
 */
export interface KeyedFindingTest {
  readonly key: string;
  readonly cost: number;
  readonly describe: string;
  readonly test: FindingTest['test'];
  readonly detail: FindingTest['detail'] | undefined;
  readonly fill: FindingTest['fill'] | undefined;
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

/** A per-finding number computed for every finding on first use in an evaluation (NaN is a legitimate value: "unknown"). */
export function numberColumn(ctx: EvalContext, key: string, compute: (f: PolicyFinding) => number): Float64Array {
  let col = ctx.memo.get(key);
  if (!col) {
    const fs = ctx.findings;
    col = new Float64Array(fs.length);
    for (let i = 0; i < fs.length; i++) col[i] = compute(fs[i] as PolicyFinding);
    ctx.memo.set(key, col);
  }
  return col;
}

/** The distinct packages of the findings (by name, or by purl), shared by every package criterion of an evaluation. */
export interface PackageGroups {
  /** Per finding: the position of its package in `first`. */
  readonly of: Int32Array;
  /** Per distinct package: the first finding that has it. */
  readonly first: readonly number[];
}

export function packageGroups(ctx: EvalContext, byPurl: boolean): PackageGroups {
  const key = byPurl ? 'packagesByPurl' : 'packagesByName';
  let g = ctx.scratch.get(key) as PackageGroups | undefined;
  if (!g) {
    const fs = ctx.findings;
    const seen = new Map<string, number>();
    const of = new Int32Array(fs.length);
    const first: number[] = [];
    for (let i = 0; i < fs.length; i++) {
      const p = (fs[i] as PolicyFinding).package;
      const k = byPurl ? p.purl : p.name;
      let u = seen.get(k);
      if (u === undefined) {
        u = first.length;
        first.push(i);
        seen.set(k, u);
      }
      of[i] = u;
    }
    g = { of, first };
    ctx.scratch.set(key, g);
  }
  return g;
}
