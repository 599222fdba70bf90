import { createReadStream, createWriteStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import { problem } from '../../core/problem.js';
import type { FeedSink } from '../feeds/types.js';
import type { AdvisoryInput, EpssEntry, KevEntry } from '../model.js';

/**
 * A snapshot: advisories already in the model, one JSON record per line, gzip-compressed
 * (`*.jsonl.gz`). Each line is `{"advisory": …}`, `{"kev": …}` or `{"epss": …}`. It is how the
 * demo database ships in the repo (facts only, see data/demo-db/ATTRIBUTION.md) and a portable
 * way to move parsed data between machines without the raw feeds.
 */

export type SnapshotRecord = { advisory: AdvisoryInput } | { kev: KevEntry } | { epss: EpssEntry };

/** Longest line accepted; a longer one is recorded as a problem and skipped. */
const MAX_LINE = 4 * 1024 * 1024;

export async function parseSnapshotDir(dir: string, sink: FeedSink, source = 'snapshot'): Promise<void> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.jsonl.gz')).sort();
  for (const f of files) await parseSnapshotFile(join(dir, f), sink, source);
}

export async function parseSnapshotFile(path: string, sink: FeedSink, source = 'snapshot'): Promise<void> {
  const gunzip = createGunzip();
  const input = createReadStream(path).pipe(gunzip);
  let failed: Error | undefined;
  input.on('error', (err) => {
    failed = err;
  });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const line of lines) {
      n++;
      if (!line.trim()) continue;
      if (line.length > MAX_LINE) {
        sink.problem(problem('FEED_PARSE', `line ${n} is longer than ${MAX_LINE} bytes`, { path, source }));
        continue;
      }
      let rec: unknown;
      try {
        rec = JSON.parse(line);
      } catch {
        sink.problem(problem('FEED_PARSE', `line ${n} is not JSON`, { path, source }));
        continue;
      }
      if (rec && typeof rec === 'object' && 'advisory' in rec) sink.advisory((rec as { advisory: AdvisoryInput }).advisory);
      else if (rec && typeof rec === 'object' && 'kev' in rec) sink.kev((rec as { kev: KevEntry }).kev);
      else if (rec && typeof rec === 'object' && 'epss' in rec) sink.epss((rec as { epss: EpssEntry }).epss);
      else sink.problem(problem('FEED_PARSE', `line ${n} is not a snapshot record`, { path, source }));
    }
  } catch (err) {
    failed ??= err as Error;
  }
  if (failed) sink.problem(problem('FEED_PARSE', `${path} is truncated or not gzip: ${failed.message}`, { path, source }));
}

/** Writes records as a snapshot file (used by scripts/build-demo-db and tests). */
export async function writeSnapshot(path: string, records: Iterable<SnapshotRecord>): Promise<void> {
  async function* lines() {
    for (const r of records) yield `${JSON.stringify(r)}\n`;
  }
  await pipeline(Readable.from(lines()), createGzip({ level: 9 }), createWriteStream(path));
}
