import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { problem } from '../../../core/problem.js';
import type { Feed, FeedSink, FeedState, FetchContext } from '../types.js';
import { DEFAULT_EPSS_LIMITS, type EpssLimits, parseEpssFile } from './csv.js';

/**
 * FIRST EPSS daily scores. FIRST's data page (https://www.first.org/epss/data_stats) links the
 * current file on Empirical Security's host since May 2025; epss.cyentia.com only redirects there.
 */
const ID = 'epss';
const BASE_URL = 'https://epss.empiricalsecurity.com/';
const CURRENT = 'epss_scores-current.csv.gz';
/** What a directory may hold: the current file (fetch) or dated files downloaded by hand. */
const EPSS_FILE = /^epss_scores-(current|\d{4}-\d{2}-\d{2})\.csv(?:\.gz)?$/;

export interface EpssFeedOptions {
  readonly limits?: EpssLimits;
}

export function createEpssFeed(options: EpssFeedOptions = {}): Feed {
  const limits = options.limits ?? DEFAULT_EPSS_LIMITS;
  return {
    id: ID,
    version: '1',
    description: 'FIRST EPSS: daily probability that a CVE is exploited in the next 30 days',
    license: 'FIRST EPSS, free to use with attribution: "See EPSS at https://www.first.org/epss"',
    baseUrl: BASE_URL,
    async fetch(ctx: FetchContext): Promise<FeedState> {
      await ctx.download(joinUrl(ctx.baseUrl ?? BASE_URL, CURRENT), { file: CURRENT });
      return { ...ctx.state };
    },
    async parse(dir: string, sink: FeedSink): Promise<void> {
      const file = await pickFile(dir, sink);
      if (file !== undefined) await parseEpssFile(join(dir, file), sink, limits);
    },
  };
}

export const epssFeed: Feed = createEpssFeed();

/**
 * One file per build: the scores of one day. The current file wins; otherwise the newest dated
 * file (names sort by date). Reading several days would only overwrite each CVE's score.
 */
async function pickFile(dir: string, sink: FeedSink): Promise<string | undefined> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isFile() && EPSS_FILE.test(d.name)).map((d) => d.name);
  } catch (err) {
    sink.problem(problem('FEED_PARSE', `cannot list ${dir}: ${(err as Error).message}`, { path: dir, source: ID }));
    return undefined;
  }
  const current = names.filter((n) => n.startsWith('epss_scores-current.')).sort().at(-1);
  const newest = names.filter((n) => !n.startsWith('epss_scores-current.')).sort().at(-1);
  const file = current ?? newest;
  if (file === undefined) sink.problem(problem('FEED_PARSE', `no ${CURRENT} (or dated epss_scores-YYYY-MM-DD.csv.gz) in ${dir}`, { path: dir, source: ID }));
  return file;
}

function joinUrl(base: string, name: string): string {
  return `${base.replace(/\/+$/, '')}/${name}`;
}
