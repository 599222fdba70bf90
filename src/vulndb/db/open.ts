import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { PortcullisError } from '../../core/errors.js';
import type { Advisory, Affected, EpssEntry, KevEntry } from '../model.js';
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
 * A read-only view of a vulnerability database. Many processes may open the same file; nothing
 * here writes. Advisories are parsed once per open database and kept (matching asks for the
 * same ones many times).
 */
export class VulnDb {
  readonly #db: Database.Database;
  readonly #advisories = new Map<number, StoredAdvisory>();
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
    this.#advisory = db.prepare<[number], { doc: string }>('SELECT doc FROM advisories WHERE rid = ?');
    this.#alias = db.prepare<[string], { rid: number }>('SELECT rid FROM aliases WHERE alias = ?');
    this.#kev = db.prepare<[string], { cve: string; date_added: string; due_date: string | null; ransomware: number | null }>('SELECT * FROM kev WHERE cve = ?');
    this.#epss = db.prepare<[string], EpssEntry>('SELECT cve, score, percentile, date FROM epss WHERE cve = ?');
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
  affected(ecosystem: string, name: string): AffectedHit[] {
    return this.#byPackage.all(ecosystem, name).map((r) => ({ rid: r.rid, affected: JSON.parse(r.doc) as Affected }));
  }

  advisory(rid: number): StoredAdvisory | undefined {
    const cached = this.#advisories.get(rid);
    if (cached) return cached;
    const row = this.#advisory.get(rid);
    if (!row) return undefined;
    const adv = { ...(JSON.parse(row.doc) as Omit<Advisory, 'affected'>), rid };
    this.#advisories.set(rid, adv);
    return adv;
  }

  /** Advisories whose id, alias or upstream is `id` (e.g. the NVD record of a CVE). */
  byAlias(id: string): StoredAdvisory[] {
    return this.#alias.all(id).flatMap((r) => this.advisory(r.rid) ?? []);
  }

  kev(cve: string): KevEntry | undefined {
    const r = this.#kev.get(cve);
    if (!r) return undefined;
    return { cve: r.cve, dateAdded: r.date_added, ...(r.due_date ? { dueDate: r.due_date } : {}), ...(r.ransomware === null ? {} : { knownRansomware: r.ransomware === 1 }) };
  }

  epss(cve: string): EpssEntry | undefined {
    return this.#epss.get(cve);
  }
}
