import { setImmediate as yieldToLoop } from 'node:timers/promises';
import YAML from 'yaml';
import { listZip, readEntry } from '../../../catalog/java/zip.js';
import { problem } from '../../../core/problem.js';
import { readCapped, walkFiles } from '../feed-io.js';
import { FeedReporter } from '../reporter.js';
import type { FeedSink } from '../types.js';
import { mapRecord } from './map.js';

/**
 * Reads a directory of OSV records in every form they are published in: one JSON file per
 * record (OSV bucket, golang/vulndb, rustsec `osv` branch, github/advisory-database's
 * `advisories/…/GHSA-…/GHSA-….json` tree), YAML-serialized OSV (pypa/advisory-database), and
 * the bucket's per-ecosystem `all.zip` (flat `<ID>.json` members). Each zip is held in memory
 * while its members are inflated one at a time under the limits below.
 */

export interface OsvLimits {
  /** Directory levels walked below the feed directory (the GHSA tree needs 5). */
  readonly maxDepth: number;
  /** Largest single JSON / YAML record file. */
  readonly maxFileBytes: number;
  /** Largest all.zip read (a Buffer holds it: Node's readFile stops at 2 GiB). */
  readonly maxZipBytes: number;
  readonly maxZipEntries: number;
  /** Largest inflated member (one record). */
  readonly maxEntryBytes: number;
  /** Inflated bytes of all members of one zip together. */
  readonly maxZipInflatedBytes: number;
  /** Bad members tolerated in one zip before the rest of it is abandoned. */
  readonly maxZipProblems: number;
}

export const OSV_LIMITS: OsvLimits = {
  maxDepth: 12,
  maxFileBytes: 32 * 1024 * 1024,
  maxZipBytes: 2 * 1024 * 1024 * 1024 - 1,
  maxZipEntries: 2_000_000,
  maxEntryBytes: 32 * 1024 * 1024,
  maxZipInflatedBytes: 16 * 1024 * 1024 * 1024,
  maxZipProblems: 100,
};

type Kind = 'json' | 'yaml';

export async function parseOsvDir(dir: string, sink: FeedSink, limits: OsvLimits = OSV_LIMITS): Promise<void> {
  // At most 100 problems per file or zip member (reporter.ts): a hostile record cannot flood the sink.
  const rep = new FeedReporter(sink, 'osv');
  const unknown = new Map<string, number>();

  const decode = (data: Buffer, path: string, kind: Kind): unknown => {
    try {
      const text = data.toString('utf8').replace(/^\uFEFF/, '');
      // YAML's failsafe schema keeps every scalar a string: `1.10` stays a version, not 1.1.
      return kind === 'json' ? JSON.parse(text) : YAML.parse(text, { schema: 'failsafe' });
    } catch (e) {
      rep.problem('FEED_PARSE', `not valid ${kind.toUpperCase()}: ${(e as Error).message.split('\n')[0]}`, path);
      return undefined;
    }
  };
  const handle = (data: Buffer, path: string, kind: Kind) => {
    const raw = decode(data, path, kind);
    const advisory =
      raw === undefined
        ? undefined
        : mapRecord(raw, {
            problem: (code, message) => rep.problem(code, message, path),
            unknownEcosystem: (eco) => unknown.set(eco, (unknown.get(eco) ?? 0) + 1),
          });
    if (advisory) sink.advisory(advisory);
    rep.finishFile(path);
  };

  for await (const rel of walkFiles(dir, limits.maxDepth, rep)) {
    const kind: Kind | 'zip' | undefined = /\.json$/i.test(rel) ? 'json' : /\.ya?ml$/i.test(rel) ? 'yaml' : /\.zip$/i.test(rel) ? 'zip' : undefined;
    if (kind === 'zip') await parseZip(dir, rel, limits, handle, rep);
    else if (kind) {
      const data = await readCapped(dir, rel, limits.maxFileBytes, rep);
      if (data) handle(data, rel, kind);
    }
  }
  for (const [eco, count] of [...unknown].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    sink.problem(problem('FEED_UNKNOWN_ECOSYSTEM', `${count} affected ${count === 1 ? 'entry' : 'entries'} in ecosystem ${JSON.stringify(eco)} skipped`, { source: 'osv' }));
  }
}

async function parseZip(dir: string, rel: string, limits: OsvLimits, handle: (data: Buffer, path: string, kind: Kind) => void, rep: FeedReporter): Promise<void> {
  const buf = await readCapped(dir, rel, limits.maxZipBytes, rep, 'zip');
  if (!buf) return;
  const listing = listZip(buf, limits.maxZipEntries);
  if (!listing.ok) return rep.problem('FEED_PARSE', `unreadable zip: ${listing.error}`, rel);
  let budget = limits.maxZipInflatedBytes;
  let bad = 0;
  let n = 0;
  for (const entry of listing.entries) {
    // Members are never written anywhere, so a `../` name is only a label here.
    if (entry.name.endsWith('/') || !/\.json$/i.test(entry.name)) continue;
    const path = `${rel}!${entry.name}`;
    if (entry.size > limits.maxEntryBytes) {
      rep.problem('FEED_PARSE', `member declares ${entry.size} bytes, over the limit of ${limits.maxEntryBytes}`, path);
      if (++bad >= limits.maxZipProblems) return rep.problem('FEED_PARSE', `${bad} unreadable members; the rest of the zip was skipped`, rel);
      continue;
    }
    if (entry.size > budget) {
      rep.problem('FEED_PARSE', `members inflate to more than ${limits.maxZipInflatedBytes} bytes in total; the rest of the zip was skipped`, path);
      return;
    }
    const res = readEntry(buf, entry, Math.min(limits.maxEntryBytes, budget));
    if (!res.ok) {
      rep.problem('FEED_PARSE', `unreadable member: ${res.error}`, path);
      if (++bad >= limits.maxZipProblems) return rep.problem('FEED_PARSE', `${bad} unreadable members; the rest of the zip was skipped`, rel);
      continue;
    }
    budget -= res.data.length;
    handle(res.data, path, 'json');
    // Let other work (progress output, timers) run during a zip of a few hundred thousand records.
    if (++n % 1000 === 0) await yieldToLoop();
  }
}
