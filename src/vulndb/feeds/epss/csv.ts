import { basename } from 'node:path';
import { isPortcullisError, PortcullisError } from '../../../core/errors.js';
import { problem } from '../../../core/problem.js';
import { type EpssEntry, EpssSchema } from '../../model.js';
import type { FeedSink } from '../types.js';
import { type LineLimits, readLines } from './lines.js';

/**
 * One FIRST EPSS daily file (https://www.first.org/epss/data_stats): an optional comment
 * `#model_version:v2023.03.01,score_date:2023-03-07T00:00:00+0000` (files since 2022), a header
 * `cve,epss,percentile` (`cve,epss` before September 2021), then one row per CVE. Streamed line
 * by line; a bad row is a problem, the rest of the file still counts.
 */

export interface EpssLimits extends LineLimits {
  /** Rows of one file; the real file has about 300,000. */
  readonly maxRows: number;
  readonly maxProblems: number;
}

export const DEFAULT_EPSS_LIMITS: EpssLimits = {
  maxLineBytes: 1024,
  maxBytes: 256 * 1024 * 1024,
  maxRows: 5_000_000,
  maxProblems: 20,
};

const SOURCE = 'epss';
/** Date of the scores from the file name, for files without the comment line. */
const NAME_DATE = /^epss_scores-(\d{4}-\d{2}-\d{2})\.csv(?:\.gz)?$/;
const DAY = /^(\d{4}-\d{2}-\d{2})(?:$|T)/;
const DECIMAL = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

interface Columns {
  readonly cve: number;
  readonly epss: number;
  readonly percentile: number | undefined;
}

interface Row {
  readonly cve: string;
  readonly score: number;
  readonly percentile: number | undefined;
}

type Note = (message: string) => void;

/**
 * Emits the file's entries. Old files without a percentile column are read twice: once to
 * collect the scores, once to emit each row with the percentile FIRST defines ("the proportion
 * of all scored vulnerabilities with the same or a lower EPSS score") computed over the file.
 * Returns how many entries were emitted.
 */
export async function parseEpssFile(path: string, sink: FeedSink, limits: EpssLimits = DEFAULT_EPSS_LIMITS): Promise<number> {
  const name = basename(path);
  const where = { path: name, source: SOURCE };
  let shown = 0;
  let hidden = 0;
  const note: Note = (m) => {
    if (shown++ < limits.maxProblems) sink.problem(problem('FEED_PARSE', `${name}: ${m}`, where));
    else hidden++;
  };
  let emitted = 0;
  try {
    const scores = new Scores(limits.maxRows);
    const first = await scan(path, name, limits, note, (row, date) => {
      if (row.percentile === undefined) return scores.add(row.score);
      sink.epss({ cve: row.cve, score: row.score, percentile: row.percentile, date });
      emitted++;
    });
    if (first.percentile === undefined) {
      const sorted = scores.sorted();
      await scan(path, name, limits, () => undefined, (row, date) => {
        sink.epss({ cve: row.cve, score: row.score, percentile: rankOf(sorted, row.score), date });
        emitted++;
      });
    }
  } catch (err) {
    if (!isPortcullisError(err)) throw err;
    note(err.message);
  }
  if (hidden > 0) sink.problem(problem('FEED_PARSE', `${name}: ${hidden} more problems not shown`, where));
  return emitted;
}

/** Reads the file once; calls `onRow` for every valid row. Throws FEED_PARSE when the file cannot go on. */
async function scan(path: string, name: string, limits: EpssLimits, note: Note, onRow: (row: Row, date: string) => void): Promise<Columns> {
  let metaDate: string | undefined;
  let header: { columns: Columns; date: string } | undefined;
  let rows = 0;
  for await (const ev of readLines(path, limits)) {
    if (ev.kind === 'too-long') {
      note(`line ${ev.no} is longer than ${limits.maxLineBytes} bytes; skipped`);
      continue;
    }
    const text = ev.text.trim();
    if (text === '') continue;
    if (header === undefined) {
      if (text.startsWith('#')) {
        metaDate ??= scoreDate(text);
        continue;
      }
      const columns = headerColumns(text);
      const date = metaDate ?? NAME_DATE.exec(name)?.[1];
      if (columns === undefined) throw new PortcullisError('FEED_PARSE', `line ${ev.no} is not a "cve,epss[,percentile]" header`, { path });
      if (date === undefined) throw new PortcullisError('FEED_PARSE', 'no score_date comment and no date in the file name', { path });
      header = { columns, date };
      continue;
    }
    if (++rows > limits.maxRows) throw new PortcullisError('FEED_PARSE', `more than ${limits.maxRows} rows; the rest was ignored`, { path });
    const row = parseRow(text, header.columns, header.date);
    if (typeof row === 'string') note(`line ${ev.no}: ${row}`);
    else onRow(row, header.date);
  }
  if (header === undefined) throw new PortcullisError('FEED_PARSE', 'no header line; not an EPSS scores file', { path });
  return header.columns;
}

/** `score_date:2023-03-07T00:00:00+0000` → `2023-03-07`. */
function scoreDate(comment: string): string | undefined {
  for (const field of comment.slice(1).split(',')) {
    const sep = field.indexOf(':');
    if (sep < 0 || field.slice(0, sep).trim() !== 'score_date') continue;
    const day = DAY.exec(field.slice(sep + 1).trim())?.[1];
    if (day !== undefined && !Number.isNaN(Date.parse(`${day}T00:00:00Z`))) return day;
  }
  return undefined;
}

function headerColumns(line: string): Columns | undefined {
  const names = line.split(',').map((c) => c.trim().toLowerCase());
  const cve = names.indexOf('cve');
  const epss = names.indexOf('epss');
  const percentile = names.indexOf('percentile');
  if (cve < 0 || epss < 0) return undefined;
  return { cve, epss, percentile: percentile < 0 ? undefined : percentile };
}

function parseRow(line: string, cols: Columns, date: string): Row | string {
  const cells = line.split(',');
  const cve = cells[cols.cve]?.trim() ?? '';
  const score = decimal(cells[cols.epss]);
  const percentile = cols.percentile === undefined ? undefined : decimal(cells[cols.percentile]);
  if (score === undefined || (cols.percentile !== undefined && percentile === undefined)) return 'score or percentile is not a number';
  // The model's schema is the boundary: CVE id shape and the [0, 1] ranges.
  const checked = EpssSchema.safeParse({ cve, score, percentile: percentile ?? 0, date } satisfies EpssEntry);
  if (!checked.success) return `not a valid EPSS row (${checked.error.issues.map((i) => i.path.join('.')).join(', ')})`;
  return { cve, score, percentile };
}

function decimal(cell: string | undefined): number | undefined {
  const s = cell?.trim() ?? '';
  if (!DECIMAL.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

/** Share of scores ≤ `score` in an ascending array, rounded like FIRST's files (5 digits). */
function rankOf(sorted: Float64Array, score: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] ?? 0) <= score) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length === 0 ? 0 : Math.round((lo / sorted.length) * 1e5) / 1e5;
}

/** Scores of one file, growing by doubling; 8 bytes a row instead of the whole line. */
class Scores {
  private data = new Float64Array(1024);
  private count = 0;
  constructor(private readonly max: number) {}

  add(score: number): void {
    if (this.count >= this.max) return;
    if (this.count === this.data.length) {
      const next = new Float64Array(Math.min(this.data.length * 2, this.max));
      next.set(this.data);
      this.data = next;
    }
    this.data[this.count++] = score;
  }

  sorted(): Float64Array {
    return this.data.slice(0, this.count).sort();
  }
}
