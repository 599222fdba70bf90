import type { CompareResult, VersionScheme } from './types.js';

export type CheckedComparison =
  | { readonly ok: true; readonly result: CompareResult }
  | { readonly ok: false; readonly reason: string };

/**
 * Compare only when both strings are valid in the scheme; otherwise say which one is not.
 * Matching code uses this where an invalid version must not silently sort somewhere.
 */
export function compareChecked(scheme: VersionScheme, a: string, b: string): CheckedComparison {
  const bad = [a, b].filter((v) => !scheme.isValid(v));
  if (bad.length > 0) {
    const names = bad.map((v) => JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v)).join(' and ');
    return { ok: false, reason: `not a valid ${scheme.id} version: ${names}` };
  }
  return { ok: true, result: scheme.compare(a, b) };
}
