import type { Feed, FeedState, FetchContext } from '../types.js';
import { parseRubysecDir } from './parse.js';

/** RubySec: the Ruby Advisory Database, native YAML (see README.md). */

export const RUBYSEC_ARCHIVE = 'ruby-advisory-db.tar.gz';

async function fetchRubysec(ctx: FetchContext): Promise<FeedState> {
  const base = (ctx.baseUrl ?? rubysecFeed.baseUrl).replace(/\/+$/, '');
  await ctx.download(`${base}/rubysec/ruby-advisory-db/tar.gz/refs/heads/master`, { file: RUBYSEC_ARCHIVE });
  return {};
}

export const rubysecFeed: Feed = {
  id: 'rubysec',
  version: '1',
  description: 'RubySec Ruby Advisory Database (gem advisories, native YAML)',
  license: 'Public domain dedication (rubysec/ruby-advisory-db LICENSE.txt); entries with an OSVDB id may contain OSVDB-licensed text',
  baseUrl: 'https://codeload.github.com',
  fetch: fetchRubysec,
  parse: (dir, sink) => parseRubysecDir(dir, sink),
};
