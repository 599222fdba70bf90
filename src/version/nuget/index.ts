import type { CompareResult, VersionScheme } from '../types.js';
import { compareDigits, compareStrings, MAX_VERSION_LENGTH, withInvalidFallback } from '../util.js';

/** A NuGet version: 1 to 4 numeric parts (missing ones are 0), release labels, metadata ignored. */
export interface NuGetVersion {
  readonly parts: readonly [string, string, string, string];
  readonly labels: readonly string[];
}

const ID = '[0-9A-Za-z-]+';
const NUGET = new RegExp(`^([0-9]+)(?:\\.([0-9]+))?(?:\\.([0-9]+))?(?:\\.([0-9]+))?(?:-(${ID}(?:\\.${ID})*))?(?:\\+(${ID}(?:\\.${ID})*))?$`);
const INT32_MAX = '2147483647';

/** NuGetVersion.TryParse: numeric parts are Int32 (leading zeros allowed); surrounding whitespace ignored. */
export function parseNuGetVersion(input: string): NuGetVersion | undefined {
  if (input.length > MAX_VERSION_LENGTH) return undefined;
  const m = NUGET.exec(input.trim());
  if (!m) return undefined;
  const parts = [m[1], m[2] ?? '0', m[3] ?? '0', m[4] ?? '0'] as [string, string, string, string];
  if (parts.some((p) => compareDigits(p, INT32_MAX) > 0)) return undefined;
  return { parts, labels: m[5] === undefined ? [] : m[5].split('.') };
}

const isNumeric = (s: string): boolean => /^[0-9]+$/.test(s);

/** NuGet's VersionComparer (VersionComparison.Default). */
export function compareNuGet(a: NuGetVersion, b: NuGetVersion): CompareResult {
  for (let i = 0; i < 4; i++) {
    const r = compareDigits(a.parts[i] as string, b.parts[i] as string);
    if (r !== 0) return r;
  }
  if (a.labels.length === 0 || b.labels.length === 0) return a.labels.length === b.labels.length ? 0 : a.labels.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.max(a.labels.length, b.labels.length); i++) {
    const x = a.labels[i];
    const y = b.labels[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = isNumeric(x);
    const ny = isNumeric(y);
    // Numeric labels compare as numbers and below text; text is StringComparer.OrdinalIgnoreCase.
    const r = nx && ny ? compareDigits(x, y) : nx !== ny ? (nx ? -1 : 1) : compareStrings(x.toUpperCase(), y.toUpperCase());
    if (r !== 0) return r;
  }
  return 0;
}

export const nugetScheme: VersionScheme = {
  id: 'nuget',
  specs: ['https://learn.microsoft.com/en-us/nuget/concepts/package-versioning', 'https://github.com/NuGet/NuGet.Client/blob/dev/src/NuGet.Core/NuGet.Versioning/VersionComparer.cs'],
  isValid: (v) => parseNuGetVersion(v) !== undefined,
  compare: withInvalidFallback(parseNuGetVersion, compareNuGet),
};
