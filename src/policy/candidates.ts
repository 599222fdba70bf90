import type { EvalContext, KeyedFindingTest } from './fields/types.js';
import { type ActiveException, ExceptionIndex } from './exceptions.js';
import type { PolicyFinding } from './input.js';

/**
 * The candidate findings of rules during one evaluation, as lists of finding positions. Every
 * finding test has a result column (0 undecided, 1 false, 2 true) shared by all rules with the
 * same criterion; a rule's first test is decided for every finding once, and its passing
 * findings are split once by whether an active exception covers them. A rule then filters
 * those two short lists by its other tests instead of walking all findings: with 50 rules over
 * 1,000 findings, most rules share a first test (severity, fix age…) or have only one.
 */

/** Which active exception covers each finding (1 none, k + 2 active[k]), decided for all findings. */
export interface Cover {
  readonly key: string;
  readonly covered: Uint8Array;
}

/** Findings that pass a rule's first test: `open` count for the rule, `shut` are excepted. */
export interface Split {
  readonly open: Int32Array;
  readonly shut: Int32Array;
}

export interface Buffers {
  /** Scratch lists for filtering `open` and `shut` in place. */
  readonly idx: Int32Array;
  readonly idx2: Int32Array;
  readonly columns: Map<string, Uint8Array>;
  readonly covers: Map<string, Cover>;
  readonly splits: Map<string, Split>;
}

export function buffers(ctx: EvalContext): Buffers {
  let b = ctx.scratch.get('buffers') as Buffers | undefined;
  if (!b) {
    const n = ctx.findings.length;
    b = { idx: new Int32Array(n), idx2: new Int32Array(n), columns: new Map(), covers: new Map(), splits: new Map() };
    ctx.scratch.set('buffers', b);
  }
  return b;
}

function column(t: KeyedFindingTest, ctx: EvalContext, columns: Map<string, Uint8Array>): Uint8Array {
  let col = columns.get(t.key);
  if (!col) {
    col = new Uint8Array(ctx.findings.length);
    t.fill?.(col, ctx);
    columns.set(t.key, col);
  }
  return col;
}

/** The exception cover of one set of active exceptions (rules limited by `rules:` may see different sets). */
export function cover(active: readonly ActiveException[], ctx: EvalContext, b: Buffers): Cover {
  let key = 'x';
  for (const a of active) key += `,${a.id}`;
  let c = b.covers.get(key);
  if (c) return c;
  const index = new ExceptionIndex(active);
  const fs = ctx.findings;
  const covered = new Uint8Array(fs.length);
  for (let i = 0; i < fs.length; i++) covered[i] = index.first(fs[i] as PolicyFinding) + 2;
  c = { key, covered };
  b.covers.set(key, c);
  return c;
}

/** The findings passing `first` (all findings when a rule has only a count), split by `c`. */
export function split(first: KeyedFindingTest | undefined, c: Cover | undefined, ctx: EvalContext, b: Buffers): Split {
  const key = `${first?.key ?? ''}\u0000${c?.key ?? ''}`;
  let s = b.splits.get(key);
  if (s) return s;
  const n = ctx.findings.length;
  const col = first ? column(first, ctx, b.columns) : undefined;
  const covered = c?.covered;
  const { idx: open, idx2: shut } = b;
  let nOpen = 0;
  let nShut = 0;
  for (let i = 0; i < n; i++) {
    if (col && first) {
      let r = col[i] as number;
      if (r === 0) {
        r = first.test(i, ctx) ? 2 : 1;
        col[i] = r;
      }
      if (r !== 2) continue;
    }
    if (covered && (covered[i] as number) > 1) shut[nShut++] = i;
    else open[nOpen++] = i;
  }
  s = { open: open.slice(0, nOpen), shut: shut.slice(0, nShut) };
  b.splits.set(key, s);
  return s;
}

/** Keeps the candidates in `from` that pass one test, writing them to `to` (which may be `from`). */
export function filter(t: KeyedFindingTest, from: Int32Array, to: Int32Array, n: number, ctx: EvalContext, columns: Map<string, Uint8Array>): number {
  const col = column(t, ctx, columns);
  let k = 0;
  for (let j = 0; j < n; j++) {
    const i = from[j] as number;
    let r = col[i] as number;
    if (r === 0) {
      r = t.test(i, ctx) ? 2 : 1;
      col[i] = r;
    }
    if (r === 2) to[k++] = i;
  }
  return k;
}
