import { z } from 'zod';
import { type CompiledGlob, compileGlob, GlobSet, type GlobOptions } from '../glob.js';
import type { Diag } from './types.js';

/** `{in: [globs]}` (deny list: matches when listed) and/or `{notIn: [globs]}` (allow list: matches when not listed). */
export const InNotInSchema = z
  .strictObject({
    in: z.array(z.string()).min(1).max(10_000).optional(),
    notIn: z.array(z.string()).min(1).max(10_000).optional(),
  })
  .refine((v) => v.in !== undefined || v.notIn !== undefined, 'give "in" (a deny list) or "notIn" (an allow list)');

export type InNotIn = z.output<typeof InNotInSchema>;

export type Matcher = GlobSet;

/** Compiles a list of globs into one matcher, reporting each bad one at its index. */
export function compileGlobs(patterns: readonly string[], opts: GlobOptions, diag: Diag, path: string): Matcher | undefined {
  const out: Extract<CompiledGlob, { ok: true }>[] = [];
  let bad = false;
  patterns.forEach((p, i) => {
    const g: CompiledGlob = compileGlob(p, opts);
    if (g.ok) out.push(g);
    else {
      bad = true;
      diag(`bad glob "${p}": ${g.error}`, `${path}[${i}]`);
    }
  });
  return bad ? undefined : new GlobSet(out, opts.caseInsensitive === true);
}

export interface CompiledInNotIn {
  readonly in?: Matcher;
  readonly notIn?: Matcher;
  /** `in [a, b]` / `not in [c]`, for explanations. */
  readonly describe: string;
  /** Some entry is a purl (`pkg:…`), so purls must be tested too. */
  readonly purls: boolean;
}

export function compileInNotIn(v: InNotIn, opts: GlobOptions, diag: Diag): CompiledInNotIn | undefined {
  const inG = v.in ? compileGlobs(v.in, opts, diag, 'in') : undefined;
  const notG = v.notIn ? compileGlobs(v.notIn, opts, diag, 'notIn') : undefined;
  if ((v.in && !inG) || (v.notIn && !notG)) return undefined;
  const parts = [...(v.in ? [`in [${v.in.join(', ')}]`] : []), ...(v.notIn ? [`not in [${v.notIn.join(', ')}]`] : [])];
  const purls = [...(v.in ?? []), ...(v.notIn ?? [])].some((p) => p.startsWith('pkg:'));
  return { ...(inG ? { in: inG } : {}), ...(notG ? { notIn: notG } : {}), describe: parts.join(' and '), purls };
}

/** Whether any of `values` is listed (for `in`) and none is (for `notIn`). `lower`: values are lower-cased already. */
export function inNotIn(c: CompiledInNotIn, values: readonly string[], lower = false): boolean {
  if (c.in) {
    let hit = false;
    for (let j = 0; j < values.length && !hit; j++) {
      const s = values[j] as string;
      hit = lower ? c.in.testLower(s) : c.in.test(s);
    }
    if (!hit) return false;
  }
  if (c.notIn) {
    for (let j = 0; j < values.length; j++) {
      const s = values[j] as string;
      if (lower ? c.notIn.testLower(s) : c.notIn.test(s)) return false;
    }
  }
  return true;
}

/** `inNotIn` of one value, or two (a package's name and purl), without building a list. */
export function inNotInPair(c: CompiledInNotIn, a: string, b: string | undefined): boolean {
  if (c.in && !c.in.test(a) && (b === undefined || !c.in.test(b))) return false;
  return !c.notIn || (!c.notIn.test(a) && (b === undefined || !c.notIn.test(b)));
}
