import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { PortcullisError } from '../../core/errors.js';
import type { Advisory, Affected, EpssEntry, KevEntry } from '../model.js';
import { BoundedMap } from './bounded.js';
import { SCHEMA_VERSION } from './schema.js';

export interface SourceStatus {
  readonly id: string;
  readonly version: string;
  readonly license: string;
  readonly status: string;
  readonly message: string | undefined;
  readonly fetchedAt: string | undefined;
  readonly newestModified: string | undefined;
  readonly advisories: number;
  readonly kev: number;
  readonly epss: number;
  readonly problems: number;
}

export interface DbStatus {
  readonly path: string;
  readonly schemaVersion: number;
  readonly builtAt: string;
  readonly builtBy: string;
  readonly sources: readonly SourceStatus[];
  readonly advisories: number;
  readonly affected: number;
}

/** An affected entry found by package, with the row id of its advisory. */
export interface AffectedHit {
  readonly rid: number;
  readonly affected: Affected;
}

/**
 * An affected row as stored, for the matcher: `status` and `fixed` (see `quickFixOf` in
 * build.ts) decide most rows; `affected()` parses the document on first use and keeps it.
 */
export interface AffectedEntry {
  readonly rid: number;
  readonly status: string | null;
  /** Set only when the entry is exactly `introduced: 0, fixed: <this>` (no versions, no arches). */
  readonly fixed: string | null;
  affected(): Affected;
}

class LazyEntry implements AffectedEntry {
  #doc: string | undefined;
  #parsed: Affected | undefined;
  constructor(
    readonly rid: number,
    readonly status: string | null,
    readonly fixed: string | null,
    doc: string,
  ) {
    this.#doc = doc;
  }
  affected(): Affected {
    if (!this.#parsed) {
      this.#parsed = JSON.parse(this.#doc as string) as Affected;
      this.#doc = undefined;
    }
    return this.#parsed;
  }
}

/** An advisory without its affected entries (those are looked up by package). */
export type StoredAdvisory = Omit<Advisory, 'affected'> & { readonly rid: number };

interface SourceRow {
  id: string;
  version: string;
  license: string;
  status: string;
  message: string | null;
  fetched_at: string | null;
  newest_modified: string | null;
  advisories: number;
  kev: number;
  epss: number;
  problems: number;
}

/**
 * Cache sizes per open database. A 10,000-package match against the whole corpus (the
 * benchmark's worst case) reads ~10,700 advisories and ~5,100 packages' entries, which stay as
 * ~30 MB of heap; a database kept open by a long-lived process stops growing at these sizes
 * (roughly three times that).
 */
const CACHE = { advisories: 32_768, packages: 16_384, aliases: 16_384, epss: 65_536 } as const;

/**
 * A read-only view of a vulnerability database. Many processes may open the same file; nothing
 * here writes. Advisories are parsed once and kept, up to the sizes above (matching asks for
 * the same ones many times).
 */
export class VulnDb {
  readonly #db: Database.Database;
  readonly #advisories = new BoundedMap<number, StoredAdvisory>(CACHE.advisories);
  // Matching asks for the same package (every binary of one source package), the same CVE's
  // NVD record and the same KEV/EPSS rows many times: each is read and parsed once per open.
  readonly #affectedCache = new BoundedMap<string, AffectedHit[]>(CACHE.packages);
  readonly #entryCache = new BoundedMap<string, AffectedEntry[]>(CACHE.packages);
  readonly #entries;
  readonly #aliasCache = new BoundedMap<string, StoredAdvisory[]>(CACHE.aliases);
  readonly #sourceIds = new Map<string, boolean>();
  readonly #hasSource;
  #kevAll: Map<string, KevEntry> | undefined;
  readonly #epssCache = new BoundedMap<string, EpssEntry | null>(CACHE.epss);
  readonly #begin;
  readonly #commit;
  readonly #hasEpss: boolean;
  readonly #byPackage;
  readonly #advisory;
  readonly #alias;
  readonly #kev;
  readonly #epss;

  private constructor(
    readonly path: string,
    db: Database.Database,
  ) {
    this.#db = db;
    this.#byPackage = db.prepare<[string, string], { rid: number; doc: string }>('SELECT rid, doc FROM affected WHERE ecosystem = ? AND name = ?');
    // Raw rows (arrays): one object fewer per row; the matcher reads ~25,000 rows per 10,000 packages.
    this.#entries = db.prepare<[string, string], [number, string | null, string | null, string]>('SELECT rid, status, fixed, doc FROM affected WHERE ecosystem = ? AND name = ?').raw(true);
    this.#advisory = db.prepare<[number], { doc: string }>('SELECT doc FROM advisories WHERE rid = ?');
    this.#alias = db.prepare<[string], { rid: number }>('SELECT rid FROM aliases WHERE alias = ?');
    this.#kev = db.prepare<[], { cve: string; date_added: string; due_date: string | null; ransomware: number | null }>('SELECT * FROM kev');
    this.#epss = db.prepare<[string], EpssEntry>('SELECT cve, score, percentile, date FROM epss WHERE cve = ?');
    this.#hasSource = db.prepare<[string], { x: number }>('SELECT 1 AS x FROM advisories WHERE source = ? LIMIT 1');
    this.#hasEpss = db.prepare('SELECT 1 FROM epss LIMIT 1').get() !== undefined;
    this.#begin = db.prepare('BEGIN');
    this.#commit = db.prepare('COMMIT');
  }

