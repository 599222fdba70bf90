import { readCapped, walkFiles } from '../feed-io.js';
import { FeedReporter } from '../reporter.js';
import type { Feed, FeedSink, FeedState, FetchContext } from '../types.js';
import { SecdbMerger } from './secdb.js';

/**
 * Alpine secdb (https://secdb.alpinelinux.org/). See README.md.
 */

/**
 * Releases fetched: v3.12 (the oldest one secdb.alpinelinux.org still serves that images in use
 * run) to v3.22, and edge. A fixed list rather than scraping the directory index: adding a
 * release is a one-line change reviewed like any other.
 */
export const ALPINE_RELEASES = ['v3.12', 'v3.13', 'v3.14', 'v3.15', 'v3.16', 'v3.17', 'v3.18', 'v3.19', 'v3.20', 'v3.21', 'v3.22', 'edge'] as const;
export const ALPINE_REPOSITORIES = ['main', 'community'] as const;

/** Largest secdb file read (the biggest real one, edge/main.json, is well under 1 MB). */
export const MAX_SECDB_BYTES = 64 * 1024 * 1024;
/** Directory levels walked: `<release>/<repo>.json` is one; a mirror's path prefix adds a few. */
const MAX_DEPTH = 8;

const RELEASE_DIR = /^(v\d+\.\d+|edge)$/;

/** Parses every `*.json`, `*.yaml` and `*.yml` under `dir` (any layout; the release comes from the document or its folder). */
export async function parseAlpineDir(dir: string, sink: FeedSink): Promise<void> {
  const rep = new FeedReporter(sink, 'alpine');
  const merger = new SecdbMerger(rep);
  for await (const rel of walkFiles(dir, MAX_DEPTH, rep)) {
    if (!/\.(json|ya?ml)$/.test(rel)) continue;
    const buf = await readCapped(dir, rel, MAX_SECDB_BYTES, rep);
    if (buf) {
      const release = rel.split('/').find((s) => RELEASE_DIR.test(s)) ?? /^(v\d+\.\d+|edge)-/.exec(rel.split('/').at(-1) ?? '')?.[1];
      merger.addDocument(buf.toString('utf8'), rel.endsWith('.json') ? 'json' : 'yaml', rel, release);
    }
    rep.finishFile(rel);
  }
  for (const a of merger.advisories()) sink.advisory(a);
}

export const alpineFeed: Feed = {
  id: 'alpine',
  version: '1',
  description: 'Alpine Linux secdb: versions of origin packages that fix each CVE, per release and repository',
  license: 'Alpine secdb (generated from the secfixes comments of aports; no explicit licence). Credit: Alpine Linux security team.',
  baseUrl: 'https://secdb.alpinelinux.org',
  async fetch(ctx: FetchContext): Promise<FeedState> {
    const base = ctx.baseUrl ?? alpineFeed.baseUrl;
    for (const release of ALPINE_RELEASES) {
      for (const repo of ALPINE_REPOSITORIES) await ctx.download(`${base}/${release}/${repo}.json`, { file: `${release}/${repo}.json` });
    }
    return {};
  },
  parse: parseAlpineDir,
};
