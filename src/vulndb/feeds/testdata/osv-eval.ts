import type { CompareResult } from '../../../version/types.js';
import type { Range, RangeEvent } from '../../model.js';

/**
 * OSV's evaluation (https://ossf.github.io/osv-schema/#evaluation), for tests that check what
 * emitted ranges mean: sort the events (introduced "0" lowest), walk them, and let each
 * introduced ≤ v open and each fixed ≤ v, last_affected < v or limit ≤ v close.
 */
export function rangeIncludes(range: Range, v: string, compare: (a: string, b: string) => CompareResult): boolean {
  const key = (e: RangeEvent) => Object.values(e)[0] as string;
  const events = [...range.events].sort((a, b) => {
    const za = 'introduced' in a && a.introduced === '0';
    const zb = 'introduced' in b && b.introduced === '0';
    if (za || zb) return za === zb ? 0 : za ? -1 : 1;
    return compare(key(a), key(b));
  });
  let affected = false;
  for (const e of events) {
    if ('introduced' in e) {
      if (e.introduced === '0' || compare(v, e.introduced) >= 0) affected = true;
    } else if ('fixed' in e) {
      if (compare(v, e.fixed) >= 0) affected = false;
    } else if ('last_affected' in e) {
      if (compare(v, e.last_affected) > 0) affected = false;
    } else if (compare(v, e.limit) >= 0) affected = false;
  }
  return affected;
}

export const rangesInclude = (ranges: readonly Range[], v: string, compare: (a: string, b: string) => CompareResult): boolean =>
  ranges.some((r) => rangeIncludes(r, v, compare));
