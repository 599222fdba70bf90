import { FINDING_SEVERITIES } from '../../core/finding.js';
import { dayNumber } from '../dates.js';
import type { PolicyFinding } from '../input.js';
import type { Pool } from '../pool.js';

/**
 * The per-finding facts criteria read, taken from the finding objects in ONE pass per
 * evaluation and kept in columns (typed arrays, or plain arrays of strings), so that the 50
 * rules of a policy compare numbers instead of each walking a thousand objects. Findings come
 * in many object shapes (optional kev, epss, fixPublished…), which makes every property read
 * slow; reading each fact once is most of the saving. Only the facts some criterion of the
 * evaluation needs are read (`FACTS` flags, declared by each finding test).
 *
 * The columns live in the evaluation's pool (../pool.ts): nothing may keep them after the
 * evaluation (evidence reads the finding objects).
 */

export const FACTS = {
  severity: 1,
  /** Whether a fix exists (`hasFix`, `fixCount`). */
  fix: 2,
  published: 4,
  kev: 8,
  epss: 16,
  cvss: 32,
  aliases: 64,
  id: 128,
  packageName: 256,
  purl: 512,
  packageType: 1024,
  /** The day a fix became known (`fixDay`). */
  fixDate: 2048,
} as const;

/** A day column's value before it is read (real values are whole numbers, NaN or +Infinity). */
export const UNDECIDED = Number.NEGATIVE_INFINITY;

/** Severity codes: the position in FINDING_SEVERITIES (lowest first), OTHER for any other text. */
export const SEVERITY_OTHER = 255;

function severityCode(s: string): number {
  // The common severities first; a chain of comparisons beats a keyed lookup here.
  if (s === 'high') return 4;
  if (s === 'medium') return 3;
  if (s === 'low') return 2;
  if (s === 'critical') return 5;
  if (s === 'unknown') return 0;
  if (s === 'negligible') return 1;
  return SEVERITY_OTHER;
}

if (FINDING_SEVERITIES.some((s, i) => severityCode(s) !== i)) throw new Error('severityCode is out of step with FINDING_SEVERITIES');

/** Every CVSS score of every finding, flattened: finding i's are positions start[i] … start[i + 1] - 1. */
export interface CvssColumns {
  /** Per finding: its highest score, -1 when it has none (for criteria on any version and source). */
  readonly max: Float64Array;
  readonly start: Int32Array;
  readonly score: Float64Array;
  /** Index into `versions` / `sources` (the distinct values of this evaluation). */
  readonly version: Int32Array;
  readonly source: Int32Array;
  readonly versions: readonly string[];
  /** Lower-cased. */
  readonly sources: readonly string[];
}

/** Position of `s` in `list`, appending it when new (lists of a handful of distinct values). */
function intern(list: string[], s: string): number {
  for (let k = 0; k < list.length; k++) if (list[k] === s) return k;
  list.push(s);
  return list.length - 1;
}

export class FindingFacts {
  readonly n: number;
  /** Severity code per finding (see SEVERITY_OTHER). */
  readonly severity: Uint8Array;
  /** 1 when a fixed version exists. */
  readonly hasFix: Uint8Array;
  /** How many fixed versions; -1 when `fixedVersions` is not a list (CEL gives up on it). */
  readonly fixCount: Int32Array;
  /**
   * The UTC day the fix became known (`fixPublished`, else `published`): NaN when unknown,
   * +Infinity when there is no fix, so "fix older than N days" is one comparison. UNDECIDED
   * until `decideFixDay` reads it.
   */
  readonly fixDay: Float64Array;
  /** The UTC day the vulnerability was published, NaN when unknown; UNDECIDED until `decidePublishedDay` reads it. */
  readonly publishedDay: Float64Array;
  readonly kev: Uint8Array;
  /** EPSS score and percentile, -1 when the finding has none. */
  readonly epssScore: Float64Array;
  readonly epssPercentile: Float64Array;
  readonly aliases: (readonly string[])[];
  readonly ids: string[];
  readonly names: string[];
  readonly purls: string[];
  readonly types: string[];
  #cvss: CvssColumns | undefined;
  readonly #cvssLists: PolicyFinding['cvss'][];

