import { readFile } from 'node:fs/promises';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import YAML from 'yaml';
import { listZip, readEntry } from '../../../catalog/java/zip.js';
import type { ErrorCode } from '../../../core/errors.js';
import { problem } from '../../../core/problem.js';
import { walkTree } from '../files.js';
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
  const report = (code: ErrorCode, message: string, path: string) => rep.problem(code, message, path);
  const unknown = new Map<string, number>();

  const decode = (data: Buffer, path: string, kind: Kind): unknown => {
    try {
      const text = data.toString('utf8').replace(/^\uFEFF/, '');
      // YAML's failsafe schema keeps every scalar a string: `1.10` stays a version, not 1.1.
      return kind === 'json' ? JSON.parse(text) : YAML.parse(text, { schema: 'failsafe' });
    } catch (e) {
      report('FEED_PARSE', `not valid ${kind.toUpperCase()}: ${(e as Error).message.split('\n')[0]}`, path);
      return undefined;
    }
  };
  const handle = (data: Buffer, path: string, kind: Kind) => {
    const raw = decode(data, path, kind);
    const advisory =
      raw === undefined
        ? undefined
        : mapRecord(raw, {
            problem: (code, message) => report(code, message, path),
            unknownEcosystem: (eco) => unknown.set(eco, (unknown.get(eco) ?? 0) + 1),
          });
    if (advisory) sink.advisory(advisory);
    rep.finishFile(path);
  };

  for await (const f of walkTree(dir, limits.maxDepth, (m, p) => report('FEED_PARSE', m, p))) {
    const kind: Kind | 'zip' | undefined = /\.json$/i.test(f.rel) ? 'json' : /\.ya?ml$/i.test(f.rel) ? 'yaml' : /\.zip$/i.test(f.rel) ? 'zip' : undefined;
    if (!kind) continue;
    if (kind === 'zip') {
      await parseZip(f.abs, f.rel, f.size, limits, handle, report);
      continue;
    }
    if (f.size > limits.maxFileBytes) {
      report('FEED_PARSE', `file is ${f.size} bytes, over the limit of ${limits.maxFileBytes}`, f.rel);
      continue;
    }
    const data = await readFile(f.abs).catch((e: Error) => e);
    if (data instanceof Error) report('FEED_PARSE', `cannot read file: ${data.message}`, f.rel);
    else handle(data, f.rel, kind);
  }
  for (const [eco, count] of [...unknown].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    sink.problem(problem('FEED_UNKNOWN_ECOSYSTEM', `${count} affected ${count === 1 ? 'entry' : 'entries'} in ecosystem ${JSON.stringify(eco)} skipped`, { source: 'osv' }));
  }
}

async function parseZip(
  abs: string,
  rel: string,
  size: number,
  limits: OsvLimits,
  handle: (data: Buffer, path: string, kind: Kind) => void,
  report: (code: ErrorCode, message: string, path: string) => void,
): Promise<void> {
  if (size > limits.maxZipBytes) {
    report('FEED_PARSE', `zip is ${size} bytes, over the limit of ${limits.maxZipBytes}`, rel);
    return;
  }
  const buf = await readFile(abs).catch((e: Error) => e);
  if (buf instanceof Error) return report('FEED_PARSE', `cannot read zip: ${buf.message}`, rel);
  const listing = listZip(buf, limits.maxZipEntries);
  if (!listing.ok) return report('FEED_PARSE', `unreadable zip: ${listing.error}`, rel);
  let budget = limits.maxZipInflatedBytes;
  let bad = 0;
  let n = 0;
  for (const entry of listing.entries) {
    // Members are never written anywhere, so a `../` name is only a label here.
    if (entry.name.endsWith('/') || !/\.json$/i.test(entry.name)) continue;
    const path = `${rel}!${entry.name}`;
    if (entry.size > limits.maxEntryBytes) {
      report('FEED_PARSE', `member declares ${entry.size} bytes, over the limit of ${limits.maxEntryBytes}`, path);
      if (++bad >= limits.maxZipProblems) return report('FEED_PARSE', `${bad} unreadable members; the rest of the zip was skipped`, rel);
      continue;
    }
    if (entry.size > budget) {
      report('FEED_PARSE', `members inflate to more than ${limits.maxZipInflatedBytes} bytes in total; the rest of the zip was skipped`, path);
      return;
    }
    const res = readEntry(buf, entry, Math.min(limits.maxEntryBytes, budget));
    if (!res.ok) {
      report('FEED_PARSE', `unreadable member: ${res.error}`, path);
      if (++bad >= limits.maxZipProblems) return report('FEED_PARSE', `${bad} unreadable members; the rest of the zip was skipped`, rel);
      continue;
    }
    budget -= res.data.length;
    handle(res.data, path, 'json');
    // Let other work (progress output, timers) run during a zip of a few hundred thousand records.
    if (++n % 1000 === 0) await yieldToLoop();
  }
}
