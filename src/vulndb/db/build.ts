import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { PortcullisError } from '../../core/errors.js';
import { type Problem, problem } from '../../core/problem.js';
import { VERSION } from '../../version.js';
import type { Feed, FeedSink } from '../feeds/types.js';
import { type Affected, type AdvisoryInput, AdvisorySchema, type EpssEntry, EpssSchema, type KevEntry, KevSchema } from '../model.js';
import { COPY_SQL, INDEX_SQL, LOAD_SQL, SCHEMA_SQL, SCHEMA_VERSION } from './schema.js';

/** One source to load: a feed and the directory its fetch filled (or a user supplied). */
export interface BuildInput {
  readonly feed: Pick<Feed, 'id' | 'version' | 'license' | 'parse'>;
  readonly dir: string;
  readonly fetchedAt?: string | undefined;
  /** What the last update said about this source, e.g. `failed` with the kept data's age. */
  readonly status?: 'ok' | 'failed' | 'stale' | undefined;
  readonly message?: string | undefined;
}

export interface SourceReport {
  readonly id: string;
  readonly status: string;
  readonly advisories: number;
  readonly kev: number;
  readonly epss: number;
  readonly problems: readonly Problem[];
}

export interface BuildReport {
  readonly path: string;
  readonly sources: readonly SourceReport[];
}

/** Problems kept per source in the database (all are returned in the report). */
const STORED_PROBLEMS = 200;

/**
 * Builds a database from feed directories into a temp file beside `out`, then renames it
 * over `out`: readers never see a half-built file, and a failed build leaves the old one.
 */
export async function buildDatabase(out: string, inputs: readonly BuildInput[], opts: { now?: Date } = {}): Promise<BuildReport> {
  mkdirSync(dirname(out), { recursive: true });
  const tmp = join(dirname(out), `.${randomBytes(6).toString('hex')}.building`);
  const db = new Database(tmp);
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.exec(SCHEMA_SQL);
    db.exec(LOAD_SQL);
    const writer = new Writer(db);
    const reports: SourceReport[] = [];
    for (const input of inputs) reports.push(await writer.load(input));
    db.exec(COPY_SQL);
    db.exec(INDEX_SQL);
    const meta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
    meta.run('schema_version', String(SCHEMA_VERSION));
    meta.run('built_at', (opts.now ?? new Date()).toISOString());
    meta.run('built_by', `portcullis ${VERSION}`);
    db.exec('ANALYZE');
    // better-sqlite3's SQLite has STAT4: with its samples present, every statement whose bound
    // value meets an index is re-prepared on each new binding (~10 µs per package lookup, more
    // than the lookup itself). sqlite_stat1 alone picks the same plans here.
    if (db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat4'").get()) db.exec('DELETE FROM sqlite_stat4');
    db.close();
    const fd = openSync(tmp, 'r');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, out);
    return { path: out, sources: reports };
  } catch (err) {
    if (db.open) db.close();
    rmSync(tmp, { force: true });
    if (err instanceof PortcullisError) throw err;
    throw new PortcullisError('DB_CORRUPT', `building the database failed: ${err instanceof Error ? err.message : String(err)}`, { path: out }, { cause: err });
  }
}

class Writer {
  readonly #find;
  readonly #insert;
  readonly #update;
  readonly #deleteAffected;
  readonly #deleteAliases;
  readonly #affected;
  readonly #alias;
  readonly #kev;
  readonly #epss;
  readonly #problem;
  readonly #source;

  constructor(private readonly db: Database.Database) {
    this.#find = db.prepare<[string, string], { rid: number; modified: string | null }>('SELECT rid, modified FROM advisories WHERE source = ? AND id = ?');
    this.#insert = db.prepare('INSERT INTO advisories (source, id, modified, withdrawn, doc) VALUES (?, ?, ?, ?, ?)');
    this.#update = db.prepare('UPDATE advisories SET modified = ?, withdrawn = ?, doc = ? WHERE rid = ?');
    this.#deleteAffected = db.prepare('DELETE FROM temp.affected_load WHERE rid = ?');
    this.#deleteAliases = db.prepare('DELETE FROM aliases WHERE rid = ?');
    this.#affected = db.prepare('INSERT INTO temp.affected_load (rid, ecosystem, name, status, fixed, doc) VALUES (?, ?, ?, ?, ?, ?)');
    this.#alias = db.prepare('INSERT INTO aliases (alias, rid) VALUES (?, ?)');
    this.#kev = db.prepare('INSERT OR REPLACE INTO kev (cve, date_added, due_date, ransomware) VALUES (?, ?, ?, ?)');
    this.#epss = db.prepare('INSERT OR REPLACE INTO epss (cve, score, percentile, date) VALUES (?, ?, ?, ?)');
    this.#problem = db.prepare('INSERT INTO problems (source, code, message, path) VALUES (?, ?, ?, ?)');
    this.#source = db.prepare(
      'INSERT INTO sources (id, version, license, status, message, fetched_at, newest_modified, advisories, kev, epss, problems) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
  }

