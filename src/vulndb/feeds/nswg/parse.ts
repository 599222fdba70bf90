import semver from 'semver';
import { z } from 'zod';
import type { ErrorCode } from '../../../core/errors.js';
import { cvssFromVector } from '../../cvss.js';
import { normalizePackageName } from '../../ecosystem.js';
import { type Advisory, AdvisorySchema, type Cvss } from '../../model.js';
import { repoFiles, type TreeLimits } from '../feed-io.js';
import { toRanges } from '../ranges.js';
import { clipText, FeedReporter } from '../reporter.js';
import type { FeedSink } from '../types.js';
import { NPM_ORDER, npmRangeIntervals } from './npm-range.js';

/**
 * nodejs/security-wg `vuln/npm/<n>.json`: the Node.js Security WG's ecosystem advisories
 * (NSWG-ECO-n, 2015–2019; the data behind the first `npm audit`). One JSON object per file.
 * https://github.com/nodejs/security-wg/tree/main/vuln/npm
 */

const Text = z.string().nullish();

export const NswgSchema = z.object({
  id: z.number().int().nonnegative(),
  created_at: Text,
  updated_at: Text,
  publish_date: Text,
  title: Text,
  module_name: z.string().min(1),
  cves: z.array(z.string()).nullish(),
  vulnerable_versions: z.string(),
  patched_versions: Text,
  references: z.array(z.string()).nullish(),
  cvss_vector: Text,
});

export const NSWG_LIMITS: TreeLimits = { maxDepth: 6, maxEntries: 200_000, maxEntryBytes: 1024 * 1024, maxTotalBytes: 1024 * 1024 * 1024 };

/** `…/npm/<n>.json` (the repository's `vuln/npm/`; `vuln/core/` is the runtime, not a package). */
const WANTED = /(^|\/)npm\/\d+\.json$/;

const rfc3339 = (d: string | null | undefined) => (!d ? undefined : /^\d{4}-\d{2}-\d{2}$/.test(d) ? `${d}T00:00:00Z` : d);

type Report = (code: ErrorCode, message: string) => void;

export function mapNswg(raw: unknown, report: Report): Advisory | undefined {
  const parsed = NswgSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    report('FEED_PARSE', `not an NSWG npm advisory: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`);
    return undefined;
  }
  const r = parsed.data;
  const id = `NSWG-ECO-${r.id}`;
  const vulnerable = npmRangeIntervals(r.vulnerable_versions);
  if (typeof vulnerable === 'string') {
    report('VERSION_INVALID', `${id}: vulnerable_versions: ${vulnerable}; advisory skipped`);
    return undefined;
  }
  let patched: semver.Range | undefined;
  try {
    patched = r.patched_versions ? new semver.Range(r.patched_versions, { includePrerelease: true }) : undefined;
  } catch {
    report('VERSION_INVALID', `${id}: patched_versions ${JSON.stringify(r.patched_versions?.slice(0, 100))} is not an npm version range; no bound is reported as a fix`);
  }
  const { ranges } = toRanges(vulnerable, NPM_ORDER, {
    type: 'ECOSYSTEM',
    // `<2.0.0` is a fix only if 2.0.0 is patched (`patched_versions: "<0.0.0"` means none is).
    isFix: (v) => patched?.test(v) ?? false,
  });
  const cvss: Cvss[] = [];
  if (r.cvss_vector) {
    const c = cvssFromVector(r.cvss_vector, 'nswg');
    if (c) cvss.push(c);
    else report('FEED_PARSE', `${id}: invalid CVSS vector ${JSON.stringify(r.cvss_vector.slice(0, 200))} skipped`);
  }
  const published = rfc3339(r.publish_date) ?? rfc3339(r.created_at);
  const modified = rfc3339(r.updated_at);
  const summary = clipText(r.title ?? undefined);
  const advisory = {
    id,
    source: 'nswg',
    aliases: (r.cves ?? []).filter((c) => c !== ''),
    ...(summary ? { summary } : {}),
    ...(published ? { published } : {}),
    ...(modified ? { modified } : {}),
    cvss,
    references: [
      { type: 'ADVISORY', url: `https://github.com/nodejs/security-wg/blob/main/vuln/npm/${r.id}.json` },
      ...(r.references ?? []).filter((u) => /^https?:\/\//.test(u)).map((url) => ({ type: 'WEB', url })),
    ],
    affected: [{ ecosystem: 'npm', name: normalizePackageName('npm', r.module_name), ranges }],
  };
  const valid = AdvisorySchema.safeParse(advisory);
  if (!valid.success) {
    report('FEED_PARSE', `${id}: does not fit the advisory model: ${valid.error.issues[0]?.message ?? 'invalid'}`);
    return undefined;
  }
  return valid.data;
}

export async function parseNswgDir(dir: string, sink: FeedSink, limits: TreeLimits = NSWG_LIMITS): Promise<void> {
  const rep = new FeedReporter(sink, 'nswg');
  for await (const f of repoFiles(dir, (name) => WANTED.test(name), limits, rep)) {
    let raw: unknown;
    try {
      raw = JSON.parse(f.data.toString('utf8'));
    } catch (e) {
      rep.problem('FEED_PARSE', `not valid JSON: ${(e as Error).message}`, f.path);
      continue;
    }
    const advisory = mapNswg(raw, (code, message) => rep.problem(code, message, f.path));
    rep.finishFile(f.path);
    if (advisory) sink.advisory(advisory);
  }
}
