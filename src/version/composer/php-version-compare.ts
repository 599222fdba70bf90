import type { CompareResult } from '../types.js';
import { compareDigits, sign } from '../util.js';

/**
 * PHP's version_compare() (ext/standard/versioning.c), which Composer's Comparator runs on
 * normalized versions. Canonical form: '-', '_', '+' and other non-alphanumerics become '.',
 * and a '.' is inserted between digit and non-digit runs.
 */
export function canonicalizePhpVersion(v: string): string {
  if (v === '') return v;
  const isDig = (c: string): boolean => c >= '0' && c <= '9';
  const isAlnum = (c: string): boolean => /^[0-9A-Za-z]$/.test(c);
  let out = v[0] as string;
  let lp = out;
  for (const c of v.slice(1)) {
    const dotted = out.endsWith('.') ? out : `${out}.`;
    if (c === '-' || c === '_' || c === '+') out = dotted;
    else if ((!isDig(lp) && lp !== '.' && isDig(c)) || (isDig(lp) && !isDig(c) && c !== '.')) out = dotted + c;
    else if (!isAlnum(c)) out = dotted;
    else out += c;
    lp = c;
  }
  return out;
}

// Special forms are matched by prefix, in this order; anything else ranks below "dev".
const FORMS: readonly (readonly [string, number])[] = [
  ['dev', 0], ['alpha', 1], ['a', 1], ['beta', 2], ['b', 2], ['RC', 3], ['rc', 3], ['#', 4], ['pl', 5], ['p', 5],
];

function formOrder(s: string): number {
  for (const [name, order] of FORMS) if (s.startsWith(name)) return order;
  return -6;
}

const startsWithDigit = (s: string): boolean => /^[0-9]/.test(s);

function compareCanonical(a: string, b: string): CompareResult {
  const pa = a.split('.');
  const pb = b.split('.');
  const n = Math.min(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const x = pa[i] as string;
    const y = pb[i] as string;
    let r: CompareResult;
    if (startsWithDigit(x) && startsWithDigit(y)) r = compareDigits(/^[0-9]+/.exec(x)?.[0] ?? '0', /^[0-9]+/.exec(y)?.[0] ?? '0');
    else if (!startsWithDigit(x) && !startsWithDigit(y)) r = sign(formOrder(x) - formOrder(y));
    else r = startsWithDigit(x) ? sign(formOrder('#') - formOrder(y)) : sign(formOrder(x) - formOrder('#'));
    if (r !== 0) return r;
  }
  // One side has parts left: a number makes it newer, a word is weighed against a number.
  if (pa.length > n) return startsWithDigit(pa[n] as string) ? 1 : compareCanonical(pa.slice(n).join('.'), '#N#');
  if (pb.length > n) return startsWithDigit(pb[n] as string) ? -1 : compareCanonical('#N#', pb.slice(n).join('.'));
  return 0;
}

export function phpVersionCompare(a: string, b: string): CompareResult {
  if (a === '' || b === '') return a === b ? 0 : a === '' ? -1 : 1;
  return compareCanonical(canonicalizePhpVersion(a), canonicalizePhpVersion(b));
}
