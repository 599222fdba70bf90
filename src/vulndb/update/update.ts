import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isPortcullisError, PortcullisError, toPortcullisError } from '../../core/errors.js';
import { problem, type Problem } from '../../core/problem.js';
import type { Feed, FeedState, FetchContext } from '../feeds/types.js';
import { FetchSession, type TransferProgress } from './http.js';
import type { HttpLimits } from './request.js';
import { feedDir, readFeedState, writeFeedState, type FeedStateFile } from './state.js';

/**
 * `db update`, network half: runs each feed's fetch against its directory in the cache and
 * records what happened. It does not build the database; the caller does that next from the
 * directories, which after a failure still hold the previous data.
 */

export interface UpdateProgress extends TransferProgress {
  readonly feed: string;
}

export interface UpdateOptions {
  readonly feeds: readonly Feed[];
  /** Feed directories are `<cacheDir>/feeds/<id>/`. */
  readonly cacheDir: string;
  /** Base URL overrides by feed id (local mirrors, tests). */
  readonly baseUrls?: Readonly<Record<string, string>>;
  readonly now?: Date;
  readonly progress?: (p: UpdateProgress) => void;
  /** Ids of the feeds to update; all when absent. */
  readonly only?: readonly string[];
  readonly limits?: Partial<HttpLimits>;
}

export type FeedUpdateResult =
  | {
      readonly id: string;
      readonly status: 'updated' | 'not-modified';
      readonly fetchedAt: string;
      /** Problems that did not stop the fetch (a damaged state.json that was ignored). */
      readonly problems: readonly Problem[];
    }
  | {
      readonly id: string;
      readonly status: 'failed';
      readonly error: PortcullisError;
      /** True when the directory still holds the data of an earlier successful fetch. */
      readonly keptPrevious: boolean;
      readonly problems: readonly Problem[];
    };

function selectFeeds(feeds: readonly Feed[], only: readonly string[] | undefined): readonly Feed[] {
  if (!only) return feeds;
  const known = new Set(feeds.map((f) => f.id));
  const unknown = only.filter((id) => !known.has(id));
  if (unknown.length) throw new PortcullisError('USAGE', `unknown feed${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (known: ${[...known].join(', ')})`);
  return feeds.filter((f) => only.includes(f.id));
}

/** A fetch must return a plain JSON object: it is stored as text and handed back next run. */
function checkState(value: unknown, id: string): FeedState {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PortcullisError('FEED_FETCH', `feed ${id} returned a state that is not an object`, { feed: id });
  }
  return JSON.parse(JSON.stringify(value)) as FeedState;
}

/** Updates feeds one at a time (so memory is bounded by one transfer) and reports each. */
export async function updateFeeds(opts: UpdateOptions): Promise<FeedUpdateResult[]> {
  const results: FeedUpdateResult[] = [];
  for (const feed of selectFeeds(opts.feeds, opts.only)) results.push(await updateOne(feed, opts));
  return results;
}

async function updateOne(feed: Feed, opts: UpdateOptions): Promise<FeedUpdateResult> {
  const problems: Problem[] = [];
  const now = opts.now ?? new Date();
  let previous: FeedStateFile | undefined;
  try {
    previous = await readFeedState(opts.cacheDir, feed.id);
  } catch (err) {
    if (!isPortcullisError(err, 'CACHE_CORRUPT')) throw err;
    problems.push(problem('CACHE_CORRUPT', `${err.message}; fetching afresh`, { source: feed.id }));
  }
  const dir = feedDir(opts.cacheDir, feed.id);
  await mkdir(dir, { recursive: true });
  const session = new FetchSession({
    dir,
    validators: previous?.http ?? {},
    jsonCacheDir: join(opts.cacheDir, 'http-cache', feed.id),
    ...(opts.limits ? { limits: opts.limits } : {}),
    ...(opts.progress ? { onProgress: (p: TransferProgress) => opts.progress?.({ ...p, feed: feed.id }) } : {}),
  });
  const ctx: FetchContext = {
    dir,
    state: previous?.state ?? {},
    baseUrl: opts.baseUrls?.[feed.id],
    now,
    download: (url, dl) => session.download(url, dl),
    getJson: (url, headers) => session.getJson(url, headers),
  };
  let state: FeedState;
  try {
    state = checkState(await feed.fetch(ctx), feed.id);
  } catch (err) {
    const error = toPortcullisError(err, 'FEED_FETCH', { feed: feed.id });
    const restored = await rollback(session, feed.id, problems);
    return { id: feed.id, status: 'failed', error, keptPrevious: previous !== undefined && restored, problems };
  }
  const fetchedAt = now.toISOString();
  const changedAt = session.changed ? fetchedAt : previous?.changedAt;
  try {
    await writeFeedState(opts.cacheDir, feed.id, {
      schema: 1,
      feedVersion: feed.version,
      fetchedAt,
      ...(changedAt ? { changedAt } : {}),
      state,
      http: session.validators,
    });
  } catch (err) {
    const error = new PortcullisError('FEED_FETCH', `cannot record the state of feed ${feed.id}: ${(err as Error).message}`, { feed: feed.id }, { cause: err });
    const restored = await rollback(session, feed.id, problems);
    return { id: feed.id, status: 'failed', error, keptPrevious: previous !== undefined && restored, problems };
  }
  // From here the new files and state.json agree; leftover backups are only clutter.
  await session.commit().catch((err: unknown) => {
    problems.push(problem('FEED_FETCH', `could not remove backups of replaced files: ${(err as Error).message}`, { source: feed.id }));
  });
  return { id: feed.id, status: session.changed ? 'updated' : 'not-modified', fetchedAt, problems };
}

/** Puts the previous files back; false (and a problem) when that itself failed. */
async function rollback(session: FetchSession, id: string, problems: Problem[]): Promise<boolean> {
  try {
    await session.rollback();
    return true;
  } catch (err) {
    problems.push(problem('FEED_FETCH', `could not restore the previous files: ${(err as Error).message}`, { source: id }));
    return false;
  }
}
