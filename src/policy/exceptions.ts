import type { PolicyFinding } from './input.js';
import type { CompiledException } from './model.js';

/**
 * Exceptions during one evaluation. An exception's findings are looked up only for findings
 * that matched a rule, through an index of literal ids and package names.
 */

/** An active finding-level exception and the findings it kept out of rules in this evaluation. */
export class ActiveException {
  readonly suppressed: Uint8Array;
  suppressedCount = 0;
  constructor(
    readonly e: CompiledException,
    readonly id: number,
    n: number,
  ) {
    this.suppressed = new Uint8Array(n);
  }

  suppress(i: number): void {
    if (this.suppressed[i]) return;
    this.suppressed[i] = 1;
    this.suppressedCount++;
  }
}

/**
 * Finds the first exception (in policy order) that covers a finding with a few map lookups,
 * however many exceptions there are: literal ids and package names are indexed, globs tested.
 */
export class ExceptionIndex {
  readonly #byId = new Map<string, number[]>();
  readonly #byPackage = new Map<string, number[]>();
  /** Exceptions whose candidates need a test: id globs, package globs, or no id constraint. */
  readonly #scan: number[] = [];

  constructor(readonly active: readonly ActiveException[]) {
    active.forEach(({ e }, k) => {
      const v = e.vulnerabilities;
      const p = e.packages;
      if (v && !v.hasGlobs) for (const id of v.literals) push(this.#byId, id, k);
      else if (!v && p && !p.hasGlobs) for (const name of p.literals) push(this.#byPackage, name, k);
      else this.#scan.push(k);
    });
  }

  /** Position of the first covering exception, or -1. A few Map lookups, no allocation: it runs once per finding. */
  first(f: PolicyFinding): number {
    let best = this.#firstOf(this.#byId.get(f.id), f, -1);
    const aliases = f.aliases;
    for (let j = 0; j < aliases.length; j++) {
      const a = aliases[j] as string;
      if (a !== f.id) best = this.#firstOf(this.#byId.get(a), f, best);
    }
    if (this.#byPackage.size > 0) {
      best = this.#firstOf(this.#byPackage.get(f.package.name), f, best);
      best = this.#firstOf(this.#byPackage.get(f.package.purl), f, best);
    }
    return this.#firstOf(this.#scan, f, best);
  }

  #firstOf(ks: readonly number[] | undefined, f: PolicyFinding, best: number): number {
    if (ks === undefined) return best;
    for (let j = 0; j < ks.length; j++) {
      const k = ks[j] as number;
      if ((best < 0 || k < best) && this.#covers(k, f)) best = k;
    }
    return best;
  }

  #covers(k: number, f: PolicyFinding): boolean {
    const e = (this.active[k] as ActiveException).e;
    if (e.vulnerabilities && !e.vulnerabilities.test(f.id) && !f.aliases.some((a) => e.vulnerabilities?.test(a))) return false;
    return !e.packages || e.packages.test(f.package.name) || e.packages.test(f.package.purl);
  }
}

function push(m: Map<string, number[]>, key: string, v: number): void {
  const l = m.get(key);
  if (l) l.push(v);
  else m.set(key, [v]);
}

