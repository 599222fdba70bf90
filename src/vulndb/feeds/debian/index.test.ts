import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectingSink, fakeFetchContext, vulndataPath } from '../../../../test/helpers/feed-sink.js';
import { tmpDirPool } from '../../../../test/helpers/tmp.js';
import { bucketOf, IdGrouper } from './grouper.js';
import { debianFeed, parseDebianDir } from './index.js';

const TESTDATA = join(import.meta.dirname, 'testdata');
const tmp = tmpDirPool('debian-feed');
afterAll(() => tmp.removeAll());

describe('debianFeed', () => {
  it('declares its metadata', () => {
    expect(debianFeed.id).toBe('debian');
    expect(debianFeed.version).toMatch(/^\d+$/);
    expect(debianFeed.baseUrl).toBe('https://security-tracker.debian.org');
  });

  it('fetches the tracker JSON and the DSA/DLA lists', async () => {
    const ctx = fakeFetchContext({ dir: await tmp.make() });
    expect(await debianFeed.fetch(ctx)).toEqual({});
    expect(ctx.calls).toEqual([
      { url: 'https://security-tracker.debian.org/tracker/data/json', file: 'tracker.json' },
      { url: 'https://salsa.debian.org/security-tracker-team/security-tracker/-/raw/master/data/DSA/list', file: 'DSA/list' },
      { url: 'https://salsa.debian.org/security-tracker-team/security-tracker/-/raw/master/data/DLA/list', file: 'DLA/list' },
    ]);
  });

  it('fetches everything from one root when the base URL is overridden', async () => {
    const ctx = fakeFetchContext({ dir: await tmp.make(), baseUrl: 'http://127.0.0.1:9/replay' });
    await debianFeed.fetch(ctx);
    expect(ctx.calls.map((c) => c.url)).toEqual(['http://127.0.0.1:9/replay/tracker/data/json', 'http://127.0.0.1:9/replay/data/DSA/list', 'http://127.0.0.1:9/replay/data/DLA/list']);
  });

  it('parses a directory laid out as the lists are published, every advisory valid', async () => {
    const sink = collectingSink();
    await debianFeed.parse(join(TESTDATA, 'lists'), sink);
    expect(sink.problems).toEqual([]);
    const ids = sink.parsed().map((a) => a.id);
    expect(ids.filter((id) => id.startsWith('DSA-'))).toHaveLength(4);
    expect(ids.filter((id) => id.startsWith('DLA-'))).toHaveLength(10);
    expect(ids.filter((id) => id.startsWith('DTSA-'))).toHaveLength(2);
  });

  it('parses an empty directory to nothing', async () => {
    const sink = collectingSink();
    await parseDebianDir(await tmp.make(), sink);
    expect(sink.advisories).toEqual([]);
    expect(sink.problems).toEqual([]);
  });
});

describe('IdGrouper', () => {
  it('groups items by id across buckets, in insertion order per id, and cleans up', async () => {
    const before = (await readdir(tmpdir())).filter((n) => n.startsWith('portcullis-grouper-')).length;
    const g = await IdGrouper.create<{ n: number }>(7, 64);
    for (let i = 0; i < 500; i++) await g.add(`CVE-2024-${i % 50}`, { n: i });
    const seen = new Map<string, number[]>();
    for await (const [id, items] of g.drain()) seen.set(id, items.map((x) => x.n));
    await g.dispose();
    expect(seen.size).toBe(50);
    expect(seen.get('CVE-2024-3')).toEqual([3, 53, 103, 153, 203, 253, 303, 353, 403, 453]);
    expect((await readdir(tmpdir())).filter((n) => n.startsWith('portcullis-grouper-')).length).toBe(before);
  });

  it('spreads ids over buckets deterministically', () => {
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < 16_000; i++) counts[bucketOf(`CVE-2024-${i}`, 16)]! += 1;
    expect(Math.min(...counts)).toBeGreaterThan(800);
    expect(bucketOf('CVE-2024-1', 16)).toBe(bucketOf('CVE-2024-1', 16));
  });
});

const corpus = vulndataPath('debian');

describe.skipIf(!corpus)('debian: the whole real corpus (shared/vulndata/debian)', () => {
  it('parses every DSA, DLA and DTSA entry into valid advisories', async () => {
    const sink = collectingSink();
    await parseDebianDir(corpus as string, sink);
    const parsed = sink.parsed();
    // Expected counts from awk over the files: entries with a CVE or a package line
    // (5406 DSA, 3534 DLA and 208 DTSA headers; announcements name neither).
    expect(parsed.filter((a) => a.id.startsWith('DSA-'))).toHaveLength(5391);
    expect(parsed.filter((a) => a.id.startsWith('DLA-'))).toHaveLength(3530);
    expect(parsed.filter((a) => a.id.startsWith('DTSA-'))).toHaveLength(208);
    expect(new Set(parsed.map((a) => a.id)).size).toBe(parsed.length);
    // One real data error: `[woody] - kernel-image-2.4.17-ia64 kernel-image-2.4.17-ia64` (line 17244).
    expect(sink.problems.map((p) => [p.code, p.path])).toEqual([['VERSION_INVALID', 'DSA-list']]);
    const dsa = sink.byId('DSA-5380-1');
    expect(dsa?.affected?.[0]).toMatchObject({ ecosystem: 'Debian:11', name: 'xorg-server', status: 'fixed' });
  });
});
