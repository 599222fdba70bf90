import type { CompareResult, SchemeId, VersionScheme } from '../version/types.js';
import { advisoryScheme } from '../vulndb/ecosystem.js';

/**
 * One match's version comparisons, remembered per pair of strings. The schemes parse both
 * versions on every call (PEP 440 and RubyGems by regular expression), and a match asks the same
 * question many times: one installed version against the bounds its package's advisories share
 * (many advisories fixed in one release), the fixed versions of a group sorted again for each
 * package. In the benchmark's worst case 2 comparisons in 3 repeat an earlier one (41,700
 * calls, 15,300 distinct pairs). A `MatchVersions` lives as long as one `matchInventory` call,
 * so it holds at most that call's pairs.
 */
export class MemoScheme {
  // Keyed by one string, then the other: no key string is built per comparison.
  readonly #compared = new Map<string, Map<string, CompareResult>>();
  readonly #valid = new Map<string, boolean>();

  readonly scheme: VersionScheme;

  constructor(scheme: VersionScheme) {
    this.scheme = scheme;
  }

  /** The scheme's order (an arrow function: passed to `sort` and to range evaluation as is). */
  readonly compare = (a: string, b: string): CompareResult => {
    let row = this.#compared.get(a);
    if (!row) this.#compared.set(a, (row = new Map()));
    let c = row.get(b);
    if (c === undefined) {
      c = this.scheme.compare(a, b);
      row.set(b, c);
    }
    return c;
  };

  isValid(v: string): boolean {
    let ok = this.#valid.get(v);
    if (ok === undefined) {
      ok = this.scheme.isValid(v);
      this.#valid.set(v, ok);
    }
    return ok;
  }
}

/** The advisory schemes (`advisoryScheme`) of one match, each wrapped once. */
export class MatchVersions {
  readonly #byId = new Map<SchemeId, MemoScheme | null>();

  get(id: SchemeId): MemoScheme | undefined {
    let s = this.#byId.get(id);
    if (s === undefined) {
      const scheme = advisoryScheme(id);
      s = scheme ? new MemoScheme(scheme) : null;
      this.#byId.set(id, s);
    }
    return s ?? undefined;
  }
}
