import YAML from 'yaml';
import { z } from 'zod';
import type { ErrorCode } from '../../../core/errors.js';
import { severityFromScore } from '../../cvss.js';
import { type Advisory, type AdvisoryInput, AdvisorySchema, type Rating } from '../../model.js';
import { repoFiles, type TreeLimits } from '../feed-io.js';
import { complement, contains, type Interval, normalize, toRanges } from '../ranges.js';
import { clipText, FeedReporter } from '../reporter.js';
import type { FeedSink } from '../types.js';
import { GEM_ORDER, requirementIntervals } from './requirement.js';

/**
 * rubysec/ruby-advisory-db (https://github.com/rubysec/ruby-advisory-db): one YAML file per
 * advisory under `gems/<gem>/`. A version is vulnerable when it satisfies none of
 * `patched_versions` and none of `unaffected_versions` (bundler-audit's `vulnerable?`), so the
 * affected ranges are the complement of their union, in RubyGems order.
 */

/** YAML 1.2 reads `cve: 2019-15224` and `date: 2019-08-19` as strings; `osvdb: 95749` is a number. */
const Id = z.union([z.string().min(1), z.number().int().nonnegative()]).transform(String);
const Score = z.number().min(0).max(10).nullish();

export const RubysecSchema = z.object({
  gem: z.string().min(1),
  cve: Id.nullish(),
  ghsa: Id.nullish(),
  osvdb: Id.nullish(),
  url: z.string().nullish(),
  title: z.string().nullish(),
  date: z.string().nullish(),
  cvss_v2: Score,
  cvss_v3: Score,
  cvss_v4: Score,
  patched_versions: z.array(z.string()).nullish(),
  unaffected_versions: z.array(z.string()).nullish(),
  related: z
    .object({ cve: z.array(Id).nullish(), ghsa: z.array(Id).nullish(), osvdb: z.array(Id).nullish(), url: z.array(z.string()).nullish() })
    .nullish(),
});
export type RubysecAdvisory = z.infer<typeof RubysecSchema>;

export const RUBYSEC_LIMITS: TreeLimits = { maxDepth: 6, maxEntries: 200_000, maxEntryBytes: 1024 * 1024, maxTotalBytes: 1024 * 1024 * 1024 };

/** `gems/<gem>/<ID>.yml` anywhere in the tree or archive; `rubies/` (interpreters) are not read. */
const WANTED = /(^|\/)gems\/[^/]+\/[^/]+\.ya?ml$/;

const cveId = (n: string) => (/^CVE-/i.test(n) ? n.toUpperCase() : `CVE-${n}`);
const ghsaId = (n: string) => (/^GHSA-/i.test(n) ? `GHSA-${n.slice(5)}` : `GHSA-${n}`);
const osvdbId = (n: string) => (/^OSVDB-/i.test(n) ? n.toUpperCase() : `OSVDB-${n}`);
const rfc3339 = (d: string) => (/^\d{4}-\d{2}-\d{2}$/.test(d) ? `${d}T00:00:00Z` : d);

type Report = (code: ErrorCode, message: string) => void;

/** The advisory, or undefined (with a problem) when the file is not a RubySec advisory. */
export function mapRubysec(raw: unknown, fileId: string, report: Report): Advisory | undefined {
  const parsed = RubysecSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    report('FEED_PARSE', `not a RubySec advisory: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`);
    return undefined;
  }
  const r = parsed.data;
  const ids = [r.ghsa && ghsaId(r.ghsa), r.cve && cveId(r.cve), r.osvdb && osvdbId(r.osvdb)].filter((x): x is string => !!x);
  const id = ids[0] ?? fileId;

  const patched = unionOf(r.patched_versions);
  const unaffected = unionOf(r.unaffected_versions);
  if (typeof patched === 'string' || typeof unaffected === 'string') {
    const why = typeof patched === 'string' ? `patched_versions: ${patched}` : `unaffected_versions: ${unaffected as string}`;
    report('VERSION_INVALID', `${id}: ${why}; advisory skipped`);
    return undefined;
  }
  const { ranges } = toRanges(complement([...patched, ...unaffected], GEM_ORDER), GEM_ORDER, {
    type: 'ECOSYSTEM',
    // Where an affected stretch ends in a patched release, that release is the fix; where it
    // ends in an unaffected one (a later line that never had the bug), it is only a limit.
    isFix: (v) => patched.some((i) => contains(i, v, GEM_ORDER)),
  });

  const rel = r.related;
  const summary = clipText(r.title ?? undefined);
  const advisory: AdvisoryInput = {
    id,
    source: 'rubysec',
    aliases: ids.filter((x) => x !== id),
    related: [...(rel?.cve ?? []).map(cveId), ...(rel?.ghsa ?? []).map(ghsaId), ...(rel?.osvdb ?? []).map(osvdbId)].filter((x) => !ids.includes(x)),
    ...(summary ? { summary } : {}),
    ...(r.date ? { published: rfc3339(r.date) } : {}),
    ratings: rating(r),
    references: [...(r.url ? [{ type: 'ADVISORY', url: r.url }] : []), ...(rel?.url ?? []).filter((u) => u && u !== r.url).map((url) => ({ type: 'WEB', url }))],
    affected: [{ ecosystem: 'RubyGems', name: r.gem, ranges }],
  };
  const valid = AdvisorySchema.safeParse(advisory);
  if (!valid.success) {
    report('FEED_PARSE', `${id}: does not fit the advisory model: ${valid.error.issues[0]?.message ?? 'invalid'}`);
    return undefined;
  }
  return valid.data;
}

