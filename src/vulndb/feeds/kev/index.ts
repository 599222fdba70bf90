import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { problem } from '../../../core/problem.js';
import type { Feed, FeedSink, FeedState, FetchContext } from '../types.js';
import { parseKevFile } from './parse.js';

/**
 * CISA Known Exploited Vulnerabilities catalog
 * (https://www.cisa.gov/known-exploited-vulnerabilities-catalog), one JSON file, CC0.
 */
const ID = 'kev';
const BASE_URL = 'https://www.cisa.gov/sites/default/files/feeds/';
const FILE = 'known_exploited_vulnerabilities.json';

export const kevFeed: Feed = {
  id: ID,
  version: '1',
  description: 'CISA Known Exploited Vulnerabilities catalog',
  license: 'CC0-1.0 (CISA, Known Exploited Vulnerabilities catalog)',
  baseUrl: BASE_URL,
  async fetch(ctx: FetchContext): Promise<FeedState> {
    await ctx.download(`${(ctx.baseUrl ?? BASE_URL).replace(/\/+$/, '')}/${FILE}`, { file: FILE });
    return { ...ctx.state };
  },
  async parse(dir: string, sink: FeedSink): Promise<void> {
    const path = join(dir, FILE);
    try {
      await access(path);
    } catch {
      sink.problem(problem('FEED_PARSE', `no ${FILE} in ${dir}`, { path: dir, source: ID }));
      return;
    }
    await parseKevFile(path, sink);
  },
};
