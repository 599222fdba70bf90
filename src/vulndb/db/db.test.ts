import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { tmpdir } from 'node:os';
import type { FeedSink } from '../feeds/types.js';
import type { AdvisoryInput } from '../model.js';
import { type BuildInput, buildDatabase } from './build.js';
import { VulnDb } from './open.js';
import { SCHEMA_VERSION } from './schema.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'portcullis-db-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function feed(id: string, emit: (sink: FeedSink) => void | Promise<void>): BuildInput['feed'] {
  return { id, version: '1', license: 'test', parse: async (_dir, sink) => emit(sink) };
}

const lodash = (modified: string, fixed = '4.17.21'): AdvisoryInput => ({
  id: 'GHSA-35jh-r3h4-6jhm',
  source: 'osv',
  aliases: ['CVE-2021-23337'],
  modified,
  affected: [{ ecosystem: 'npm', name: 'lodash', ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed }] }] }],
});

describe('vulnerability database', () => {
  it('builds, then answers lookups by package, alias, KEV and EPSS', async () => {
    const dir = tmp();
    const out = join(dir, 'v.db');
    const report = await buildDatabase(out, [
      {
        feed: feed('osv', (s) => {
          s.advisory(lodash('2024-01-01T00:00:00Z', '4.17.20'));
          s.advisory(lodash('2024-02-01T00:00:00Z')); // newer wins
          s.advisory(lodash('2023-01-01T00:00:00Z', '1.0.0')); // older is ignored
          s.advisory({ id: 'BAD', source: 'osv', affected: [{ ecosystem: 'npm', name: '' }] } as AdvisoryInput);
        }),
        dir,
        fetchedAt: '2024-03-01T00:00:00Z',
      },
      { feed: feed('kev', (s) => s.kev({ cve: 'CVE-2021-23337', dateAdded: '2024-01-02', knownRansomware: false })), dir },
      { feed: feed('epss', (s) => s.epss({ cve: 'CVE-2021-23337', score: 0.5, percentile: 0.9, date: '2024-03-01' })), dir },
      { feed: feed('missing', () => undefined), dir: join(dir, 'nope') },
    ]);
    expect(report.sources.map((s) => [s.id, s.status, s.advisories, s.problems.length])).toEqual([
      ['osv', 'ok', 1, 1],
      ['kev', 'ok', 0, 0],
      ['epss', 'ok', 0, 0],
      ['missing', 'missing', 0, 0],
    ]);
    const db = VulnDb.open(out);
    const hits = db.affected('npm', 'lodash');
    expect(hits).toHaveLength(1);
    expect(hits[0]?.affected.ranges[0]?.events).toEqual([{ introduced: '0' }, { fixed: '4.17.21' }]);
    expect(db.advisory(hits[0]?.rid ?? -1)?.aliases).toEqual(['CVE-2021-23337']);
    expect(db.byAlias('CVE-2021-23337').map((a) => a.id)).toEqual(['GHSA-35jh-r3h4-6jhm']);
    expect(db.kev('CVE-2021-23337')).toEqual({ cve: 'CVE-2021-23337', dateAdded: '2024-01-02', knownRansomware: false });
    expect(db.epss('CVE-2021-23337')?.percentile).toBe(0.9);
    const st = db.status();
    expect(st.schemaVersion).toBe(SCHEMA_VERSION);
    expect(st.advisories).toBe(1);
    expect(st.sources.find((s) => s.id === 'osv')).toMatchObject({ fetchedAt: '2024-03-01T00:00:00Z', newestModified: '2024-02-01T00:00:00Z', problems: 1 });
    db.close();
  });

  it('stores status and the quick fix beside each affected document, in package order', async () => {
    const dir = tmp();
    const out = join(dir, 'v.db');
    const adv = (id: string, affected: AdvisoryInput['affected']): AdvisoryInput => ({ id, source: 'osv', affected });
    const ev = (...events: object[]) => [{ type: 'SEMVER' as const, events: events as never }];
    await buildDatabase(out, [
      {
        feed: feed('osv', (s) => {
          s.advisory(adv('A-1', [{ ecosystem: 'npm', name: 'zed', ranges: ev({ introduced: '0' }, { fixed: '1.2.3' }) }]));
          s.advisory(adv('A-2', [{ ecosystem: 'npm', name: 'abc', ranges: ev({ introduced: '1.0.0' }, { fixed: '1.2.3' }) }]));
          s.advisory(adv('A-3', [{ ecosystem: 'npm', name: 'zed', ranges: ev({ introduced: '0' }, { fixed: '2.0.0' }), versions: ['1.0.0'] }]));
          s.advisory(adv('A-4', [{ ecosystem: 'rpm', name: 'zed', ranges: ev({ introduced: '0' }, { fixed: '2.0.0' }), arches: ['x86_64'] }]));
          s.advisory(adv('A-5', [{ ecosystem: 'npm', name: 'zed', ranges: ev({ introduced: '0' }, { last_affected: '2.0.0' }) }]));
          s.advisory(adv('A-6', [{ ecosystem: 'npm', name: 'zed', status: 'not_affected' }]));
          s.advisory(adv('A-7', [{ ecosystem: 'npm', name: 'zed', ranges: [...ev({ introduced: '0' }, { fixed: '1.0.0' }), ...ev({ introduced: '2.0.0' }, { fixed: '2.1.0' })] }]));
        }),
        dir,
      },
    ]);
    const raw = new Database(out, { readonly: true });
    const rows = raw.prepare<[], { name: string; rid: number; status: string | null; fixed: string | null }>('SELECT name, rid, status, fixed FROM affected ORDER BY rowid').all();
    expect(raw.prepare("SELECT name FROM sqlite_master WHERE name = 'affected_load'").all()).toEqual([]);
    // Planner statistics kept, STAT4 samples (which force a re-prepare per lookup) dropped.
    expect(raw.prepare<[], { n: number }>('SELECT count(*) AS n FROM sqlite_stat1').get()?.n).toBeGreaterThan(0);
    const stat4 = raw.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat4'").get() ? raw.prepare<[], { n: number }>('SELECT count(*) AS n FROM sqlite_stat4').get()?.n : 0;
    expect(stat4).toBe(0);
    raw.close();
    // Rows in (ecosystem, name, rid) order; `fixed` only for the plain `introduced 0, fixed X` shape.
    expect(rows.map((r) => [r.name, r.status, r.fixed])).toEqual([
      ['abc', null, null],
      ['zed', null, '1.2.3'],
      ['zed', null, null],
      ['zed', null, null],
      ['zed', 'not_affected', null],
      ['zed', null, null],
      ['zed', null, null],
    ]);
    const db = VulnDb.open(out);
    const entries = db.entries('npm', 'zed');
    expect(entries.map((e) => [e.status, e.fixed])).toEqual(rows.filter((r) => r.name === 'zed' && r.rid !== 4).map((r) => [r.status, r.fixed]));
    // The lazily parsed document is the one `affected` returns, parsed once.
    const first = entries[0]?.affected();
    expect(first).toEqual(db.affected('npm', 'zed')[0]?.affected);
    expect(entries[0]?.affected()).toBe(first);
    expect(db.entries('npm', 'nothing')).toEqual([]);
    db.close();
  });

  it('keeps what a source emitted before its parser failed and marks the source', async () => {
    const dir = tmp();
    const out = join(dir, 'v.db');
    const report = await buildDatabase(out, [
      {
        feed: feed('osv', (s) => {
          s.advisory(lodash('2024-01-01T00:00:00Z'));
          throw new Error('truncated zip');
        }),
        dir,
      },
    ]);
    expect(report.sources[0]).toMatchObject({ status: 'failed', advisories: 1 });
    const db = VulnDb.open(out);
    expect(db.status().sources[0]).toMatchObject({ status: 'failed', message: 'truncated zip' });
    expect(db.affected('npm', 'lodash')).toHaveLength(1);
    db.close();
  });

  it('never leaves a half-built file: a failed build keeps the old database', async () => {
    const dir = tmp();
    const out = join(dir, 'v.db');
    await buildDatabase(out, [{ feed: feed('osv', (s) => s.advisory(lodash('2024-01-01T00:00:00Z'))), dir }]);
    const before = readFileSync(out);
    const boom = { id: 'x', version: '1', license: 't', parse: () => Promise.resolve() };
    // A source id twice violates the sources primary key: the build fails after loading data.
    await expect(buildDatabase(out, [{ feed: boom, dir }, { feed: boom, dir }])).rejects.toMatchObject({ code: 'DB_CORRUPT' });
    expect(readFileSync(out).equals(before)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith('.building'))).toEqual([]);
  });

  it('refuses missing, foreign, corrupt and other-schema files with coded errors', async () => {
    const dir = tmp();
    expect(() => VulnDb.open(join(dir, 'none.db'))).toThrow(expect.objectContaining({ code: 'DB_NOT_FOUND' }));
    writeFileSync(join(dir, 'garbage.db'), 'SQLite format 3\0 but not really'.repeat(100));
    expect(() => VulnDb.open(join(dir, 'garbage.db'))).toThrow(expect.objectContaining({ code: 'DB_CORRUPT' }));
    const other = new Database(join(dir, 'other.db'));
    other.exec('CREATE TABLE t (x)');
    other.close();
    expect(() => VulnDb.open(join(dir, 'other.db'))).toThrow(expect.objectContaining({ code: 'DB_CORRUPT' }));
    const out = join(dir, 'v.db');
    await buildDatabase(out, []);
    const w = new Database(out);
    w.prepare("UPDATE meta SET value = '999' WHERE key = 'schema_version'").run();
    w.close();
    expect(() => VulnDb.open(out)).toThrow(expect.objectContaining({ code: 'DB_SCHEMA' }));
    mkdirSync(join(dir, 'adir.db'));
    expect(() => VulnDb.open(join(dir, 'adir.db'))).toThrow(expect.objectContaining({ code: 'DB_CORRUPT' }));
  });
});