/** The union of a list of requirement strings, or the first one that cannot be read. */
function unionOf(list: readonly string[] | null | undefined): Interval[] | string {
  const union: Interval[] = [];
  for (const req of list ?? []) {
    const intervals = requirementIntervals(req);
    if (typeof intervals === 'string') return intervals;
    union.push(...intervals);
  }
  return normalize(union, GEM_ORDER);
}

/** RubySec records base scores, not vectors: the newest CVSS version's score rates the advisory. */
function rating(r: RubysecAdvisory): Rating[] {
  for (const key of ['cvss_v4', 'cvss_v3', 'cvss_v2'] as const) {
    const score = r[key];
    if (score !== undefined && score !== null) return [{ severity: severityFromScore(score), raw: `${key} ${score}`, source: 'rubysec' }];
  }
  return [];
}

/**
 * Several gems can share one advisory (CVE-2019-15224: eleven backdoored gems, one GHSA): their
 * files are merged into one record with one affected entry per gem, since the database keeps a
 * single record per (source, id). The whole database is a few thousand small records, so they
 * are held until the walk ends.
 */
export async function parseRubysecDir(dir: string, sink: FeedSink, limits: TreeLimits = RUBYSEC_LIMITS): Promise<void> {
  const rep = new FeedReporter(sink, 'rubysec');
  const byId = new Map<string, Advisory>();
  for await (const f of repoFiles(dir, (name) => WANTED.test(name), limits, rep)) {
    let raw: unknown;
    try {
      raw = YAML.parse(f.data.toString('utf8'));
    } catch (e) {
      rep.problem('FEED_PARSE', `not valid YAML: ${(e as Error).message.split('\n')[0]}`, f.path);
      continue;
    }
    const fileId = (f.name.split('/').pop() ?? f.name).replace(/\.ya?ml$/, '');
    const advisory = mapRubysec(raw, fileId, (code, message) => rep.problem(code, message, f.path));
    rep.finishFile(f.path);
    if (!advisory) continue;
    const seen = byId.get(advisory.id);
    byId.set(advisory.id, seen ? merge(seen, advisory) : advisory);
  }
  for (const a of byId.values()) sink.advisory(a);
}

const union = <T>(a: readonly T[], b: readonly T[], key: (x: T) => string = String): T[] => {
  const keys = new Set(a.map(key));
  return [...a, ...b.filter((x) => !keys.has(key(x)))];
};

const RANK = { unknown: 0, negligible: 1, low: 2, medium: 3, high: 4, critical: 5 } as const;

/** The first file's text and date; every gem, id, reference, and the highest rating. */
function merge(a: Advisory, b: Advisory): Advisory {
  const ratings = [...a.ratings, ...b.ratings].sort((x, y) => RANK[y.severity] - RANK[x.severity]).slice(0, 1);
  return {
    ...a,
    aliases: union(a.aliases, b.aliases),
    related: union(a.related, b.related).filter((x) => !a.aliases.includes(x) && !b.aliases.includes(x)),
    ratings,
    references: union(a.references, b.references, (r) => r.url),
    affected: union(a.affected, b.affected, (x) => JSON.stringify(x)),
  };
}
