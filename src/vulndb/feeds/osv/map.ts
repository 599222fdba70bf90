import type { ErrorCode } from '../../../core/errors.js';
import { schemeById } from '../../../version/registry.js';
import type { VersionScheme } from '../../../version/types.js';
import { cvssFromVector } from '../../cvss.js';
import { advisoryScheme, normalizeEcosystem, normalizePackageName, schemeForEcosystem } from '../../ecosystem.js';
import { type AdvisoryInput, AdvisorySchema, type Cvss, type Range, type RangeEvent, type Rating, type Severity } from '../../model.js';
import { clipText, quote } from '../reporter.js';
import { OsvAffectedSchema, type OsvRange, OsvRecordSchema } from './schema.js';

/**
 * One OSV record → the advisory model. Field by field (https://ossf.github.io/osv-schema/):
 * ids, dates, references and withdrawn as they are; CVSS vectors scored by cvss.ts; GHSA's
 * text severity and CWE list from `database_specific`; `affected[]` with normalized ecosystem
 * and package names, GIT ranges dropped. The emitted advisory's `source` is the feed (`osv`);
 * the `source` of each rating and score names the database the record comes from (originOf).
 */

export interface MapContext {
  problem(code: ErrorCode, message: string): void;
  /** An affected entry was skipped because its ecosystem (or package) is not one we match. */
  unknownEcosystem(raw: string): void;
}

const ORIGINS: Readonly<Record<string, string>> = {
  GHSA: 'ghsa', PYSEC: 'pypa', GO: 'go', RUSTSEC: 'rustsec',
  DSA: 'debian', DLA: 'debian', DTSA: 'debian', DEBIAN: 'debian',
  UBUNTU: 'ubuntu', USN: 'ubuntu',
  ALSA: 'almalinux', ALBA: 'almalinux', ALEA: 'almalinux',
  RLSA: 'rocky', RXSA: 'rocky',
  BIT: 'bitnami', MAL: 'ossf',
};

/** The database an OSV id comes from, by its prefix (`GHSA-…` → `ghsa`); `osv` when unknown. */
export function originOf(id: string): string {
  const dash = id.indexOf('-');
  const prefix = dash < 0 ? id : id.slice(0, dash);
  return Object.hasOwn(ORIGINS, prefix) ? (ORIGINS[prefix] as string) : 'osv';
}

/** GitHub's four levels (https://docs.github.com/en/code-security/security-advisories). */
const GHSA_SEVERITY: Readonly<Record<string, Severity>> = { LOW: 'low', MODERATE: 'medium', HIGH: 'high', CRITICAL: 'critical' };
/** Ubuntu priorities (https://ubuntu.com/security/cves/about#priority); `untriaged` says nothing yet. */
const UBUNTU_SEVERITY: Readonly<Record<string, Severity>> = { negligible: 'negligible', low: 'low', medium: 'medium', high: 'high', critical: 'critical', untriaged: 'unknown' };

/** golang/vulndb's repository copy writes this where the served copy has the real date. */
const date = (d: string | null | undefined): string | undefined => (d && !d.startsWith('0001-01-01') ? d : undefined);

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x !== '') : []);

type AffectedInput = NonNullable<AdvisoryInput['affected']>[number];

export function mapRecord(raw: unknown, ctx: MapContext): AdvisoryInput | undefined {
  const parsed = OsvRecordSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    ctx.problem('FEED_PARSE', `not an OSV record: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`);
    return undefined;
  }
  const r = parsed.data;
  const origin = originOf(r.id);
  const cvss: Cvss[] = [];
  const ratings: Rating[] = [];
  const addCvss = (vector: string) => {
    const c = cvssFromVector(vector, origin);
    if (!c) ctx.problem('FEED_PARSE', `${r.id}: invalid CVSS vector ${JSON.stringify(vector.slice(0, 200))} skipped`);
    else if (!cvss.some((x) => x.vector === c.vector)) cvss.push(c);
  };
  for (const s of r.severity ?? []) {
    if (s.type === 'CVSS_V2' || s.type === 'CVSS_V3' || s.type === 'CVSS_V4') addCvss(s.score);
    else if (s.type === 'Ubuntu') {
      const rating = ubuntuRating(s.score, r.id, ctx);
      if (rating) ratings.push(rating);
    } else ctx.problem('FEED_PARSE', `${r.id}: unknown severity type ${JSON.stringify(s.type.slice(0, 50))} skipped`);
  }
  const dbs = r.database_specific;
  if (origin === 'ghsa' && dbs?.severity !== undefined && dbs.severity !== null) {
    const severity = typeof dbs.severity === 'string' ? GHSA_SEVERITY[dbs.severity] : undefined;
    if (severity) ratings.push({ severity, raw: dbs.severity as string, source: 'ghsa' });
    else ctx.problem('FEED_PARSE', `${r.id}: unknown GHSA severity ${quote(dbs.severity)}`);
  }

  const affected: AffectedInput[] = [];
  let skippedForEcosystem = 0;
  for (const [i, a] of (r.affected ?? []).entries()) {
    const m = mapAffected(a, r.id, i, ctx, addCvss);
    if (m === 'unknown') skippedForEcosystem++;
    else if (m) affected.push(m);
  }
  // A record about packages we cannot match at all (Hex, Pub, OSS-Fuzz…) is left out; the
  // skipped entries are counted in the parse's FEED_UNKNOWN_ECOSYSTEM problems.
  if (skippedForEcosystem > 0 && affected.length === 0) return undefined;

  const advisory: AdvisoryInput = {
    id: r.id,
    source: 'osv',
    aliases: strings(r.aliases),
    upstream: strings(r.upstream),
    related: strings(r.related),
    ...opt('summary', clipText(r.summary ?? undefined)),
    ...opt('published', date(r.published)),
    ...opt('modified', date(r.modified)),
    ...opt('withdrawn', date(r.withdrawn)),
    cvss,
    ratings,
    cwes: strings(dbs?.cwe_ids),
    references: (r.references ?? []).filter((x) => x.type !== '' && x.url !== ''),
    affected,
  };
  const valid = AdvisorySchema.safeParse(advisory);
  if (!valid.success) {
    const issue = valid.error.issues[0];
    ctx.problem('FEED_PARSE', `${r.id}: does not fit the advisory model: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`);
    return undefined;
  }
  return valid.data;
}

