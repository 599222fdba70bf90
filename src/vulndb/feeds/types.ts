import type { Problem } from '../../core/problem.js';
import type { AdvisoryInput, EpssEntry, KevEntry } from '../model.js';

/**
 * The Feed seam: one folder per source under src/vulndb/feeds/, listed in registry.ts.
 * `fetch` is the only network IO and writes raw files into the feed's directory; `parse` reads
 * that directory (no network) and emits records. A feed directory holds exactly what the
 * source publishes, so a directory a user downloaded by hand builds the same database.
 */

/**
 * Where parsed records go. Parsers never throw for a bad record: they record a problem and go
 * on. A parser may emit the same (source, id) twice (e.g. NVD pages fetched on different days):
 * the database keeps the record with the newest `modified`, the later one on a tie.
 */
export interface FeedSink {
  advisory(a: AdvisoryInput): void;
  kev(e: KevEntry): void;
  epss(e: EpssEntry): void;
  problem(p: Problem): void;
}

/** What `fetch` may remember between runs (ETag, Last-Modified per URL, NVD's last window). */
export type FeedState = Readonly<Record<string, unknown>>;

export interface DownloadOptions {
  /** Path relative to the feed directory. */
  readonly file: string;
  /** Extra request headers (e.g. an NVD API key). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface DownloadResult {
  /** `not-modified`: the server answered 304 (or the same ETag) and the old file was kept. */
  readonly status: 'downloaded' | 'not-modified';
  readonly bytes: number;
}

/**
 * What the update orchestrator gives a feed's `fetch`. `download` is conditional (If-None-Match /
 * If-Modified-Since from the previous run), resumable (Range on a partial file), verified for
 * length, written to a temp file and renamed, and reports progress. It throws a coded
 * FEED_FETCH error on HTTP errors and cut connections.
 */
export interface FetchContext {
  /** The feed's directory (previous files are still there). */
  readonly dir: string;
  /** State returned by the previous successful fetch, `{}` the first time. */
  readonly state: FeedState;
  /** Override of the feed's base URL (tests point it at a local replay server). */
  readonly baseUrl: string | undefined;
  /** Now, injectable for tests. */
  readonly now: Date;
  download(url: string, opts: DownloadOptions): Promise<DownloadResult>;
  /** GET returning the parsed JSON body (for paged APIs such as NVD). Conditional like download. */
  getJson(url: string, headers?: Readonly<Record<string, string>>): Promise<unknown>;
}

export interface Feed {
  /** Lower-case id, equal to its folder name: `osv`, `debian`, `alpine`, `nvd`, … */
  readonly id: string;
  /** Bumped whenever parsing changes what is emitted; stored in the database's source table. */
  readonly version: string;
  readonly description: string;
  /** Licence of the data, and who to credit (shown by `db status`). */
  readonly license: string;
  /** Default base URL of the source. */
  readonly baseUrl: string;
  /** Network only. Returns the state to remember for the next run. */
  fetch(ctx: FetchContext): Promise<FeedState>;
  /** No network. Reads `dir` (as fetch leaves it, or as the source publishes it) and emits records. */
  parse(dir: string, sink: FeedSink): Promise<void>;
}
