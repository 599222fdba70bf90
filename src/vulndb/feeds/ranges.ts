import type { CompareResult } from '../../version/types.js';
import type { Range, RangeEvent } from '../model.js';

/**
 * Version-interval algebra shared by feeds whose sources speak in requirement expressions
 * (RubySec `patched_versions`, npm `vulnerable_versions`) rather than OSV events. A feed turns
 * each expression into a union of intervals, combines them here (intersection for AND,
 * complement for "not patched and not unaffected"), and converts the result to OSV events
 * (https://ossf.github.io/osv-schema/#affectedranges-field).
 *
 * Exclusive lower bounds (`> 1.2`) have no OSV event: `introduced` is inclusive. When the scheme
 * can name the smallest version above the bound (`successor`), that version becomes the
 * `introduced` event and the conversion is exact (npm: `> 1.2.0` = `>= 1.2.1-0`). Otherwise the
 * bound is widened to `>= 1.2`: the bound version itself is then reported affected (a false
 * positive on one version, never a false negative), and `toRanges` lists it in `widened`.
 */

export interface Bound {
  readonly version: string;
  readonly inclusive: boolean;
}

/** An interval of versions; a missing bound is unbounded on that side. `{}` is every version. */
export interface Interval {
  readonly lower?: Bound;
  readonly upper?: Bound;
}

export interface VersionOrder {
  compare(a: string, b: string): CompareResult;
  /** The smallest version above `v` (or the nearest the feed documents); undefined when unknown. */
  successor?(v: string): string | undefined;
}

export const EVERY_VERSION: Interval = {};

const flip = (b: Bound): Bound => ({ version: b.version, inclusive: !b.inclusive });

/** True when no version lies in the interval (as far as the order alone can tell). */
export function isEmpty(i: Interval, order: VersionOrder): boolean {
  if (!i.lower || !i.upper) return false;
  const c = order.compare(i.lower.version, i.upper.version);
  return c > 0 || (c === 0 && !(i.lower.inclusive && i.upper.inclusive));
}

/** The higher of two lower bounds (undefined = unbounded); on a tie the exclusive one is tighter. */
function maxLower(a: Bound | undefined, b: Bound | undefined, order: VersionOrder): Bound | undefined {
  if (!a) return b;
  if (!b) return a;
  const c = order.compare(a.version, b.version);
  if (c !== 0) return c > 0 ? a : b;
  return a.inclusive ? b : a;
}

function minUpper(a: Bound | undefined, b: Bound | undefined, order: VersionOrder): Bound | undefined {
  if (!a) return b;
  if (!b) return a;
  const c = order.compare(a.version, b.version);
  if (c !== 0) return c < 0 ? a : b;
  return a.inclusive ? b : a;
}

const withBounds = (lower: Bound | undefined, upper: Bound | undefined): Interval => ({ ...(lower && { lower }), ...(upper && { upper }) });

export function intersect(a: Interval, b: Interval, order: VersionOrder): Interval | undefined {
  const i = withBounds(maxLower(a.lower, b.lower, order), minUpper(a.upper, b.upper, order));
  return isEmpty(i, order) ? undefined : i;
}

/** Intersection of several unions (an AND of ORs), normalized. */
export function intersectAll(unions: readonly (readonly Interval[])[], order: VersionOrder): Interval[] {
  let acc: Interval[] = [EVERY_VERSION];
  for (const u of unions) {
    const next: Interval[] = [];
    for (const a of acc) for (const b of u) {
      const i = intersect(a, b, order);
      if (i) next.push(i);
    }
    acc = normalize(next, order);
  }
  return acc;
}

function compareLower(a: Interval, b: Interval, order: VersionOrder): number {
  if (!a.lower || !b.lower) return a.lower ? 1 : b.lower ? -1 : 0;
  return order.compare(a.lower.version, b.lower.version) || (a.lower.inclusive === b.lower.inclusive ? 0 : a.lower.inclusive ? -1 : 1);
}

