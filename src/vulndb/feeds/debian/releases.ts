import { normalizeEcosystem } from '../../ecosystem.js';
import type { AffectedStatus, Rating } from '../../model.js';
import { schemeById } from '../../../version/registry.js';
import { type FeedReporter, quote } from '../reporter.js';

/**
 * What the Debian security tracker says about one source package in one release, in any of its
 * three spellings (tracker JSON, data/CVE/list, DSA/DLA lists), and how that becomes an
 * Affected entry (SCANNER-NOTES §4.2).
 */

/** `<annotation>` words of data/CVE/list and the DSA/DLA lists. */
export const ANNOTATIONS = ['unfixed', 'no-dsa', 'ignored', 'postponed', 'end-of-life', 'not-affected', 'removed', 'itp', 'undetermined'] as const;
export type Annotation = (typeof ANNOTATIONS)[number];

export interface ReleaseFact {
  /** Codename as the tracker writes it (`bookworm`, `sid`). */
  readonly release: string;
  /** Source package. */
  readonly pkg: string;
  /** A fixed version; "0" means never affected. Wins over an annotation (trivy-db does the same). */
  readonly fixed?: string | undefined;
  readonly annotation?: Annotation | undefined;
  readonly note?: string | undefined;
  readonly urgency?: string | undefined;
}

/** The Affected shape this feed emits (defaults are filled by AdvisorySchema). */
export interface DebianAffected {
  ecosystem: string;
  name: string;
  ranges?: { type: 'ECOSYSTEM'; events: ({ introduced: string } | { fixed: string })[] }[];
  status: AffectedStatus;
  rating?: Rating;
  note?: string;
}

const STATUS_OF: Readonly<Record<Annotation, AffectedStatus | undefined>> = {
  unfixed: 'affected',
  'no-dsa': 'affected',
  ignored: 'will_not_fix',
  postponed: 'fix_deferred',
  'end-of-life': 'end_of_life',
  'not-affected': 'not_affected',
  // The package is not (or no longer) in the release: nothing to match.
  removed: undefined,
  itp: undefined,
  undetermined: undefined,
};

const URGENCY = /^(unimportant|low|medium|high)(\*{0,2})$/;

/**
 * Debian urgency → rating. `unimportant` is negligible (grype's reading; trivy says LOW), the
 * `*`/`**` suffixes (uncertain or derived urgency) keep their level; the raw word is kept.
 */
export function urgencyRating(raw: string | undefined): Rating | undefined {
  if (raw === undefined || raw === '') return undefined;
  const m = URGENCY.exec(raw);
  const level = m?.[1];
  const severity = level === undefined ? 'unknown' : level === 'unimportant' ? 'negligible' : (level as Rating['severity']);
  return { severity, raw, source: 'debian' };
}

/** True when `word` is a tracker urgency (used to tell urgency from a note in parentheses). */
export function isUrgency(word: string): boolean {
  return URGENCY.test(word) || word === 'not yet assigned';
}

const deb = schemeById('deb');

/** `Debian:<n>` for a codename, or undefined (and one problem per codename) for an unknown one. */
export function debianEcosystem(release: string, rep: FeedReporter, path: string): string | undefined {
  const eco = normalizeEcosystem(`Debian:${release}`);
  if (eco === undefined || !/^Debian:(\d+|sid)$/.test(eco) || !/^[a-z]+$/.test(release)) {
    rep.once(`release:${release}`, 'FEED_UNKNOWN_ECOSYSTEM', `unknown Debian release ${quote(release)}; its entries were skipped`, path);
    return undefined;
  }
  return eco;
}

/** The Affected entry for one fact, or undefined when there is nothing to match (with a problem when it is bad data). */
export function toAffected(f: ReleaseFact, rep: FeedReporter, path: string): DebianAffected | undefined {
  const ecosystem = debianEcosystem(f.release, rep, path);
  if (ecosystem === undefined) return undefined;
  const base: DebianAffected = { ecosystem, name: f.pkg, status: 'affected' };
  const rating = urgencyRating(f.urgency);
  if (rating) base.rating = rating;
  if (f.note) base.note = f.note;
  if (f.fixed !== undefined && f.fixed !== '') {
    if (f.fixed === '0') return { ...base, status: 'not_affected' };
    if (!deb?.isValid(f.fixed)) {
      rep.problem('VERSION_INVALID', `${f.pkg} in ${f.release}: fixed version ${quote(f.fixed)} is not a valid dpkg version`, path);
      return undefined;
    }
    return { ...base, status: 'fixed', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: f.fixed }] }] };
  }
  const status = f.annotation === undefined ? undefined : STATUS_OF[f.annotation];
  if (status === undefined) return undefined;
  return { ...base, status };
}

/** Parses `<word>` into an annotation, or undefined for an unknown word. */
export function annotationOf(word: string): Annotation | undefined {
  const m = /^<([a-z-]+)>$/.exec(word);
  return m && (ANNOTATIONS as readonly string[]).includes(m[1] as string) ? (m[1] as Annotation) : undefined;
}

/** Debian source package names (Debian Policy §5.6.1); anything else is refused. */
export const SOURCE_PACKAGE = /^[a-z0-9][a-z0-9+.-]+$/;

/** CVE ids the tracker assigns (placeholders such as CVE-2023-XXXX and TEMP-… ids are not matched). */
export const CVE_ID = /^CVE-\d{4}-\d{4,}$/;
