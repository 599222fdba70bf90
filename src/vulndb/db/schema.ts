/**
 * The vulnerability database's SQLite schema. Bump SCHEMA_VERSION on any change: readers
 * refuse other versions (DB_SCHEMA) instead of misreading them. Advisories are stored as JSON
 * documents; the rows around them exist only to find them fast (package → affected entries,
 * alias → advisories).
 */
export const SCHEMA_VERSION = 1;

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
CREATE TABLE affected (rid INTEGER NOT NULL, ecosystem TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE aliases (alias TEXT NOT NULL, rid INTEGER NOT NULL);
CREATE TABLE kev (cve TEXT PRIMARY KEY, date_added TEXT NOT NULL, due_date TEXT, ransomware INTEGER) WITHOUT ROWID;
CREATE TABLE epss (cve TEXT PRIMARY KEY, score REAL NOT NULL, percentile REAL NOT NULL, date TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE problems (source TEXT NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL, path TEXT);
`;

/** Indexes are created after the bulk load: building them once is faster than maintaining them. */
export const INDEX_SQL = `
CREATE INDEX affected_pkg ON affected (ecosystem, name);
CREATE INDEX affected_rid ON affected (rid);
CREATE INDEX aliases_alias ON aliases (alias);
`;
