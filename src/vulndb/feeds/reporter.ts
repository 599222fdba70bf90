import type { ErrorCode } from '../../core/errors.js';
import { problem } from '../../core/problem.js';
import type { FeedSink } from './types.js';

/** Problems kept per file before the rest are only counted (a hostile file cannot flood the sink). */
export const MAX_PROBLEMS_PER_FILE = 100;

/**
 * Records a feed's problems through its sink: at most MAX_PROBLEMS_PER_FILE per file (then one
 * summary), and "once" problems (an unknown release named thousands of times) only once.
 */
export class FeedReporter {
  readonly #counts = new Map<string, number>();
  readonly #once = new Set<string>();

  constructor(
    private readonly sink: FeedSink,
    readonly source: string,
  ) {}

  problem(code: ErrorCode, message: string, path: string): void {
    const n = (this.#counts.get(path) ?? 0) + 1;
    this.#counts.set(path, n);
    if (n <= MAX_PROBLEMS_PER_FILE) this.sink.problem(problem(code, message, { path, source: this.source }));
  }

  /** Like `problem`, but only the first time `key` is seen in this parse. */
  once(key: string, code: ErrorCode, message: string, path: string): void {
    if (this.#once.has(key)) return;
    this.#once.add(key);
    this.problem(code, message, path);
  }

  /** Emits the "… more problems" summary of `path`, if any were held back. */
  finishFile(path: string): void {
    const n = this.#counts.get(path) ?? 0;
    if (n > MAX_PROBLEMS_PER_FILE) {
      this.sink.problem(problem('FEED_PARSE', `${n - MAX_PROBLEMS_PER_FILE} more problems in this file were not listed`, { path, source: this.source }));
    }
    this.#counts.delete(path);
  }
}

/** A value shortened for a problem message. */
export function quote(v: unknown, max = 80): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
  return JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s);
}

/** Longest free text (summary, note) kept from a feed; longer text is cut with an ellipsis. */
export const MAX_TEXT = 4000;

/** Whitespace collapsed and cut to MAX_TEXT; undefined for empty text. */
export function clipText(s: string | undefined, max = MAX_TEXT): string | undefined {
  if (s === undefined) return undefined;
  const t = s.replace(/\s+/g, ' ').trim();
  if (t === '') return undefined;
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}
