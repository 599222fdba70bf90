import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AdvisoryInput } from '../../model.js';
import { isBookkeeping } from '../feed-io.js';
import { FeedReporter } from '../reporter.js';
import type { Feed, FeedSink, FetchContext, FeedState } from '../types.js';
import { readCveList } from './cve-list.js';
import { readAdvisoryList } from './dsa-list.js';
import { IdGrouper } from './grouper.js';
import { type CveFragment, DEFAULT_TRACKER_OPTIONS, readTrackerJson, type TrackerJsonOptions } from './tracker-json.js';

/**
 * Debian security tracker (https://security-tracker.debian.org/tracker/): per-CVE status of
 * every source package in every release, plus the DSA/DLA/DTSA advisory lists. See README.md.
 */

const TRACKER_BASE = 'https://security-tracker.debian.org';
const LISTS_BASE = 'https://salsa.debian.org/security-tracker-team/security-tracker/-/raw/master';

/** Files fetch writes, relative to the feed directory. */
export const TRACKER_FILE = 'tracker.json';
const FETCHED_LISTS = ['DSA', 'DLA'] as const;
const LIST_KINDS = ['DSA', 'DLA', 'DTSA'] as const;

/** One grouper bucket per this many bytes of tracker JSON (a bucket is read back whole). */
const BYTES_PER_BUCKET = 2 * 1024 * 1024;

/** `K/list` (the tracker repository's data/ layout) or `K-list`, whichever exists. */
function listFile(dir: string, kind: string): string | undefined {
  return [`${kind}/list`, `${kind}-list`].find((rel) => existsSync(join(dir, rel)) && statSync(join(dir, rel)).isFile());
}

async function trackerFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.json') && !isBookkeeping(e.name))
    .map((e) => e.name)
    .sort();
}

/** Merges the fragments of one CVE from several packages (and files) into one advisory. */
export function mergeFragments(id: string, fragments: readonly CveFragment[]): AdvisoryInput {
  const summary = fragments.find((f) => f.summary !== undefined)?.summary;
  return {
    id,
    source: 'debian',
    ...(summary ? { summary } : {}),
    references: [{ type: 'ADVISORY', url: `https://security-tracker.debian.org/tracker/${id}` }],
    affected: fragments.flatMap((f) => f.affected),
  };
}

export async function parseDebianDir(dir: string, sink: FeedSink, opts: TrackerJsonOptions = DEFAULT_TRACKER_OPTIONS): Promise<void> {
  const rep = new FeedReporter(sink, 'debian');
  const emit = (a: AdvisoryInput) => sink.advisory(a);
  const jsonFiles = await trackerFiles(dir);
  if (jsonFiles.length > 0) {
    const bytes = jsonFiles.reduce((n, f) => n + statSync(join(dir, f)).size, 0);
    const grouper = await IdGrouper.create<CveFragment>(Math.ceil(bytes / BYTES_PER_BUCKET));
    try {
      for (const rel of jsonFiles) {
        await readTrackerJson(dir, rel, grouper, rep, opts);
        rep.finishFile(rel);
      }
      for await (const [id, fragments] of grouper.drain()) emit(mergeFragments(id, fragments));
    } finally {
      await grouper.dispose();
    }
  } else {
    // The JSON is computed from CVE/list and the archive; when it is present the list adds nothing.
    const cveList = listFile(dir, 'CVE');
    if (cveList) {
      await readCveList(dir, cveList, emit, rep);
      rep.finishFile(cveList);
    }
  }
  for (const kind of LIST_KINDS) {
    const rel = listFile(dir, kind);
    if (!rel) continue;
    await readAdvisoryList(dir, rel, emit, rep);
    rep.finishFile(rel);
  }
}

export const debianFeed: Feed = {
  id: 'debian',
  version: '1',
  description: 'Debian security tracker: per-release status of source packages (tracker JSON or data/CVE/list) and the DSA/DLA/DTSA advisory lists',
  license: 'Debian security tracker data (no explicit licence; published by the Debian Security Team, redistributed by osv.dev). Credit: Debian Security Team.',
  baseUrl: TRACKER_BASE,
  async fetch(ctx: FetchContext): Promise<FeedState> {
    // A base URL override (a local replay server) serves every file under one root.
    const tracker = ctx.baseUrl ?? TRACKER_BASE;
    const lists = ctx.baseUrl ?? LISTS_BASE;
    await ctx.download(`${tracker}/tracker/data/json`, { file: TRACKER_FILE });
    for (const kind of FETCHED_LISTS) await ctx.download(`${lists}/data/${kind}/list`, { file: `${kind}/list` });
    return {};
  },
  parse: (dir, sink) => parseDebianDir(dir, sink),
};
