import type { Feed, FeedState, FetchContext } from '../types.js';
import { parseOsvDir } from './parse.js';

/**
 * OSV (https://osv.dev): the language ecosystems (GHSA, PyPA, Go, RustSec, …) and several
 * distributions, one all.zip per ecosystem from the public bucket. See README.md.
 */

/** Ecosystems fetched by default: the eight language ecosystems we catalog and the distros we match. */
export const DEFAULT_ECOSYSTEMS = [
  'npm', 'PyPI', 'Go', 'crates.io', 'RubyGems', 'Maven', 'Packagist', 'NuGet',
  'Debian', 'Alpine', 'Ubuntu', 'AlmaLinux', 'Rocky Linux',
] as const;

/**
 * Downloads `<base>/<ECOSYSTEM>/all.zip` into `<ECOSYSTEM>/all.zip`. The HTTP layer keeps the
 * ETags, so an unchanged zip costs one 304 and nothing is remembered here. The bucket's
 * `<ECOSYSTEM>/modified_id.csv` would allow fetching only changed records; not used yet.
 */
async function fetchOsv(ctx: FetchContext, ecosystems: readonly string[] = DEFAULT_ECOSYSTEMS): Promise<FeedState> {
  const base = (ctx.baseUrl ?? osvFeed.baseUrl).replace(/\/+$/, '');
  for (const eco of ecosystems) {
    await ctx.download(`${base}/${encodeURIComponent(eco)}/all.zip`, { file: `${eco}/all.zip` });
  }
  return {};
}

export const osvFeed: Feed = {
  id: 'osv',
  version: '1',
  description: 'OSV advisories (GHSA, PyPA, Go, RustSec, Debian, Ubuntu, Alpine, AlmaLinux, Rocky…) from the osv.dev bucket',
  license: 'Per source (https://google.github.io/osv.dev/data/): GHSA, PyPA, Go CC-BY-4.0; RustSec CC0-1.0; Ubuntu CC-BY-SA-4.0; AlmaLinux MIT; Rocky BSD; Debian as published by the Debian security team',
  baseUrl: 'https://osv-vulnerabilities.storage.googleapis.com',
  fetch: (ctx) => fetchOsv(ctx),
  parse: (dir, sink) => parseOsvDir(dir, sink),
};