  /**
   * Runs `fn` inside one read transaction. Outside one, SQLite takes and drops its shared file
   * lock around every statement (fcntl calls and a header read: ~4× the cost of a small lookup);
   * a match makes thousands of lookups, so it takes the lock once. Every lookup inside also sees
   * one snapshot of the file. Nested calls join the open transaction.
   */
  read<T>(fn: () => T): T {
    if (this.#db.inTransaction) return fn();
    this.#begin.run();
    try {
      return fn();
    } finally {
      // Nothing was written: COMMIT only ends the transaction and releases the lock.
      if (this.#db.inTransaction) this.#commit.run();
    }
  }

  /** True when some advisory has this `source` (e.g. `nvd`); answered from the (source, id) index. */
  hasSource(id: string): boolean {
    let has = this.#sourceIds.get(id);
    if (has === undefined) {
      has = this.#hasSource.get(id) !== undefined;
      this.#sourceIds.set(id, has);
    }
    return has;
  }

  /** Opens `path` read-only; DB_NOT_FOUND, DB_CORRUPT or DB_SCHEMA when it cannot be used. */
  static open(path: string): VulnDb {
    if (!existsSync(path)) throw new PortcullisError('DB_NOT_FOUND', `no vulnerability database at ${path}`, { path });
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true });
      const row = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'schema_version'").get();
      const version = Number(row?.value);
      if (version !== SCHEMA_VERSION) {
        db.close();
        throw new PortcullisError('DB_SCHEMA', `database schema version ${row?.value ?? 'missing'}, this Portcullis reads version ${SCHEMA_VERSION}`, { path });
      }
      return new VulnDb(path, db);
    } catch (err) {
      if (db?.open) db.close();
      if (err instanceof PortcullisError) throw err;
      throw new PortcullisError('DB_CORRUPT', `cannot read ${path} as a vulnerability database: ${err instanceof Error ? err.message : String(err)}`, { path }, { cause: err });
    }
  }

  close(): void {
    this.#db.close();
  }

  status(): DbStatus {
    const meta = new Map(this.#db.prepare<[], { key: string; value: string }>('SELECT key, value FROM meta').all().map((r) => [r.key, r.value]));
    const sources = this.#db
      .prepare<[], SourceRow>('SELECT * FROM sources ORDER BY id')
      .all()
      .map((r) => ({
        id: r.id,
        version: r.version,
        license: r.license,
        status: r.status,
        message: r.message ?? undefined,
        fetchedAt: r.fetched_at ?? undefined,
        newestModified: r.newest_modified ?? undefined,
        advisories: r.advisories,
        kev: r.kev,
        epss: r.epss,
        problems: r.problems,
      }));
    const count = (sql: string) => (this.#db.prepare<[], { n: number }>(sql).get()?.n ?? 0);
    return {
      path: this.path,
      schemaVersion: Number(meta.get('schema_version')),
      builtAt: meta.get('built_at') ?? '',
      builtBy: meta.get('built_by') ?? '',
      sources,
      advisories: count('SELECT count(*) AS n FROM advisories'),
      affected: count('SELECT count(*) AS n FROM affected'),
    };
  }

  /** Every affected entry for a package in an ecosystem (names as normalizePackageName writes them). */
  affected(ecosystem: string, name: string): readonly AffectedHit[] {
    const key = `${ecosystem}\0${name}`;
    let hits = this.#affectedCache.get(key);
    if (!hits) {
      hits = this.#byPackage.all(ecosystem, name).map((r) => ({ rid: r.rid, affected: JSON.parse(r.doc) as Affected }));
      this.#affectedCache.set(key, hits);
    }
    return hits;
  }

  /** The same rows as `affected`, each parsed only when asked (the matcher rejects most unparsed). */
  entries(ecosystem: string, name: string): readonly AffectedEntry[] {
    const key = `${ecosystem}\0${name}`;
    let list = this.#entryCache.get(key);
    if (!list) {
      list = this.#entries.all(ecosystem, name).map((r) => new LazyEntry(r[0], r[1], r[2], r[3]));
      this.#entryCache.set(key, list);
    }
    return list;
  }

  advisory(rid: number): StoredAdvisory | undefined {
    const cached = this.#advisories.get(rid);
    if (cached) return cached;
    const row = this.#advisory.get(rid);
    if (!row) return undefined;
    // `rid` goes onto the parsed object itself: a spread copy would build every advisory twice.
    const adv = JSON.parse(row.doc) as Omit<Advisory, 'affected'> & { rid: number };
    adv.rid = rid;
    this.#advisories.set(rid, adv);
    return adv;
  }

  /** Advisories whose id, alias or upstream is `id` (e.g. the NVD record of a CVE). */
  byAlias(id: string): readonly StoredAdvisory[] {
    let list = this.#aliasCache.get(id);
    if (!list) {
      list = this.#alias.all(id).flatMap((r) => this.advisory(r.rid) ?? []);
      this.#aliasCache.set(id, list);
    }
    return list;
  }

  /** The KEV catalogue is small (~1,500 rows): read whole on first use, then answered from memory. */
  kev(cve: string): KevEntry | undefined {
    if (!this.#kevAll) {
      this.#kevAll = new Map();
      for (const r of this.#kev.all()) {
        this.#kevAll.set(r.cve, { cve: r.cve, dateAdded: r.date_added, ...(r.due_date ? { dueDate: r.due_date } : {}), ...(r.ransomware === null ? {} : { knownRansomware: r.ransomware === 1 }) });
      }
    }
    return this.#kevAll.get(cve);
  }

  epss(cve: string): EpssEntry | undefined {
    if (!this.#hasEpss) return undefined;
    let e = this.#epssCache.get(cve);
    if (e === undefined) {
      e = this.#epss.get(cve) ?? null;
      this.#epssCache.set(cve, e);
    }
    return e ?? undefined;
  }
}
