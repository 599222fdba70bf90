import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { PortcullisError } from '../../core/errors.js';
import { STATE_FILE, writeFileAtomic } from './files.js';

/**
 * `<cacheDir>/feeds/<id>/state.json`: written after each successful fetch, never after a
 * failed one, so it always describes the files beside it.
 */
const ValidatorsSchema = z.object({
  etag: z.string().max(1024).optional(),
  lastModified: z.string().max(256).optional(),
});

export const FeedStateFileSchema = z.object({
  schema: z.literal(1),
  /** Feed.version of the code that fetched. */
  feedVersion: z.string(),
  /** Last successful fetch, 304s included (ISO 8601). */
  fetchedAt: z.iso.datetime(),
  /** Last fetch that brought new bytes. */
  changedAt: z.iso.datetime().optional(),
  /** What the feed's fetch returned, handed back to it next time. */
  state: z.record(z.string(), z.unknown()),
  /** Validators by URL, for conditional requests. */
  http: z.record(z.string(), ValidatorsSchema),
});
export type FeedStateFile = z.infer<typeof FeedStateFileSchema>;

/** Feed ids become directory names: lower-case letters, digits and dashes only. */
const FEED_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

export function feedDir(cacheDir: string, id: string): string {
  if (!FEED_ID.test(id)) throw new PortcullisError('USAGE', `"${id.slice(0, 80)}" is not a valid feed id`);
  return join(cacheDir, 'feeds', id);
}

/** Largest state.json we read (validators of a few thousand URLs fit easily). */
const MAX_STATE_BYTES = 16 * 1024 * 1024;

/**
 * The state of the last successful fetch of feed `id`, undefined when it was never fetched.
 * A damaged file is CACHE_CORRUPT: the orchestrator then starts that feed afresh.
 */
export async function readFeedState(cacheDir: string, id: string): Promise<FeedStateFile | undefined> {
  const path = join(feedDir(cacheDir, id), STATE_FILE);
  let text: string;
  try {
    const buf = await readFile(path);
    if (buf.length > MAX_STATE_BYTES) throw new PortcullisError('CACHE_CORRUPT', `${STATE_FILE} of feed ${id} is larger than ${MAX_STATE_BYTES} bytes`, { path });
    text = buf.toString('utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (err instanceof PortcullisError) throw err;
    throw new PortcullisError('CACHE_CORRUPT', `cannot read ${STATE_FILE} of feed ${id}: ${(err as Error).message}`, { path }, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new PortcullisError('CACHE_CORRUPT', `${STATE_FILE} of feed ${id} is not valid JSON`, { path }, { cause: err });
  }
  const parsed = FeedStateFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PortcullisError('CACHE_CORRUPT', `${STATE_FILE} of feed ${id} is invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? ''}`, { path });
  }
  return parsed.data;
}

export async function writeFeedState(cacheDir: string, id: string, state: FeedStateFile): Promise<void> {
  await writeFileAtomic(join(feedDir(cacheDir, id), STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
}
