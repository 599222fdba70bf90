import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { JSONParser } from '@streamparser/json';
import { z } from 'zod';
import { clipText, type FeedReporter, quote } from '../reporter.js';
import type { IdGrouper } from './grouper.js';
import { CVE_ID, type DebianAffected, type ReleaseFact, SOURCE_PACKAGE, toAffected } from './releases.js';

/**
 * https://security-tracker.debian.org/tracker/data/json: one object keyed by source package,
 * then by CVE id, then by release codename. The document is ~80 MB and growing, so it is read
 * with a streaming tokenizer (@streamparser/json) that hands over one package's subtree at a
 * time; the per-CVE advisories are assembled by an IdGrouper that spills to disk.
 */

/** What one CVE contributes from one package: the grouper merges these per CVE id. */
export interface CveFragment {
  summary?: string;
  affected: DebianAffected[];
}

export interface TrackerJsonOptions {
  /** Largest subtree of one package (bytes of JSON); the linux package is ~10 MB today. */
  readonly maxPackageBytes: number;
}

export const DEFAULT_TRACKER_OPTIONS: TrackerJsonOptions = { maxPackageBytes: 256 * 1024 * 1024 };

const ReleaseSchema = z.object({
  status: z.string(),
  fixed_version: z.string().optional(),
  urgency: z.string().optional(),
  nodsa: z.string().optional(),
  nodsa_reason: z.string().optional(),
});

const CveSchema = z.object({
  description: z.string().optional(),
  // The tracker writes `[]` instead of `{}` for a CVE without releases.
  releases: z.union([z.record(z.string(), ReleaseSchema), z.array(z.never())]),
});

/** The tracker's per-release status → a ReleaseFact (SCANNER-NOTES §4.2), or undefined to skip. */
export function releaseFact(release: string, pkg: string, r: z.infer<typeof ReleaseSchema>): ReleaseFact | 'skip' | 'bad' {
  const base = { release, pkg, urgency: r.urgency, note: clipText(r.nodsa) };
  // A fixed version wins over no-dsa/postponed: those annotations are often stale (trivy-db too).
  if (r.fixed_version !== undefined && r.fixed_version !== '') return { ...base, fixed: r.fixed_version };
  switch (r.status) {
    case 'undetermined':
      return 'skip';
    case 'resolved':
      return 'bad'; // resolved needs a fixed version
    case 'open':
      if (r.urgency === 'end-of-life') return { ...base, annotation: 'end-of-life' };
      if (r.nodsa_reason === 'ignored') return { ...base, annotation: 'ignored' };
      if (r.nodsa_reason === 'postponed') return { ...base, annotation: 'postponed' };
      return { ...base, annotation: r.nodsa !== undefined ? 'no-dsa' : 'unfixed' };
    default:
      return 'bad';
  }
}

/** Adds the CVE fragments of one package subtree to the grouper. */
async function addPackage(pkg: string, value: unknown, grouper: IdGrouper<CveFragment>, rep: FeedReporter, path: string): Promise<void> {
  if (!SOURCE_PACKAGE.test(pkg)) return rep.problem('FEED_PARSE', `${quote(pkg)} is not a Debian source package name; skipped`, path);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return rep.problem('FEED_PARSE', `package ${pkg} is not an object keyed by CVE id; skipped`, path);
  for (const [id, raw] of Object.entries(value)) {
    if (!CVE_ID.test(id)) continue; // TEMP-… ids have no stable identity
    const parsed = CveSchema.safeParse(raw);
    if (!parsed.success) {
      rep.problem('FEED_PARSE', `${pkg} ${id}: ${parsed.error.issues[0]?.message ?? 'invalid'} at ${parsed.error.issues[0]?.path.join('.') ?? ''}; skipped`, path);
      continue;
    }
    const affected: DebianAffected[] = [];
    const releases = Array.isArray(parsed.data.releases) ? {} : parsed.data.releases;
    for (const [release, r] of Object.entries(releases)) {
      const fact = releaseFact(release, pkg, r);
      if (fact === 'skip') continue;
      if (fact === 'bad') {
        rep.problem('FEED_PARSE', `${pkg} ${id} ${release}: status ${quote(r.status)} without a fixed version; skipped`, path);
        continue;
      }
      const a = toAffected(fact, rep, path);
      if (a) affected.push(a);
    }
    if (affected.length === 0) continue;
    const summary = clipText(parsed.data.description);
    await grouper.add(id, summary === undefined ? { affected } : { summary, affected });
  }
}

/** Streams one tracker JSON file into the grouper; damage is a problem, what came before it is kept. */
export async function readTrackerJson(dir: string, rel: string, grouper: IdGrouper<CveFragment>, rep: FeedReporter, opts = DEFAULT_TRACKER_OPTIONS): Promise<void> {
  const parser = new JSONParser({ paths: ['$.*'], keepStack: false });
  const ready: [string, unknown][] = [];
  let sinceValue = 0;
  let sawStart = false;
  parser.onValue = ({ value, key }) => {
    sinceValue = 0;
    if (typeof key === 'string') ready.push([key, value]);
  };
  try {
    for await (const chunk of createReadStream(join(dir, rel), { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
      if (!sawStart) {
        const first = chunk.toString('latin1').trimStart()[0];
        if (first === undefined) continue;
        sawStart = true;
        if (first !== '{') return rep.problem('FEED_PARSE', 'not a tracker JSON document (an object keyed by source package)', rel);
      }
      sinceValue += chunk.length;
      parser.write(chunk);
      if (sinceValue > opts.maxPackageBytes) {
        return rep.problem('FEED_PARSE', `one package's subtree is larger than ${opts.maxPackageBytes} bytes; the rest of the file was skipped`, rel);
      }
      for (const [pkg, value] of ready.splice(0)) await addPackage(pkg, value, grouper, rep, rel);
    }
    if (!sawStart) return rep.problem('FEED_PARSE', 'empty file', rel);
    // The parser ends by itself after the top-level object; if it has not, the file was cut.
    if (!parser.isEnded) parser.end();
  } catch (err) {
    for (const [pkg, value] of ready.splice(0)) await addPackage(pkg, value, grouper, rep, rel);
    const msg = (err as Error).message;
    rep.problem('FEED_PARSE', `${/ended|end|incomplete/i.test(msg) ? 'truncated or ' : ''}invalid JSON: ${msg.slice(0, 200)}`, rel);
  }
}
