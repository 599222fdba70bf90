import { FACTS, type FindingFacts } from './facts/findings.js';
import { type GlobSet, hasPrefix, sharedPrefix } from './glob.js';
import type { CompiledException } from './model.js';

/**
 * Finding-level exceptions (those naming vulnerabilities and/or packages). A finding is
 * covered by the first exception, in policy order, among those active for a rule; which one
 * is decided for every finding once per evaluation and set of active exceptions (rules
 * limited by `rules:` may see different sets), from the finding facts:
 * - exceptions naming only packages look the package name up in an index of their literal
 *   names, and the purl only when it can match at all (one prefix check per finding); glob
 *   entries are tested;
 * - exceptions naming vulnerabilities look the finding's id and aliases up in an index of
 *   their literal ids, after one prefix check per id; glob entries are tested.
 */

/** An active finding-level exception and the findings it kept out of rules in this evaluation. */
export class ActiveException {
  suppressedCount = 0;
  #marks: Uint8Array | undefined;
  constructor(
    readonly e: CompiledException,
    readonly facts: () => FindingFacts,
  ) {}

  suppress(i: number): void {
    if (!this.#marks) {
      const f = this.facts();
      this.#marks = f.pool.u8();
      this.#marks.fill(0, 0, f.n);
    }
    if (this.#marks[i]) return;
    this.#marks[i] = 1;
    this.suppressedCount++;
  }
}

/** The findings covered by a set of active exceptions. */
export interface Cover {
  /** Per finding: 0 when no active exception covers it, else 1 + the position of the first that does. */
  readonly covered: Int32Array;
  /** The covered findings' positions, ascending: list[0, size). */
  readonly list: Int32Array;
  readonly size: number;
}

/** The exceptions of one policy, indexed once (cached with the policy's plan). */
export class ExceptionPlan {
  /** Literal vulnerability ids → positions (in policy order) of exceptions listing them. */
  readonly #byId = new Map<string, number[]>();
  /** Positions of exceptions with vulnerability globs. */
  readonly #idGlobs: number[] = [];
  /** Every id an exception names starts with this (empty when unknown). */
  readonly #idGate: string;
  /** Literal package names (or purls) of exceptions that name packages only → their positions. */
  readonly #byPackage = new Map<string, number[]>();
  /** Positions of exceptions that name packages only, with globs. */
  readonly #packageGlobs: number[] = [];
  /** Every package pattern of those exceptions starts with this: names and purls without it match none. */
  readonly #packageGate: string;
  /** The finding facts covering needs. */
  readonly facts: number;

  constructor(readonly exceptions: readonly CompiledException[]) {
    let idGate: string | undefined;
    let packageGate: string | undefined;
    let facts = 0;
    exceptions.forEach((e, k) => {
      const v = e.vulnerabilities;
      const p = e.packages;
      if (v) {
        facts |= FACTS.id | FACTS.aliases;
        idGate = idGate === undefined ? v.prefix : sharedPrefix(idGate, v.prefix);
        if (v.hasGlobs) this.#idGlobs.push(k);
        else for (const id of v.literals) push(this.#byId, id, k);
      } else if (p) {
        packageGate = packageGate === undefined ? p.prefix : sharedPrefix(packageGate, p.prefix);
        if (p.hasGlobs) this.#packageGlobs.push(k);
        else for (const name of p.literals) push(this.#byPackage, name, k);
      }
      if (p) facts |= FACTS.packageName | FACTS.purl;
    });
    this.#idGate = idGate ?? '';
    this.#packageGate = packageGate ?? '';
    this.facts = facts;
  }

  /** Which active exception covers each finding; `active[k]` is 1 for the exceptions active for the rule. */
  cover(active: Uint8Array, facts: FindingFacts): Cover {
    const n = facts.n;
    const covered = facts.pool.i32();
    covered.fill(0, 0, n);
    const withIds = this.#byId.size > 0 || this.#idGlobs.length > 0;
    if (this.#byPackage.size > 0 || this.#packageGlobs.length > 0) this.#coverPackages(active, covered, facts);
    if (withIds) this.#coverIds(active, covered, facts);
    const list = facts.pool.i32();
    let size = 0;
    for (let i = 0; i < n; i++) if (covered[i] !== 0) list[size++] = i;
    return { covered, list, size };
  }

  #coverPackages(active: Uint8Array, covered: Int32Array, facts: FindingFacts): void {
    const { n, names, purls } = facts;
    const gate = this.#packageGate;
    const globs = this.#packageGlobs;
    for (let i = 0; i < n; i++) {
      const name = names[i] as string;
      const purl = purls[i] as string;
      // Purls are looked at only when they can match: one prefix check per finding.
      const testPurl = hasPrefix(purl, gate);
      let best = hasPrefix(name, gate) ? firstActive(this.#byPackage.get(name), active, 0) : 0;
      if (testPurl) best = firstActive(this.#byPackage.get(purl), active, best);
      for (let x = 0; x < globs.length; x++) {
        const k = globs[x] as number;
        if (best !== 0 && k + 1 >= best) break;
        const p = (this.exceptions[k] as CompiledException).packages as GlobSet;
        if (active[k] === 1 && (p.test(name) || (testPurl && p.test(purl)))) best = k + 1;
      }
      covered[i] = best;
    }
  }

  #coverIds(active: Uint8Array, covered: Int32Array, facts: FindingFacts): void {
    const { n, ids, aliases } = facts;
    const gate = this.#idGate;
    for (let i = 0; i < n; i++) {
      const id = ids[i] as string;
      let best = covered[i] as number;
      if (hasPrefix(id, gate)) best = this.#firstById(id, i, best, active, facts);
      const as = aliases[i] as readonly string[];
      for (let j = 0; j < as.length; j++) {
        const a = as[j] as string;
        // The prefix check first: comparing an alias with the id reads both strings.
        if (hasPrefix(a, gate) && a !== id) best = this.#firstById(a, i, best, active, facts);
      }
      covered[i] = best;
    }
  }

  /** `best` lowered to 1 + the first active exception naming vulnerability `id` that covers finding i. */
  #firstById(id: string, i: number, best: number, active: Uint8Array, facts: FindingFacts): number {
    const literal = this.#byId.get(id);
    if (literal) for (const k of literal) if ((best === 0 || k + 1 < best) && active[k] === 1 && this.#packageOk(k, i, facts)) best = k + 1;
    for (const k of this.#idGlobs) {
      if (best !== 0 && k + 1 >= best) break;
      const e = this.exceptions[k] as CompiledException;
      if (active[k] === 1 && e.vulnerabilities?.test(id) && this.#packageOk(k, i, facts)) best = k + 1;
    }
    return best;
  }

  #packageOk(k: number, i: number, facts: FindingFacts): boolean {
    const p = (this.exceptions[k] as CompiledException).packages;
    return !p || p.test(facts.names[i] as string) || p.test(facts.purls[i] as string);
  }
}

/** `best` lowered to 1 + the first active position in `ks` (ascending), if lower. */
function firstActive(ks: readonly number[] | undefined, active: Uint8Array, best: number): number {
  if (ks === undefined) return best;
  for (let x = 0; x < ks.length; x++) {
    const k = ks[x] as number;
    if (best !== 0 && k + 1 >= best) return best;
    if (active[k] === 1) return k + 1;
  }
  return best;
}

function push(m: Map<string, number[]>, key: string, v: number): void {
  const l = m.get(key);
  if (l) l.push(v);
  else m.set(key, [v]);
}
