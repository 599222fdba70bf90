/**
 * Scratch typed arrays (and lists of references) for one evaluation, reused by the next. Allocating a typed array of a
 * thousand elements costs about as much as testing a thousand findings (its backing store is
 * allocated and tracked outside the JavaScript heap), and an evaluation needs a few dozen.
 * Buffers are handed out in order and taken back all at once when the evaluation ends; their
 * capacity is at least `n` (callers read only the first `n` elements) and they are NOT zeroed.
 *
 * Nothing an evaluation returns points into a pool: results (and their lazy evidence) read the
 * input's findings, never these buffers.
 */

/** Pools for inputs above this many findings are dropped after the evaluation, so one huge image does not pin megabytes. */
const MAX_KEPT = 1 << 14;

class List<T> {
  readonly items: T[] = [];
  used = 0;
  constructor(readonly make: (cap: number) => T) {}

  take(cap: number): T {
    if (this.used === this.items.length) this.items.push(this.make(cap));
    return this.items[this.used++] as T;
  }
}

export class Pool {
  #cap = 0;
  #u8 = new List((c) => new Uint8Array(c));
  #i32 = new List((c) => new Int32Array(c));
  #f64 = new List((c) => new Float64Array(c));
  #refs = new List((c) => new Array<unknown>(c));
  #n = 0;
  /** 0, 1, 2, … n - 1: the candidate list "every finding". */
  #iota = new Int32Array(0);
  #busy = false;

  /** Starts an evaluation over `n` findings: every buffer handed out until `end` holds at least n + 1 elements. */
  begin(n: number): void {
    this.#busy = true;
    this.#n = n;
    if (n + 1 > this.#cap) {
      this.#cap = Math.max(n + 1, this.#cap * 2);
      this.#drop();
    }
    this.#u8.used = this.#i32.used = this.#f64.used = this.#refs.used = 0;
  }

  end(): void {
    this.#busy = false;
    // Lists of references must not keep the input alive after the evaluation.
    for (let k = 0; k < this.#refs.used; k++) (this.#refs.items[k] as unknown[]).fill(undefined, 0, this.#n);
    if (this.#cap > MAX_KEPT) {
      this.#cap = 0;
      this.#drop();
      this.#iota = new Int32Array(0);
    }
  }

  #drop(): void {
    this.#u8 = new List((c) => new Uint8Array(c));
    this.#i32 = new List((c) => new Int32Array(c));
    this.#f64 = new List((c) => new Float64Array(c));
    this.#refs = new List((c) => new Array<unknown>(c));
  }

  /** How many elements every buffer holds (at least n + 1). */
  get capacity(): number {
    return this.#cap;
  }

  get busy(): boolean {
    return this.#busy;
  }

  u8(): Uint8Array {
    return this.#u8.take(this.#cap);
  }

  i32(): Int32Array {
    return this.#i32.take(this.#cap);
  }

  f64(): Float64Array {
    return this.#f64.take(this.#cap);
  }

  /** A list of references (strings, arrays) with room for n; for huge inputs a fresh one, written in order. */
  refs<T>(): T[] {
    return this.#cap <= MAX_KEPT ? (this.#refs.take(this.#cap) as T[]) : [];
  }

  /** 0 … n - 1 (shared: never write to it). */
  iota(n: number): Int32Array {
    if (this.#iota.length < n) {
      this.#iota = new Int32Array(Math.max(n, this.#cap));
      for (let i = 0; i < this.#iota.length; i++) this.#iota[i] = i;
    }
    return this.#iota;
  }
}

const shared = new Pool();

/**
 * The pool for a new evaluation: the shared one, or a fresh one when the shared one is in use
 * (an evaluation started while another is running, which synchronous callers never do).
 */
export function takePool(n: number): Pool {
  const p = shared.busy ? new Pool() : shared;
  p.begin(n);
  return p;
}