/** True when `next` (which starts at or after `cur`) overlaps or touches `cur`. */
function joins(cur: Interval, next: Interval, order: VersionOrder): boolean {
  if (!cur.upper || !next.lower) return true;
  const c = order.compare(next.lower.version, cur.upper.version);
  return c < 0 || (c === 0 && (cur.upper.inclusive || next.lower.inclusive));
}

function maxUpper(a: Bound | undefined, b: Bound | undefined, order: VersionOrder): Bound | undefined {
  if (!a || !b) return undefined;
  const c = order.compare(a.version, b.version);
  if (c !== 0) return c > 0 ? a : b;
  return a.inclusive ? a : b;
}

/** Sorted, disjoint, non-empty intervals with the same union; touching intervals are merged. */
export function normalize(intervals: readonly Interval[], order: VersionOrder): Interval[] {
  const sorted = intervals.filter((i) => !isEmpty(i, order)).sort((a, b) => compareLower(a, b, order));
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last && joins(last, i, order)) out[out.length - 1] = withBounds(last.lower, maxUpper(last.upper, i.upper, order));
    else out.push(i);
  }
  return out;
}

/** Every version not in the union. */
export function complement(union: readonly Interval[], order: VersionOrder): Interval[] {
  const out: Interval[] = [];
  let from: Bound | undefined; // lower bound of the next gap; undefined at the start = unbounded
  let started = false;
  for (const i of normalize(union, order)) {
    if (i.lower) {
      const gap = withBounds(started ? from : undefined, flip(i.lower));
      if (!started || !isEmpty(gap, order)) out.push(gap);
    }
    started = true;
    if (!i.upper) return out;
    from = flip(i.upper);
  }
  out.push(started ? withBounds(from, undefined) : EVERY_VERSION);
  return out;
}

export function contains(i: Interval, v: string, order: VersionOrder): boolean {
  if (i.lower) {
    const c = order.compare(v, i.lower.version);
    if (c < 0 || (c === 0 && !i.lower.inclusive)) return false;
  }
  if (i.upper) {
    const c = order.compare(v, i.upper.version);
    if (c > 0 || (c === 0 && !i.upper.inclusive)) return false;
  }
  return true;
}

export interface ToRangesOptions {
  readonly type: Range['type'];
  /**
   * Whether an exclusive upper bound is a release that fixes the issue (→ `fixed`) or merely
   * where the vulnerable line ends (→ `limit`, see model.ts). Default: every one is a fix.
   */
  readonly isFix?: (version: string) => boolean;
}

export interface Conversion {
  readonly ranges: Range[];
  /** Exclusive lower bounds that became inclusive because the order has no successor. */
  readonly widened: string[];
}

/**
 * One OSV range per interval: `introduced` (or `"0"` when unbounded below), then at most one
 * of `fixed`, `last_affected` or `limit`. Separate ranges keep each `limit` from cutting off
 * later intervals and avoid mixing `fixed` and `last_affected` in one range, which the OSV
 * schema discourages.
 */
export function toRanges(union: readonly Interval[], order: VersionOrder, opts: ToRangesOptions): Conversion {
  const ranges: Range[] = [];
  const widened: string[] = [];
  for (const i of normalize(union, order)) {
    let introduced = '0';
    if (i.lower?.inclusive) introduced = i.lower.version;
    else if (i.lower) {
      const next = order.successor?.(i.lower.version);
      if (next === undefined) widened.push(i.lower.version);
      introduced = next ?? i.lower.version;
    }
    const events: RangeEvent[] = [{ introduced }];
    if (i.upper) {
      const u = i.upper.version;
      // A successor can reach the upper bound: the interval held no version after all.
      const c = introduced === '0' ? -1 : order.compare(introduced, u);
      if (c > 0 || (c === 0 && !i.upper.inclusive)) continue;
      if (i.upper.inclusive) events.push({ last_affected: u });
      else events.push(opts.isFix === undefined || opts.isFix(u) ? { fixed: u } : { limit: u });
    }
    ranges.push({ type: opts.type, events });
  }
  return { ranges, widened };
}
