import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PortcullisError } from '../../../core/errors.js';
import { feedFiles, type FeedFileOptions, readCapped, walkFiles } from '../feed-io.js';
import { FeedReporter } from '../reporter.js';
import type { Feed, FeedSink, FeedState, FetchContext } from '../types.js';
import { csafAdvisories } from './csaf.js';

/**
 * Red Hat CSAF VEX (https://security.access.redhat.com/data/csaf/v2/vex/): one file per CVE with
 * the status of every Red Hat product and component. See README.md.
 */

const VEX_BASE = 'https://security.access.redhat.com/data/csaf/v2/vex';
/** The largest real VEX files (kernel CVEs) are tens of MB. */
export const MAX_CSAF_BYTES = 256 * 1024 * 1024;
const ARCHIVE = /\.tar(\.zst|\.gz)?$/;
const DATA_PATH = /^\d{4}\/(cve-\d{4}-\d{4,}|rh[sbe]a-\d{4}_\d+)\.json$/;
const ARCHIVE_NAME = /^csaf_vex_(\d{4}-\d{2}-\d{2})\.tar\.zst$/;
/** `vex/YYYY/cve-….json` is two levels; a mirror's path prefix adds a few. */
const MAX_DEPTH = 8;
/**
 * The bulk archive: a few hundred MB of zstd over a few hundred thousand JSON files, which
 * compress ~20×. The bounds leave room for growth and still end a bomb or an endless stream.
 */
const ARCHIVE_LIMITS = { maxEntries: 5_000_000, maxTotalBytes: 256 * 1024 * 1024 * 1024 } as const;

export interface RedhatFeedOptions {
  /**
   * First run: `archive` downloads the bulk archive named by archive_latest.txt (a few hundred
   * MB, every VEX file), `index` downloads the newest `maxFiles` files listed in index.txt.
   */
  readonly firstRun?: 'archive' | 'index';
  /** Most VEX files downloaded one by one in a run; the rest follow on the next run. */
  readonly maxFiles?: number;
}

/** `"2024/cve-2024-10041.json","2024-12-18T09:14:23+00:00"` rows; rows with unsafe or odd paths are dropped. */
export function parseChanges(text: string): { path: string; time: number; stamp: string }[] {
  const out: { path: string; time: number; stamp: string }[] = [];
  for (const line of text.split('\n')) {
    const m = /^"([^"]+)","([^"]+)"\s*$/.exec(line.trim());
    if (!m || !DATA_PATH.test(m[1] as string)) continue;
    const time = Date.parse(m[2] as string);
    if (!Number.isNaN(time)) out.push({ path: m[1] as string, time, stamp: m[2] as string });
  }
  return out;
}

async function readDeletions(dir: string, rep: FeedReporter): Promise<Set<string>> {
  const deleted = new Set<string>();
  // The walk's own problems (an unreadable folder) are reported once, by the walk in parseRedhatDir.
  const quiet = new FeedReporter({ advisory: () => {}, kev: () => {}, epss: () => {}, problem: () => {} }, 'redhat');
  for await (const rel of walkFiles(dir, MAX_DEPTH, quiet)) {
    if (!rel.endsWith('deletions.csv')) continue;
    const buf = await readCapped(dir, rel, 64 * 1024 * 1024, rep);
    for (const c of parseChanges(buf?.toString('utf8') ?? '')) deleted.add(c.path);
  }
  return deleted;
}

/** Member or file path → the `YYYY/name.json` form changes.csv and deletions.csv use. */
function dataPath(rel: string): string {
  return rel.split('/').slice(-2).join('/');
}

