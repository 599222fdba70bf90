import type { Check, CheckMeta, InputOf, Outcome, Target } from '../types.js';

/** Declares a check of one target; the type ties `evaluate` to that target's input. */
export function defineCheck<T extends Target>(meta: CheckMeta & { readonly target: T }, evaluate: (input: InputOf[T]) => Outcome): Check<T> {
  return { ...meta, evaluate } as Check<T>;
}

/** Sorts checks by their benchmark numbering (`5.2` before `5.10`), for registries and reports. */
export function byNumbering(a: { id: string }, b: { id: string }): number {
  return a.id.localeCompare(b.id, 'en', { numeric: true });
}