const opt = <K extends string>(key: K, v: string | undefined): Partial<Record<K, string>> => (v === undefined ? {} : ({ [key]: v } as Record<K, string>));

function ubuntuRating(score: string, id: string, ctx: MapContext): Rating | undefined {
  const severity = UBUNTU_SEVERITY[score.toLowerCase()];
  if (severity) return { severity, raw: score, source: 'ubuntu' };
  ctx.problem('FEED_PARSE', `${id}: unknown Ubuntu priority ${JSON.stringify(score.slice(0, 50))}`);
  return undefined;
}

function mapAffected(raw: unknown, id: string, index: number, ctx: MapContext, addCvss: (v: string) => void): AffectedInput | 'unknown' | undefined {
  const parsed = OsvAffectedSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    ctx.problem('FEED_PARSE', `${id}: affected[${index}] skipped: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`);
    return undefined;
  }
  const a = parsed.data;
  if (!a.package) {
    ctx.unknownEcosystem('(no package: GIT-only entry)');
    return 'unknown';
  }
  const ecosystem = normalizeEcosystem(a.package.ecosystem);
  if (!ecosystem) {
    ctx.unknownEcosystem(a.package.ecosystem);
    return 'unknown';
  }
  const schemeId = schemeForEcosystem(ecosystem);
  const scheme = schemeId ? advisoryScheme(schemeId) : undefined;
  const semver = schemeById('semver');
  const rating = (a.severity ?? []).flatMap((s) => {
    if (s.type === 'Ubuntu') return ubuntuRating(s.score, id, ctx) ?? [];
    if (s.type.startsWith('CVSS_')) addCvss(s.score);
    return [];
  })[0];
  const lastKnown = a.database_specific?.last_known_affected_version_range;
  const ranges: Range[] = [];
  for (const range of a.ranges ?? []) {
    if (range.type === 'GIT') continue;
    if (range.type !== 'SEMVER' && range.type !== 'ECOSYSTEM') {
      ctx.problem('FEED_PARSE', `${id}: ${a.package.name}: unknown range type ${JSON.stringify(range.type.slice(0, 50))} skipped`);
      continue;
    }
    const m = mapRange(range, range.type === 'SEMVER' ? semver : scheme, lastKnown, `${id}: ${a.package.name}`, ctx);
    if (m) ranges.push(m);
  }
  return {
    ecosystem,
    name: normalizePackageName(ecosystem, a.package.name),
    ranges,
    versions: a.versions ?? [],
    ...(rating ? { rating } : {}),
  };
}

function toEvent(e: OsvRange['events'][number]): RangeEvent {
  if (e.introduced !== undefined) return { introduced: e.introduced };
  if (e.fixed !== undefined) return { fixed: e.fixed };
  if (e.last_affected !== undefined) return { last_affected: e.last_affected };
  return { limit: e.limit as string };
}

const eventVersion = (e: RangeEvent): string => Object.values(e)[0] as string;

/**
 * Events as they are, except: a range whose bounds the ecosystem's scheme cannot read is dropped
 * (VERSION_INVALID: it cannot be ordered; OSV writes Go versions without golang.org/x/mod's
 * leading `v`), and GHSA's `last_known_affected_version_range`
 * closes an introduced-only range (`<= X` → last_affected, `< X` → limit, model.ts).
 */
function mapRange(range: OsvRange, scheme: VersionScheme | undefined, lastKnown: unknown, what: string, ctx: MapContext): Range | undefined {
  const events = range.events.map(toEvent);
  if (events.length === 0) {
    ctx.problem('FEED_PARSE', `${what}: ${range.type} range without events skipped`);
    return undefined;
  }
  if (lastKnown !== undefined && lastKnown !== null && events.every((e): boolean => 'introduced' in e)) {
    const m = typeof lastKnown === 'string' ? /^\s*(<=?)\s*(\S+)\s*$/.exec(lastKnown) : null;
    if (!m) ctx.problem('FEED_PARSE', `${what}: unreadable last_known_affected_version_range ${quote(lastKnown)}`);
    else events.push(m[1] === '<=' ? { last_affected: m[2] as string } : { limit: m[2] as string });
  }
  const bad = events.map(eventVersion).find((v) => v !== '0' && (v === '' || (scheme !== undefined && !scheme.isValid(v))));
  if (bad !== undefined) {
    ctx.problem('VERSION_INVALID', `${what}: ${range.type} range skipped: ${JSON.stringify(bad.slice(0, 100))} is not a valid ${range.type === 'SEMVER' ? 'SemVer' : (scheme?.id ?? '')} version`);
    return undefined;
  }
  return { type: range.type as Range['type'], events };
}
