import { schemeById } from '../../../version/registry.js';
import { cvssFromVector } from '../../cvss.js';
import type { AdvisoryInput, AffectedStatus, Cvss, Rating } from '../../model.js';
import { clipText, type FeedReporter, quote } from '../reporter.js';
import { ubuntuEcosystem } from './releases.js';

/**
 * One Ubuntu CVE Tracker file (`active/CVE-…`, `retired/CVE-…`): RFC 822-like fields
 * (Candidate, PublicDate, References, Description, Priority, CVSS, …), continuation lines
 * indented, then per source package `<release>_<pkg>: <status> (<version or note>)`.
 * https://git.launchpad.net/ubuntu-cve-tracker/tree/README (format), SCANNER-NOTES §4.5.
 */

const CVE_ID = /^CVE-\d{4}-\d{4,}$/;
const FIELD = /^([A-Za-z][A-Za-z0-9_./+-]*):(.*)$/;
const RELEASE_KEY = /^([a-z][a-z0-9/.+-]*)_([a-z0-9][a-z0-9+.-]*)$/;
const STATUS = /^(\S+)(?:\s+\((.*)\))?\s*$/;
const PRIORITIES: Readonly<Record<string, Rating['severity']>> = { negligible: 'negligible', low: 'low', medium: 'medium', high: 'high', critical: 'critical', untriaged: 'unknown' };
/** `ignored` reasons that mean the release is out of support (still vulnerable), not a decision. */
const END_OF_LIFE = /end[- ]of[- ]life|end of (standard )?support|out of standard support/i;

const deb = schemeById('deb');

interface UbuntuAffected {
  ecosystem: string;
  name: string;
  status: AffectedStatus;
  ranges?: { type: 'ECOSYSTEM'; events: ({ introduced: string } | { fixed: string })[] }[];
  rating?: Rating;
  note?: string;
}

export function priorityRating(value: string): Rating {
  const raw = value.trim().split(/\s+/)[0] ?? '';
  return { severity: PRIORITIES[raw] ?? 'unknown', raw, source: 'ubuntu' };
}

/** `2020-12-08 16:15:00 UTC` or `2015-02-23` → RFC 3339; undefined otherwise. */
export function uctDate(s: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2})?)(?:\s*(?:UTC|Z))?)?$/.exec(s.trim());
  if (!m) return undefined;
  const time = m[2] ? (m[2].length === 5 ? `${m[2]}:00` : m[2]) : '00:00:00';
  const iso = `${m[1]}T${time}Z`;
  return Number.isNaN(Date.parse(iso)) ? undefined : iso;
}

/** Splits the text into fields; continuation lines are joined to their field with a newline. */
function fields(text: string): [string, string][] {
  const out: [string, string][] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    if (/^\s/.test(line)) {
      const last = out.at(-1);
      if (last && line.trim() !== '') last[1] += `\n${line.trim()}`;
      continue;
    }
    const m = FIELD.exec(line);
    if (m) out.push([m[1] as string, (m[2] as string).trim()]);
  }
  return out;
}

/** A status line → entry fields, or a reason to skip it (undefined = silently). */
function statusEntry(value: string): Omit<UbuntuAffected, 'ecosystem' | 'name' | 'rating'> | { bad: string } | undefined {
  const m = STATUS.exec(value);
  if (!m) return { bad: `cannot read status ${quote(value)}` };
  const word = m[1] as string;
  const paren = m[2]?.trim();
  const note = paren ? { note: clipText(paren) as string } : {};
  switch (word) {
    case 'released':
    case 'released-esm': {
      const version = (paren ?? '').split(/[\s,]+/).find((t) => t !== '' && deb?.isValid(t));
      if (!version) return { bad: `released without a valid version (${quote(paren ?? '')})` };
      return { status: 'fixed', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: version }] }] };
    }
    case 'needed':
    case 'pending':
    case 'active':
      return { status: 'affected', ...note };
    case 'deferred':
      return { status: 'fix_deferred', ...note };
    case 'ignored':
      return { status: paren && END_OF_LIFE.test(paren) ? 'end_of_life' : 'will_not_fix', ...note };
    case 'not-affected':
      return { status: 'not_affected', ...note };
    case 'needs-triage':
      return { status: 'under_investigation', ...note };
    case 'DNE':
      return undefined; // the package does not exist in that release
    default:
      return { bad: `unknown status ${quote(word)}` };
  }
}

/** Parses one UCT file; undefined when it names no Ubuntu release (problems are recorded). */
export function parseUct(text: string, fileName: string, rel: string, rep: FeedReporter): AdvisoryInput | undefined {
  const all = fields(text);
  const get = (k: string) => all.find(([key]) => key === k)?.[1];
  const candidate = get('Candidate') ?? '';
  const id = CVE_ID.test(candidate) ? candidate : CVE_ID.test(fileName) ? fileName : undefined;
  if (!id) {
    rep.problem('FEED_PARSE', `no CVE id in Candidate (${quote(candidate)}) or the file name`, rel);
    return undefined;
  }
  const pkgPriority = new Map<string, string>();
  for (const [k, v] of all) if (k.startsWith('Priority_') && v !== '') pkgPriority.set(k.slice('Priority_'.length), v);
  const affected: UbuntuAffected[] = [];
  for (const [key, value] of all) {
    const m = RELEASE_KEY.exec(key);
    if (!m) continue;
    const [, release, name] = m as unknown as [string, string, string];
    const eco = ubuntuEcosystem(release);
    if ('skip' in eco) {
      if (eco.skip === 'unknown') rep.once(`release:${release}`, 'FEED_UNKNOWN_ECOSYSTEM', `Ubuntu release ${quote(release)} is not in the codename table; its entries were skipped`, rel);
      continue;
    }
    const entry = statusEntry(value);
    if (entry === undefined) continue;
    if ('bad' in entry) {
      rep.problem('FEED_PARSE', `${id} ${release}_${name}: ${entry.bad}; skipped`, rel);
      continue;
    }
    const priority = pkgPriority.get(`${name}_${release}`) ?? pkgPriority.get(name);
    affected.push({ ecosystem: eco.ecosystem, name, ...entry, ...(priority ? { rating: priorityRating(priority) } : {}) });
  }
  if (affected.length === 0) return undefined;

  const cvss: Cvss[] = [];
  for (const line of (get('CVSS') ?? '').split('\n')) {
    const c = /^([a-z0-9-]+):\s*(\S+)/i.exec(line.trim());
    const parsed = c ? cvssFromVector(c[2] as string, c[1] as string) : undefined;
    if (parsed) cvss.push(parsed);
  }
  const urls = (get('References') ?? '').split(/\s+/).filter((u) => /^https?:\/\/\S+$/.test(u));
  const priority = get('Priority');
  const published = uctDate(get('PublicDate') ?? '');
  const summary = clipText(get('Description') || get('Ubuntu-Description'));
  return {
    id,
    source: 'ubuntu',
    ...(summary ? { summary } : {}),
    ...(published ? { published } : {}),
    cvss,
    ratings: priority ? [priorityRating(priority)] : [],
    references: [{ type: 'ADVISORY', url: `https://ubuntu.com/security/${id}` }, ...[...new Set(urls)].map((url) => ({ type: 'WEB', url }))],
    affected,
  };
}