export async function parseRedhatDir(dir: string, sink: FeedSink): Promise<void> {
  const rep = new FeedReporter(sink, 'redhat');
  const deleted = await readDeletions(dir, rep);
  const emitJson = (text: string, rel: string) => {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      return rep.problem('FEED_PARSE', `invalid JSON: ${(err as Error).message.slice(0, 200)}`, rel);
    }
    let advisories: ReturnType<typeof csafAdvisories>;
    try {
      advisories = csafAdvisories(raw, rel, rep);
    } catch (err) {
      // A document nested deep enough to exhaust the stack of the schema check.
      return rep.problem('FEED_PARSE', `cannot read the CSAF document: ${(err as Error).message.slice(0, 200)}`, rel);
    }
    for (const a of advisories) sink.advisory(a);
  };
  const read: FeedFileOptions = {
    want: (name) => name.endsWith('.json') && !deleted.has(dataPath(name)),
    isArchive: (rel) => ARCHIVE.test(rel),
    maxDepth: MAX_DEPTH,
    maxEntryBytes: MAX_CSAF_BYTES,
    ...ARCHIVE_LIMITS,
  };
  for await (const f of feedFiles(dir, read, rep)) {
    emitJson(f.data.toString('utf8'), f.path);
    rep.finishFile(f.path);
  }
}

async function readText(ctx: FetchContext, file: string): Promise<string> {
  try {
    return await readFile(join(ctx.dir, file), 'utf8');
  } catch (err) {
    throw new PortcullisError('FEED_FETCH', `cannot read the downloaded ${file}: ${(err as Error).message}`, { feed: 'redhat', path: file });
  }
}

export function createRedhatFeed(opts: RedhatFeedOptions = {}): Feed {
  const maxFiles = Math.max(1, opts.maxFiles ?? 10_000);
  return {
    id: 'redhat',
    version: '1',
    description: 'Red Hat CSAF VEX: per-CVE status of RHEL binary rpms and module streams (also reads CSAF security advisories)',
    license: 'CC-BY-4.0, Red Hat, Inc. (stated in each document). Attribution: Red Hat Product Security, https://security.access.redhat.com/data/csaf/v2/',
    baseUrl: VEX_BASE,
    async fetch(ctx: FetchContext): Promise<FeedState> {
      const base = ctx.baseUrl ?? VEX_BASE;
      await ctx.download(`${base}/changes.csv`, { file: 'vex/changes.csv' });
      await ctx.download(`${base}/deletions.csv`, { file: 'vex/deletions.csv' });
      const changes = parseChanges(await readText(ctx, 'vex/changes.csv'));
      const state: Record<string, unknown> = { ...ctx.state };
      let since = typeof ctx.state.lastChange === 'string' ? Date.parse(ctx.state.lastChange) : Number.NaN;
      if (Number.isNaN(since)) {
        if ((opts.firstRun ?? 'archive') === 'archive') {
          await ctx.download(`${base}/archive_latest.txt`, { file: 'vex/archive_latest.txt' });
          const name = (await readText(ctx, 'vex/archive_latest.txt')).trim();
          const m = ARCHIVE_NAME.exec(name);
          if (!m) throw new PortcullisError('FEED_FETCH', `archive_latest.txt names ${JSON.stringify(name.slice(0, 100))}, not a csaf_vex_YYYY-MM-DD.tar.zst archive`, { feed: 'redhat' });
          await ctx.download(`${base}/${name}`, { file: `vex/${name}` });
          state.archive = name;
          // The archive holds everything up to its date; changes.csv brings what came after.
          since = Date.parse(`${m[1]}T00:00:00Z`);
        } else {
          await ctx.download(`${base}/index.txt`, { file: 'vex/index.txt' });
          const paths = (await readText(ctx, 'vex/index.txt')).split('\n').map((l) => l.trim()).filter((p) => DATA_PATH.test(p));
          // The newest CVEs first (paths sort by year, then id); the bound keeps a first run finite.
          for (const p of paths.sort().reverse().slice(0, maxFiles)) await ctx.download(`${base}/${p}`, { file: `vex/${p}` });
          since = changes.reduce((n, c) => Math.max(n, c.time), 0);
        }
      }
      const todo = changes.filter((c) => c.time > since).sort((a, b) => a.time - b.time);
      const batch = todo.slice(0, maxFiles);
      for (const c of batch) await ctx.download(`${base}/${c.path}`, { file: `vex/${c.path}` });
      // When the batch was cut, resume after its last change next time; else after the newest seen.
      const last = batch.length < todo.length ? (batch.at(-1)?.time ?? since) : batch.reduce((n, c) => Math.max(n, c.time), since);
      state.lastChange = new Date(last).toISOString();
      return state;
    },
    parse: parseRedhatDir,
  };
}

export const redhatFeed: Feed = createRedhatFeed();
