/**
 * Glob patterns for registries, repositories, tags, ids and packages: `*` any run of
 * characters (within one path segment when `segments` is set), `**` any run across segments,
 * `?` one character, `[abc]` / `[a-z]` / `[!abc]` a class. Everything else is literal.
 * Compiled once at load. A list of globs becomes one GlobSet: literal patterns are a Set
 * lookup, the others a RegExp gated by their literal prefix, so evaluating a deny list over
 * a thousand findings stays cheap.
 */

export interface GlobOptions {
  /** `*` and `?` stop at `/` (repository paths); `**` crosses it. */
  readonly segments?: boolean;
  readonly caseInsensitive?: boolean;
  /** Vulnerability ids: the pattern is rewritten to the ids' canonical case (see canonicalId). */
  readonly ids?: boolean;
}

/**
 * Vulnerability ids are compared in their canonical case, so matching needs no lower-casing
 * per finding: the prefix upper-case (CVE-, GO-, PYSEC-, RUSTSEC-, NSWG-ECO-, DSA-…), except
 * GHSA ids, whose three groups are lower-case (GHSA-jfh8-c2jp-5v3q). `cve-2021-44228` in a
 * policy therefore matches CVE-2021-44228.
 */
export function canonicalId(id: string): string {
  return /^ghsa-/i.test(id) ? `GHSA-${id.slice(5).toLowerCase()}` : id.toUpperCase();
}

export type CompiledGlob =
  | { readonly ok: true; readonly source: string; readonly literal?: string; readonly prefix: string; readonly rx: RegExp; test(s: string): boolean }
  | { readonly ok: false; readonly error: string };

const MAX_PATTERN = 512;
const SPECIAL = /[.+^${}()|\\/]/;

export function compileGlob(pattern: string, opts: GlobOptions = {}): CompiledGlob {
  if (pattern.length === 0) return { ok: false, error: 'empty pattern' };
  if (pattern.length > MAX_PATTERN) return { ok: false, error: `pattern longer than ${MAX_PATTERN} characters` };
  if (/[\u0000-\u001f]/.test(pattern)) return { ok: false, error: 'pattern contains control characters' };
  // Case-insensitive sets compare lower-cased text, so the pattern is lower-cased once here.
  const p = opts.ids ? canonicalId(pattern) : opts.caseInsensitive ? pattern.toLowerCase() : pattern;
  const one = opts.segments ? '[^/]' : '.';
  let re = '';
  let prefix: string | undefined;
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as string;
    if (c === '*' || c === '?' || c === '[') prefix ??= p.slice(0, i);
    if (c === '*') {
      if (p[i + 1] === '*') {
        re += '.*';
        while (p[i + 1] === '*') i++;
      } else re += `${one}*`;
    } else if (c === '?') re += one;
    else if (c === '[') {
      const end = p.indexOf(']', i + 2);
      if (end < 0) return { ok: false, error: `unclosed "[" at position ${i + 1}` };
      let body = p.slice(i + 1, end);
      const negate = body.startsWith('!');
      if (negate) body = body.slice(1);
      if (body.length === 0) return { ok: false, error: `empty character class at position ${i + 1}` };
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, (m) => `\\${m}`)}]`;
      i = end;
    } else re += SPECIAL.test(c) ? `\\${c}` : c;
  }
  let rx: RegExp;
  try {
    rx = new RegExp(`^${re}$`);
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
  const ci = opts.caseInsensitive === true;
  return { ok: true, source: pattern, ...(prefix === undefined ? { literal: p } : {}), prefix: prefix ?? p, rx, test: (s) => rx.test(ci ? s.toLowerCase() : s) };
}

/** Several globs as one matcher. `testLower` takes text already lower-cased (case-insensitive sets only). */
export class GlobSet {
  readonly #exact = new Set<string>();
  readonly #gated: { prefix: string; rx: RegExp }[] = [];
  readonly #ci: boolean;

  /** What every pattern starts with (literal text or a glob's literal prefix): text without it matches none. */
  readonly #common: string;

  constructor(globs: readonly Extract<CompiledGlob, { ok: true }>[], caseInsensitive: boolean) {
    this.#ci = caseInsensitive;
    let common: string | undefined;
    for (const g of globs) {
      if (g.literal !== undefined) this.#exact.add(g.literal);
      else this.#gated.push({ prefix: g.prefix, rx: g.rx });
      common = common === undefined ? g.prefix : sharedPrefix(common, g.prefix);
    }
    this.#common = common ?? '';
  }

  test(s: string): boolean {
    return this.testLower(this.#ci ? s.toLowerCase() : s);
  }

  /** The literal patterns (for indexes), and whether any pattern is a real glob. */
  get literals(): ReadonlySet<string> {
    return this.#exact;
  }

  /**
   * Text every match starts with, compared as given (empty for case-insensitive sets, whose
   * text is lower-cased first): callers testing many sets at once reject on it with one check.
   */
  get prefix(): string {
    return this.#ci ? '' : this.#common;
  }

  get hasGlobs(): boolean {
    return this.#gated.length > 0;
  }

  testLower(s: string): boolean {
    if (!hasPrefix(s, this.#common)) return false;
    if (this.#exact.has(s)) return true;
    const gated = this.#gated;
    for (let j = 0; j < gated.length; j++) {
      const g = gated[j] as { prefix: string; rx: RegExp };
      if (hasPrefix(s, g.prefix) && g.rx.test(s)) return true;
    }
    return false;
  }
}

/**
 * `s.startsWith(p)`, compared from the end of `p`: ids and names that share a prefix's start
 * (`CVE-20…`) usually differ near its end, so most mismatches cost one or two characters
 * instead of a builtin call.
 */
export function hasPrefix(s: string, p: string): boolean {
  const n = p.length;
  if (s.length < n) return false;
  for (let k = n - 1; k >= 0; k--) if (s.charCodeAt(k) !== p.charCodeAt(k)) return false;
  return true;
}

export function sharedPrefix(a: string, b: string): string {
  let k = 0;
  while (k < a.length && k < b.length && a.charCodeAt(k) === b.charCodeAt(k)) k++;
  return a.slice(0, k);
}
