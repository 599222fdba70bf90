import type { Feed, FeedState, FetchContext } from '../types.js';
import { parseNswgDir } from './parse.js';

/** Node.js Security WG ecosystem advisories (legacy npm advisories, NSWG-ECO-n; see README.md). */

export const NSWG_ARCHIVE = 'security-wg.tar.gz';

async function fetchNswg(ctx: FetchContext): Promise<FeedState> {
  const base = (ctx.baseUrl ?? nswgFeed.baseUrl).replace(/\/+$/, '');
  await ctx.download(`${base}/nodejs/security-wg/tar.gz/refs/heads/main`, { file: NSWG_ARCHIVE });
  return {};
}

export const nswgFeed: Feed = {
  id: 'nswg',
  version: '1',
  description: 'Node.js Security WG npm advisories (NSWG-ECO, 2015–2019)',
  license: 'MIT (nodejs/security-wg); credit: Node.js Ecosystem Security Working Group',
  baseUrl: 'https://codeload.github.com',
  fetch: fetchNswg,
  parse: (dir, sink) => parseNswgDir(dir, sink),
};