  async load(input: BuildInput): Promise<SourceReport> {
    const { feed } = input;
    const problems: Problem[] = [];
    const ids = new Set<string>();
    let kev = 0;
    let epss = 0;
    let newest: string | undefined;
    const sink: FeedSink = {
      advisory: (raw) => {
        const id = this.#advisory(raw, feed.id, problems);
        if (!id) return;
        ids.add(id.id);
        if (id.modified && (!newest || id.modified > newest)) newest = id.modified;
      },
      kev: (raw) => {
        const e = parseOrProblem(KevSchema, raw, feed.id, problems);
        if (e) kev += this.#putKev(e);
      },
      epss: (raw) => {
        const e = parseOrProblem(EpssSchema, raw, feed.id, problems);
        if (e) epss += this.#putEpss(e);
      },
      problem: (p) => problems.push({ ...p, source: p.source ?? feed.id }),
    };
    let status: string = input.status ?? 'ok';
    let message = input.message;
    this.db.exec('BEGIN');
    try {
      if (!existsSync(input.dir)) {
        status = 'missing';
        message ??= `no data directory ${input.dir}`;
      } else {
        await feed.parse(input.dir, sink);
      }
    } catch (err) {
      // A parser that throws loses nothing already loaded; the source is marked and the build goes on.
      status = 'failed';
      message = err instanceof Error ? err.message : String(err);
      problems.push(problem(err instanceof PortcullisError ? err.code : 'FEED_PARSE', message, { source: feed.id }));
    }
    for (const p of problems.slice(0, STORED_PROBLEMS)) this.#problem.run(feed.id, p.code, p.message, p.path ?? null);
    this.#source.run(feed.id, feed.version, feed.license, status, message ?? null, input.fetchedAt ?? null, newest ?? null, ids.size, kev, epss, problems.length);
    this.db.exec('COMMIT');
    return { id: feed.id, status, advisories: ids.size, kev, epss, problems };
  }

  #advisory(raw: AdvisoryInput, feedId: string, problems: Problem[]): { id: string; modified: string | undefined } | undefined {
    const parsed = AdvisorySchema.safeParse(raw);
    if (!parsed.success) {
      const id = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id : '?';
      problems.push(problem('FEED_PARSE', `advisory ${id} does not fit the model: ${parsed.error.issues[0]?.message ?? 'invalid'}`, { source: feedId }));
      return undefined;
    }
    const a = parsed.data;
    const existing = this.#find.get(a.source, a.id);
    if (existing && existing.modified && a.modified && a.modified < existing.modified) return { id: a.id, modified: a.modified };
    const { affected, ...rest } = a;
    const doc = JSON.stringify(rest);
    const withdrawn = a.withdrawn ? 1 : 0;
    let rid: number;
    if (existing) {
      rid = existing.rid;
      this.#update.run(a.modified ?? null, withdrawn, doc, rid);
      this.#deleteAffected.run(rid);
      this.#deleteAliases.run(rid);
    } else {
      rid = Number(this.#insert.run(a.source, a.id, a.modified ?? null, withdrawn, doc).lastInsertRowid);
    }
    for (const aff of affected) this.#affected.run(rid, aff.ecosystem, aff.name, aff.status ?? null, quickFixOf(aff) ?? null, JSON.stringify(aff));
    for (const alias of new Set([a.id, ...a.aliases, ...a.upstream])) this.#alias.run(alias, rid);
    return { id: a.id, modified: a.modified };
  }

  #putKev(e: KevEntry): number {
    this.#kev.run(e.cve, e.dateAdded, e.dueDate ?? null, e.knownRansomware === undefined ? null : e.knownRansomware ? 1 : 0);
    return 1;
  }

  #putEpss(e: EpssEntry): number {
    this.#epss.run(e.cve, e.score, e.percentile, e.date);
    return 1;
  }
}

/**
 * The fix of an entry whose whole content is one range `introduced: 0, fixed: X` (no listed
 * versions, no arches): a version at or above X is not affected by it, which the matcher can
 * tell from this column without parsing the document. Undefined for every other shape.
 */
export function quickFixOf(a: Affected): string | undefined {
  if (a.versions.length > 0 || a.arches || a.ranges.length !== 1) return undefined;
  const events = a.ranges[0]?.events ?? [];
  if (events.length !== 2) return undefined;
  const [first, second] = events;
  if (!first || !second || !('introduced' in first) || first.introduced !== '0' || !('fixed' in second)) return undefined;
  return second.fixed;
}

function parseOrProblem<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } } }, raw: unknown, source: string, problems: Problem[]): T | undefined {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  problems.push(problem('FEED_PARSE', `record does not fit the model: ${r.error.issues[0]?.message ?? 'invalid'}`, { source }));
  return undefined;
}
