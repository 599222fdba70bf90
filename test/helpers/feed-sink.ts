import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PortcullisError } from '../../src/core/errors.js';
import type { Problem } from '../../src/core/problem.js';
import type { FeedSink, FetchContext } from '../../src/vulndb/feeds/types.js';
import { type Advisory, type AdvisoryInput, AdvisorySchema, type EpssEntry, type KevEntry } from '../../src/vulndb/model.js';

/** A FeedSink that keeps everything a parser emitted, for assertions. */
export interface CollectedFeed extends FeedSink {
  readonly advisories: AdvisoryInput[];
  readonly kevs: KevEntry[];
  readonly epssEntries: EpssEntry[];
  readonly problems: Problem[];
  /** Advisories by id (the last one emitted wins, as in the database). */
  byId(id: string): AdvisoryInput | undefined;
  /** Every advisory run through AdvisorySchema; throws on the first that does not parse. */
  parsed(): Advisory[];
}

export function collectingSink(): CollectedFeed {
  const advisories: AdvisoryInput[] = [];
  const kevs: KevEntry[] = [];
  const epss: EpssEntry[] = [];
  const problems: Problem[] = [];
  return {
    advisories,
    kevs,
    epssEntries: epss,
    problems,
    advisory: (a) => void advisories.push(a),
    kev: (e) => void kevs.push(e),
    epss: (e) => void epss.push(e),
    problem: (p) => void problems.push(p),
    byId: (id) => advisories.findLast((a) => a.id === id),
    parsed: () =>
      advisories.map((a) => {
        const r = AdvisorySchema.safeParse(a);
        if (!r.success) throw new Error(`${a.id} does not pass AdvisorySchema: ${r.error.message}`);
        return r.data;
      }),
  };
}

/** The shared real-data corpus (SOURCES.md); tests that need it skip when it is absent. */
export const VULNDATA = process.env.PORTCULLIS_VULNDATA ?? '/work/shared/vulndata';

/** `VULNDATA/rel` when it exists, else undefined (use with describe.skipIf / it.skipIf). */
export function vulndataPath(...rel: string[]): string | undefined {
  const p = join(VULNDATA, ...rel);
  return existsSync(p) ? p : undefined;
}

/** One `download` a feed's fetch asked for. */
export interface DownloadCall {
  readonly url: string;
  readonly file: string;
}

/**
 * A FetchContext that records the downloads asked for and, for URLs in `bodies`, writes that
 * body to the file (so a fetch that reads an index it downloaded can be tested); other URLs
 * throw FEED_FETCH like a 404 would. The real HTTP client is tested in src/vulndb/update.
 */
export function fakeFetchContext(opts: {
  dir: string;
  state?: Readonly<Record<string, unknown>>;
  baseUrl?: string;
  bodies?: Readonly<Record<string, string | Buffer>>;
  now?: Date;
}): FetchContext & { readonly calls: DownloadCall[] } {
  const calls: DownloadCall[] = [];
  return {
    dir: opts.dir,
    state: opts.state ?? {},
    baseUrl: opts.baseUrl,
    now: opts.now ?? new Date('2026-11-22T00:00:00Z'),
    calls,
    async download(url, dl) {
      calls.push({ url, file: dl.file });
      const body = opts.bodies?.[url];
      if (body === undefined) {
        if (opts.bodies) throw new PortcullisError('FEED_FETCH', `HTTP 404 for ${url}`, { url });
        return { status: 'downloaded', bytes: 0 };
      }
      const path = join(opts.dir, dl.file);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, body);
      return { status: 'downloaded', bytes: Buffer.byteLength(body) };
    },
    async getJson(url) {
      calls.push({ url, file: '' });
      throw new PortcullisError('FEED_FETCH', `getJson not expected: ${url}`, { url });
    },
  };
}
