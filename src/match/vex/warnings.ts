import { problem, type Problem } from '../../core/problem.js';

/** Plugin-like id recorded as the `source` of every VEX problem. */
export const VEX_SOURCE = 'vex';

/** At most this many warnings per document; one more line says how many were left out. */
const MAX_WARNINGS = 50;

/** Collects a document's warnings as Problems (code VEX_PARSE), bounded. */
export class WarningList {
  readonly #problems: Problem[] = [];
  readonly #path: string | undefined;
  #dropped = 0;

  constructor(path: string | undefined) {
    this.#path = path;
  }

  add(message: string): void {
    if (this.#problems.length < MAX_WARNINGS) this.#problems.push(vexProblem(message, this.#path));
    else this.#dropped++;
  }

  list(): Problem[] {
    if (!this.#dropped) return [...this.#problems];
    return [...this.#problems, vexProblem(`${this.#dropped} more warnings about this document were left out`, this.#path)];
  }
}

export function vexProblem(message: string, path: string | undefined): Problem {
  return problem('VEX_PARSE', message, path === undefined ? { source: VEX_SOURCE } : { path, source: VEX_SOURCE });
}