  constructor(
    readonly findings: readonly PolicyFinding[],
    readonly nowDay: number,
    readonly pool: Pool,
    readonly want: number,
  ) {
    const n = findings.length;
    this.n = n;
    const fix = (want & (FACTS.fix | FACTS.fixDate)) !== 0;
    this.severity = want & FACTS.severity ? pool.u8() : EMPTY_U8;
    this.hasFix = fix ? pool.u8() : EMPTY_U8;
    this.fixCount = fix ? pool.i32() : EMPTY_I32;
    this.fixDay = want & FACTS.fixDate ? pool.f64() : EMPTY_F64;
    // Published days are also the fallback of fix days.
    this.publishedDay = want & (FACTS.published | FACTS.fixDate) ? pool.f64() : EMPTY_F64;
    this.publishedDay.fill(UNDECIDED, 0, n);
    this.kev = want & FACTS.kev ? pool.u8() : EMPTY_U8;
    this.epssScore = want & FACTS.epss ? pool.f64() : EMPTY_F64;
    this.epssPercentile = want & FACTS.epss ? pool.f64() : EMPTY_F64;
    this.#cvssLists = want & FACTS.cvss ? pool.refs() : [];
    this.aliases = want & FACTS.aliases ? pool.refs() : [];
    this.ids = want & FACTS.id ? pool.refs() : [];
    this.names = want & FACTS.packageName ? pool.refs() : [];
    this.purls = want & FACTS.purl ? pool.refs() : [];
    this.types = want & FACTS.packageType ? pool.refs() : [];
    for (let i = 0; i < n; i++) {
      const f = findings[i] as PolicyFinding;
      if (want & FACTS.severity) this.severity[i] = severityCode(f.severity);
      let fixed = false;
      if (fix) {
        const fv = f.fixedVersions;
        fixed = fv != null && fv.length > 0;
        this.hasFix[i] = fixed ? 1 : 0;
        this.fixCount[i] = Array.isArray(fv) ? fv.length : -1;
      }
      // Dates are parsed when a criterion first asks (decideFixDay, decidePublishedDay): only for
      // the findings that pass a rule's cheaper tests, about half of them in a typical policy.
      if (want & FACTS.fixDate) this.fixDay[i] = fixed ? UNDECIDED : Number.POSITIVE_INFINITY;
      if (want & FACTS.kev) this.kev[i] = f.kev !== undefined ? 1 : 0;
      if (want & FACTS.epss) {
        const e = f.epss;
        this.epssScore[i] = e === undefined ? -1 : e.score;
        this.epssPercentile[i] = e === undefined ? -1 : e.percentile;
      }
      if (want & FACTS.cvss) this.#cvssLists[i] = f.cvss;
      if (want & FACTS.aliases) this.aliases[i] = f.aliases;
      if (want & FACTS.id) this.ids[i] = f.id;
      if (want & (FACTS.packageName | FACTS.purl | FACTS.packageType)) {
        // A finding without a package object (only through a cast) leaves undefined here: CEL gives up on it.
        const pk = f.package;
        const p = typeof pk === 'object' && pk !== null ? pk : NO_PACKAGE;
        if (want & FACTS.packageName) this.names[i] = p.name;
        if (want & FACTS.purl) this.purls[i] = p.purl;
        if (want & FACTS.packageType) this.types[i] = p.type;
      }
    }
  }

  /**
   * Reads fixDay[i] from the finding (on first use; criteria then read the column). Returns
   * nothing: a double returned from a call is boxed, and this runs for hundreds of findings.
   */
  decideFixDay(i: number): void {
    const fp = (this.findings[i] as PolicyFinding).fixPublished;
    let d = fp ? dayNumber(fp) : Number.NaN;
    if (d !== d) {
      if (this.publishedDay[i] === UNDECIDED) this.decidePublishedDay(i);
      d = this.publishedDay[i] as number;
    }
    this.fixDay[i] = d;
  }

  /** Reads publishedDay[i] from the finding (on first use). */
  decidePublishedDay(i: number): void {
    const p = (this.findings[i] as PolicyFinding).published;
    this.publishedDay[i] = p === undefined ? Number.NaN : dayNumber(p);
  }

  /** The CVSS scores, flattened on first use (only CVSS criteria read them). */
  get cvss(): CvssColumns {
    if (this.#cvss) return this.#cvss;
    const lists = this.#cvssLists;
    const n = this.n;
    const start = this.pool.i32();
    let total = 0;
    for (let i = 0; i < n; i++) {
      start[i] = total;
      total += (lists[i] as PolicyFinding['cvss']).length;
    }
    start[n] = total;
    const pooled = total <= this.pool.capacity;
    const score = pooled ? this.pool.f64() : new Float64Array(total);
    const version = pooled ? this.pool.i32() : new Int32Array(total);
    const source = pooled ? this.pool.i32() : new Int32Array(total);
    const versions: string[] = [];
    const sources: string[] = [];
    // Sources as written, each lower-cased once (toLowerCase makes a new string per call).
    const written: string[] = [];
    const lowered: number[] = [];
    const max = this.pool.f64();
    let j = 0;
    for (let i = 0; i < n; i++) {
      const list = lists[i] as PolicyFinding['cvss'];
      let m = -1;
      for (let k = 0; k < list.length; k++) {
        const s = list[k] as PolicyFinding['cvss'][number];
        if (s.score > m) m = s.score;
        score[j] = s.score;
        version[j] = intern(versions, s.version);
        const w = intern(written, s.source);
        if (w === lowered.length) lowered.push(intern(sources, s.source.toLowerCase()));
        source[j] = lowered[w] as number;
        j++;
      }
      max[i] = m;
    }
    this.#cvss = { max, start, score, version, source, versions, sources };
    return this.#cvss;
  }
}

const EMPTY_U8 = new Uint8Array(0);
const EMPTY_F64 = new Float64Array(0);
const EMPTY_I32 = new Int32Array(0);
const NO_PACKAGE = {} as PolicyFinding['package'];
