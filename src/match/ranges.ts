import type { CompareResult, VersionScheme } from '../version/types.js';
import type { Affected, RangeEvent } from '../vulndb/model.js';

/**
 * Whether a version is inside an affected entry, with the interval that contains it.
 * OSV's evaluation (https://ossf.github.io/osv-schema/#evaluation): sort each range's events
 * by version; the version is affected when the last event at or below it is an `introduced`
 * and no `fixed` ≤ v or `last_affected` < v closes that interval. `limit` (see model.ts) closes
 * an interval like `fixed` but is not reported as a fix.
 */

export interface RangeHit {
  /** Human-readable interval, e.g. `>=0, <4.17.21` or listed `=1.2.3`. */
  readonly range: string;
  /** The fix that closes the interval, when there is one. */
  readonly fixed: string | undefined;
  readonly listed: boolean;
}

type Bound = { kind: 'introduced' | 'fixed' | 'last_affected' | 'limit'; v: string };

function bound(e: RangeEvent): Bound {
  if ('introduced' in e) return { kind: 'introduced', v: e.introduced };
  if ('fixed' in e) return { kind: 'fixed', v: e.fixed };
  if ('last_affected' in e) return { kind: 'last_affected', v: e.last_affected };
  return { kind: 'limit', v: e.limit };
}

const ORDER = { introduced: 0, last_affected: 1, fixed: 2, limit: 2 } as const;

/** The scheme's order as a function (`MemoScheme.compare`: the same order, remembered). */
export type Compare = (a: string, b: string) => CompareResult;

// Entries come from the database's per-open cache, so one events array is met again for every
// package that looks it up: its sorted bounds are kept (per scheme object) instead of re-sorted.
const sortedCache = new WeakMap<readonly RangeEvent[], Map<VersionScheme, Bound[]>>();

function sorted(events: readonly RangeEvent[], scheme: VersionScheme, cmp: Compare): Bound[] {
  let byScheme = sortedCache.get(events);
  if (!byScheme) sortedCache.set(events, (byScheme = new Map()));
  let list = byScheme.get(scheme);
  if (!list) byScheme.set(scheme, (list = sortBounds(events, cmp)));
  return list;
}

function sortBounds(events: readonly RangeEvent[], cmp: Compare): Bound[] {
  return events.map(bound).sort((a, b) => {
    const za = a.kind === 'introduced' && a.v === '0';
    const zb = b.kind === 'introduced' && b.v === '0';
    if (za || zb) return za === zb ? 0 : za ? -1 : 1;
    return cmp(a.v, b.v) || ORDER[a.kind] - ORDER[b.kind];
  });
}

/** Interval of one range that contains `version`, or undefined. */
function inRange(version: string, events: readonly RangeEvent[], scheme: VersionScheme, cmp: Compare): RangeHit | undefined {
  let open: Bound | undefined;
  const list = sorted(events, scheme, cmp);
  for (let i = 0; i < list.length; i++) {
    const b = list[i] as Bound;
    if (b.kind === 'introduced') {
      if (b.v === '0' || cmp(version, b.v) >= 0) open = b;
      else break;
      continue;
    }
    if (!open) continue;
    const c = cmp(version, b.v);
    const closes = b.kind === 'last_affected' ? c > 0 : c >= 0;
    if (closes) {
      open = undefined;
      continue;
    }
    // The version lies before this closing event: it is inside [open, b).
    const lower = open.v === '0' ? '>=0' : `>=${open.v}`;
    const upper = b.kind === 'last_affected' ? `<=${b.v}` : `<${b.v}`;
    return { range: `${lower}, ${upper}`, fixed: b.kind === 'fixed' ? b.v : undefined, listed: false };
  }
  if (!open) return undefined;
  return { range: open.v === '0' ? '>=0 (no fix)' : `>=${open.v} (no fix)`, fixed: undefined, listed: false };
}

/**
 * The first interval of `affected` that contains `version`, or undefined when it is not affected.
 * `cmp` must order as `scheme` does (the matcher passes its remembered comparisons); sorted
 * bounds are cached per `scheme`.
 */
export function affectedBy(version: string, affected: Affected, scheme: VersionScheme, cmp: Compare = (a, b) => scheme.compare(a, b)): RangeHit | undefined {
  if (affected.versions.includes(version)) {
    const anyFix = affected.ranges.flatMap((r) => r.events).flatMap((e) => ('fixed' in e && cmp(e.fixed, version) > 0 ? [e.fixed] : []));
    anyFix.sort(cmp);
    return { range: `=${version}`, fixed: anyFix[0], listed: true };
  }
  for (const r of affected.ranges) {
    const hit = inRange(version, r.events, scheme, cmp);
    if (hit) return hit;
  }
  return undefined;
}
