import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PortcullisError } from '../core/errors.js';
import { defaultCacheDir } from '../image/layers/cache.js';
import { PACKAGE_ROOT } from '../version.js';
import { buildDatabase } from './db/build.js';
import { type DbStatus, VulnDb } from './db/open.js';
import { SCHEMA_VERSION } from './db/schema.js';
import { parseSnapshotDir } from './snapshot/snapshot.js';

/**
 * Which database a scan uses: `--db PATH` / $PORTCULLIS_DB when given (it must exist), else the
 * one `db update` / `db import` maintains in the cache directory, else the demo database built
 * from the facts bundled in data/demo-db (so a fresh clone scans offline and finds real
 * vulnerabilities). Scans never download anything by themselves.
 */

export type DbKind = 'configured' | 'default' | 'demo';

export interface LocatedDb {
  readonly db: VulnDb;
  readonly kind: DbKind;
}

export const DEMO_DIR = join(PACKAGE_ROOT, 'data', 'demo-db');
export const STALE_AFTER_DAYS = 7;

export function defaultDbPath(env: Readonly<Record<string, string | undefined>>): string {
  return join(defaultCacheDir({ ...env }), 'db', 'portcullis.db');
}

export async function locateDatabase(opts: { dbPath?: string | undefined; env: Readonly<Record<string, string | undefined>> }): Promise<LocatedDb> {
  const configured = opts.dbPath ?? opts.env.PORTCULLIS_DB;
  if (configured) return { db: VulnDb.open(configured), kind: 'configured' };
  const path = defaultDbPath(opts.env);
  if (existsSync(path)) return { db: VulnDb.open(path), kind: 'default' };
  return { db: VulnDb.open(await demoDatabase(opts.env)), kind: 'demo' };
}

/** Builds (once per content of data/demo-db) and returns the path of the demo database. */
export async function demoDatabase(env: Readonly<Record<string, string | undefined>>): Promise<string> {
  if (!existsSync(DEMO_DIR)) throw new PortcullisError('DB_NOT_FOUND', `no database configured and the bundled demo data is missing (${DEMO_DIR})`, { path: DEMO_DIR });
  const hash = createHash('sha256').update(`schema ${SCHEMA_VERSION}\n`);
  for (const f of readdirSync(DEMO_DIR).sort()) if (f.endsWith('.jsonl.gz')) hash.update(f).update(readFileSync(join(DEMO_DIR, f)));
  const path = join(defaultCacheDir({ ...env }), 'db', `demo-${hash.digest('hex').slice(0, 16)}.db`);
  if (existsSync(path)) return path;
  const feed = { id: 'demo', version: '1', license: 'see data/demo-db/ATTRIBUTION.md', parse: (dir: string, sink: Parameters<typeof parseSnapshotDir>[1]) => parseSnapshotDir(dir, sink, 'demo') };
  await buildDatabase(path, [{ feed, dir: DEMO_DIR, fetchedAt: demoFetchedAt() }]);
  return path;
}

function demoFetchedAt(): string | undefined {
  try {
    const meta = JSON.parse(readFileSync(join(DEMO_DIR, 'manifest.json'), 'utf8')) as { snapshotDate?: string };
    return meta.snapshotDate;
  } catch {
    return undefined;
  }
}

/**
 * The age warning scans print: data older than STALE_AFTER_DAYS. A source's age is when it was
 * fetched, or, for directories nobody fetched (db build), its newest record; the build time is
 * the last resort.
 */
export function staleness(status: DbStatus, now: Date = new Date()): string | undefined {
  const times = status.sources.flatMap((s) => {
    const t = s.fetchedAt ?? s.newestModified;
    return t ? [Date.parse(t)] : [];
  }).filter(Number.isFinite);
  const newest = times.length ? Math.max(...times) : Date.parse(status.builtAt);
  if (!Number.isFinite(newest)) return 'the database does not say when its data was fetched';
  const days = Math.floor((now.getTime() - newest) / 86_400_000);
  if (days <= STALE_AFTER_DAYS) return undefined;
  return `the vulnerability data is ${days} days old (fetched ${new Date(newest).toISOString().slice(0, 10)}); run "portcullis db update"`;
}
