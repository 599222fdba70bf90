/**
 * The vulnerability database's SQLite schema. Bump SCHEMA_VERSION on any change: readers
 * refuse other versions (DB_SCHEMA) instead of misreading them. Advisories are stored as JSON
 * documents; the rows around them exist only to find them fast (package → affected entries,
 * alias → advisories).
 *
 * Version 2: `affected` carries `status` and `fixed` beside the document so the matcher rejects
 * most entries without parsing it (see `quickFixOf` in build.ts), and its rows are written in
 * (ecosystem, name) order so one package's entries share pages.
 */
export const SCHEMA_VERSION = 2;

export const SCHEMA_SQL = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE sources (
  id TEXT PRIMARY KEY,
  version TEXT NOT NULL,
  license TEXT NOT NULL,
  status TEXT NOT NULL,
  message TEXT,
  fetched_at TEXT,
  newest_modified TEXT,
  advisories INTEGER NOT NULL DEFAULT 0,
  kev INTEGER NOT NULL DEFAULT 0,
  epss INTEGER NOT NULL DEFAULT 0,
  problems INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE advisories (
  rid INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  id TEXT NOT NULL,
  modified TEXT,
  withdrawn INTEGER NOT NULL,
  doc TEXT NOT NULL,
  UNIQUE (source, id)
);
CREATE TABLE affected (rid INTEGER NOT NULL, ecosystem TEXT NOT NULL, name TEXT NOT NULL, status TEXT, fixed TEXT, doc TEXT NOT NULL);
CREATE TABLE aliases (alias TEXT NOT NULL, rid INTEGER NOT NULL);
CREATE TABLE kev (cve TEXT PRIMARY KEY, date_added TEXT NOT NULL, due_date TEXT, ransomware INTEGER) WITHOUT ROWID;
CREATE TABLE epss (cve TEXT PRIMARY KEY, score REAL NOT NULL, percentile REAL NOT NULL, date TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE problems (source TEXT NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL, path TEXT);
`;

/**
 * Affected entries are loaded into a TEMP table (its pages never enter the database file), then
 * copied into `affected` in package order: a package's entries then sit on a few adjacent pages
 * instead of one page per advisory.
 */
export const LOAD_SQL = `
CREATE TEMP TABLE affected_load (rid INTEGER NOT NULL, ecosystem TEXT NOT NULL, name TEXT NOT NULL, status TEXT, fixed TEXT, doc TEXT NOT NULL);
`;
export const COPY_SQL = `
INSERT INTO main.affected (rid, ecosystem, name, status, fixed, doc) SELECT rid, ecosystem, name, status, fixed, doc FROM temp.affected_load ORDER BY ecosystem, name, rid;
DROP TABLE temp.affected_load;
`;

/** Indexes are created after the bulk load: building them once is faster than maintaining them. */
export const INDEX_SQL = `
CREATE INDEX affected_pkg ON affected (ecosystem, name);
CREATE INDEX affected_rid ON affected (rid);
CREATE INDEX aliases_alias ON aliases (alias);
`;
