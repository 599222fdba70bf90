import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { tmpdir } from 'node:os';
import type { FeedSink } from '../feeds/types.js';
import type { AdvisoryInput } from '../model.js';
import { type BuildInput, buildDatabase } from './build.js';
import { VulnDb } from './open.js';

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
    expect(st.schemaVersion).toBe(1);
    expect(st.advisories).toBe(1);
    expect(st.sources.find((s) => s.id === 'osv')).toMatchObject({ fetchedAt: '2024-03-01T00:00:00Z', newestModified: '2024-02-01T00:00:00Z', problems: 1 });
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
