import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleepMs } from 'node:timers/promises';
import { z } from 'zod';
import { PortcullisError } from '../../../core/errors.js';
import type { FeedState, FetchContext } from '../types.js';
import { apiDate, fileStamp, lastModWindows, type Window } from './windows.js';

/**
 * NVD CVE API 2.0 download (https://nvd.nist.gov/developers/vulnerabilities). The first run
 * pages through every CVE; later runs ask for what changed since the last successful run, in
 * windows of at most 120 days. Each page is its own file, `pages/<window start>-<startIndex>.json`,
 * so `parse` needs nothing but the directory.
 */

export interface NvdFetchOptions {
  /** Waits between two requests; injectable so tests do not sleep. */
  readonly sleep: (ms: number) => Promise<void>;
  /** NVD asks for about 6 s between requests without a key (5 per 30 s) and allows 50 per 30 s with one. */
  readonly delayMs: { readonly anonymous: number; readonly withKey: number };
  /** Where NVD_API_KEY is read (the process environment by default). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** 2000 is the API's maximum. */
  readonly resultsPerPage: number;
  /** A page file larger than this is refused (a real page of 2000 CVEs is tens of MB). */
  readonly maxPageBytes: number;
}

export const DEFAULT_NVD_FETCH_OPTIONS: NvdFetchOptions = {
  sleep: (ms) => sleepMs(ms),
  delayMs: { anonymous: 6000, withKey: 600 },
  env: process.env,
  resultsPerPage: 2000,
  maxPageBytes: 512 * 1024 * 1024,
};

/** More CVEs than this in one listing is not NVD (about 300,000 exist in 2025). */
const MAX_TOTAL_RESULTS = 10_000_000;
const ENDPOINT = 'cves/2.0';

/** What fetch remembers: the end of the last window whose pages were all written. */
const StateSchema = z.looseObject({ lastModEndDate: z.iso.datetime() });

/** Just enough of a page to walk the listing; parse checks the records. */
const PageHeaderSchema = z.looseObject({
  startIndex: z.int().min(0),
  totalResults: z.int().min(0).max(MAX_TOTAL_RESULTS),
  vulnerabilities: z.array(z.unknown()),
});

/**
 * Downloads every page of every window and returns the new state. The state only moves once all
 * pages are on disk: a run that dies part-way throws, the previous state stays, and the next run
 * asks again from the same point (rewriting the same file names).
 */
export async function fetchNvd(ctx: FetchContext, baseUrl: string, opts: NvdFetchOptions): Promise<FeedState> {
  const key = opts.env.NVD_API_KEY?.trim() || undefined;
  const headers = key === undefined ? undefined : { apiKey: key };
  const delay = key === undefined ? opts.delayMs.anonymous : opts.delayMs.withKey;
  const endpoint = `${baseUrl.replace(/\/+$/, '')}/${ENDPOINT}`;
  let requests = 0;
  const get = async (url: string, file: string): Promise<void> => {
    if (requests++ > 0) await opts.sleep(delay);
    await ctx.download(url, headers === undefined ? { file } : { file, headers });
  };

  const previous = StateSchema.safeParse(ctx.state);
  const until = ctx.now;
  if (!previous.success) {
    // First run (or a state we cannot read): everything, no date filter.
    await fetchListing(ctx, endpoint, undefined, opts, get);
    return { ...ctx.state, lastModEndDate: until.toISOString() };
  }
  const since = new Date(previous.data.lastModEndDate);
  const windows = lastModWindows(since, until);
  if (windows.length === 0) return { ...ctx.state };
  for (const w of windows) await fetchListing(ctx, endpoint, w, opts, get);
  return { ...ctx.state, lastModEndDate: until.toISOString() };
}

/** Pages of one listing (a window, or everything), in order, until totalResults is reached. */
async function fetchListing(
  ctx: FetchContext,
  endpoint: string,
  w: Window | undefined,
  opts: NvdFetchOptions,
  get: (url: string, file: string) => Promise<void>,
): Promise<void> {
  const range = w === undefined ? '' : `&lastModStartDate=${apiDate(w.start)}&lastModEndDate=${apiDate(w.end)}`;
  let startIndex = 0;
  for (;;) {
    const file = `pages/${fileStamp(w?.start)}-${String(startIndex).padStart(7, '0')}.json`;
    await get(`${endpoint}?resultsPerPage=${opts.resultsPerPage}&startIndex=${startIndex}${range}`, file);
    const page = await readPageHeader(join(ctx.dir, file), opts.maxPageBytes);
    if (page.startIndex !== startIndex) throw fetchError(`asked for startIndex ${startIndex}, got ${page.startIndex}`, file);
    const got = page.vulnerabilities.length;
    if (startIndex + got >= page.totalResults) return;
    // An empty page before the end would make this loop forever.
    if (got === 0) throw fetchError(`empty page at ${startIndex} of ${page.totalResults}`, file);
    startIndex += got;
  }
}

async function readPageHeader(path: string, maxBytes: number): Promise<z.infer<typeof PageHeaderSchema>> {
  let doc: unknown;
  try {
    const size = (await stat(path)).size;
    if (size > maxBytes) throw new Error(`${size} bytes, more than ${maxBytes}`);
    doc = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw fetchError(`the page cannot be read: ${(err as Error).message}`, path, err);
  }
  const page = PageHeaderSchema.safeParse(doc);
  if (!page.success) throw fetchError(`the answer is not a CVE API 2.0 page (${page.error.issues[0]?.message ?? ''})`, path);
  return page.data;
}

function fetchError(message: string, path: string, cause?: unknown): PortcullisError {
  return new PortcullisError('FEED_FETCH', `NVD: ${message}`, { path, source: 'nvd' }, cause === undefined ? undefined : { cause });
}
