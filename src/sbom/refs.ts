/** Identifier and value helpers shared by the CycloneDX and SPDX encoders. */
import type { Package } from '../core/package.js';
import { sha256Hex } from './common.js';

export interface RefTable {
  /** Reference of each package, by its position in the (sorted) package list. */
  readonly byIndex: readonly string[];
  /** Package id → reference (the first package with that id, if ids repeat). */
  readonly byId: ReadonlyMap<string, string>;
  /** Extra references requested by key (`image`, `os`), guaranteed not to clash. */
  readonly reserved: ReadonlyMap<string, string>;
}

/**
 * Unique references for packages: the package id itself (stable and meaningful), with a
 * `#2`, `#3` suffix (`separator`) if an inventory ever repeats an id, so references never collide.
 */
export function uniqueRefs(
  packages: readonly Package[],
  reservedKeys: readonly string[],
  make: (pkg: Package, index: number) => string = (pkg, i) => pkg.id || `package-${i}`,
  makeReserved: (key: string) => string = (key) => `portcullis:${key}`,
  separator = '#',
): RefTable {
  const used = new Set<string>();
  const claim = (wanted: string): string => {
    let ref = wanted;
    for (let n = 2; used.has(ref); n++) ref = `${wanted}${separator}${n}`;
    used.add(ref);
    return ref;
  };
  const reserved = new Map(reservedKeys.map((k) => [k, claim(makeReserved(k))]));
  const byId = new Map<string, string>();
  const byIndex = packages.map((pkg, i) => {
    const ref = claim(make(pkg, i));
    if (!byId.has(pkg.id)) byId.set(pkg.id, ref);
    return ref;
  });
  return { byIndex, byId, reserved };
}

/**
 * A fragment usable in an SPDX identifier: letters, digits, `.` and `-` only
 * (SPDX 2.3 §3.2: `SPDXRef-[idstring]`, idstring = [A-Za-z0-9.-]+), capped in length.
 */
export function spdxIdPart(text: string, max = 64): string {
  const clean = text
    .replace(/[^A-Za-z0-9.-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
  return clean.slice(0, max).replace(/-+$/, '') || 'x';
}

/** A short hex hash, to keep sanitised identifiers unique. */
export function shortHash(text: string, length = 16): string {
  return sha256Hex(text).slice(0, length);
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** `YYYY-MM-DDThh:mm:ssZ` (UTC, no fraction), as SPDX wants it; undefined if not a timestamp. */
export function normaliseTimestamp(text: string): string | undefined {
  if (!RFC3339.test(text)) return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return undefined;
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** A metadata value as a property string, when it is a plain scalar. */
export function jsonSafeScalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return undefined;
}
