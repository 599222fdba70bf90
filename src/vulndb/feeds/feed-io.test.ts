import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { collectingSink } from '../../../test/helpers/feed-sink.js';
import { buildTar } from '../../../test/helpers/tar-builder.js';
import { tmpDirPool } from '../../../test/helpers/tmp.js';
import { archiveEntries, isBookkeeping, lines, walkFiles } from './feed-io.js';
import { FeedReporter } from './reporter.js';

const tmp = tmpDirPool('feed-io');
afterAll(() => tmp.removeAll());

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('lines', () => {
  it('splits across chunk borders, drops \\r, and skips over-long lines without holding them', async () => {
    const chunks = ['ab', 'c\r\nde', 'f\n', 'x'.repeat(50), 'y\nlast'].map((s) => Buffer.from(s));
    const got = await collect(lines(Readable.from(chunks), 20));
    expect(got).toEqual([{ text: 'abc' }, { text: 'def' }, { text: '', tooLong: true }, { text: 'last' }]);
    expect(await collect(lines(Readable.from([Buffer.from('')]), 20))).toEqual([]);
  });
});

describe('walkFiles', () => {
  it('lists regular files sorted, skipping update bookkeeping', async () => {
    const dir = await tmp.make();
    for (const f of ['b/2.json', 'a.json', 'state.json', 'b/1.json.part', 'b/1.json.part-meta', 'c.json.prev', 'd.json.tmp-1-abcd']) {
      await mkdir(join(dir, f, '..'), { recursive: true });
      await writeFile(join(dir, f), '{}');
    }
    expect(await collect(walkFiles(dir, () => true))).toEqual(['a.json', 'b/2.json']);
    expect(isBookkeeping('sub/state.json')).toBe(false);
  });
});

describe('archiveEntries', () => {
  it('yields accepted members, skips unsafe names, links and oversized members with problems', async () => {
    const dir = await tmp.make();
    const tar = await buildTar([
      { name: './ok/a.json', content: '1' },
      { name: '/abs/b.json', content: '2' },
      { name: 'x/../../c.json', content: '3' },
      { name: 'big.json', content: 'z'.repeat(100) },
      { name: 'link.json', type: 'symlink', linkname: '/etc/passwd' },
      { name: 'other.txt', content: 'ignored' },
    ]);
    await writeFile(join(dir, 'a.tar'), tar);
    const sink = collectingSink();
    const rep = new FeedReporter(sink, 'test');
    const got = await collect(archiveEntries(dir, 'a.tar', { accept: (n) => n.endsWith('.json'), maxEntryBytes: 50 }, rep));
    expect(got.map((e) => [e.name, e.data.toString()])).toEqual([['ok/a.json', '1']]);
    expect(sink.problems.map((p) => p.code)).toEqual(['TAR_ENTRY_UNSAFE', 'TAR_ENTRY_UNSAFE', 'FEED_PARSE']);
  });

  it('reports a truncated archive after the members before the damage', async () => {
    const dir = await tmp.make();
    const tar = await buildTar([
      { name: 'a.json', content: '1' },
      { name: 'b.json', content: 'x'.repeat(5000) },
    ]);
    await writeFile(join(dir, 'cut.tar'), tar.subarray(0, 1500));
    const sink = collectingSink();
    const got = await collect(archiveEntries(dir, 'cut.tar', { accept: () => true, maxEntryBytes: 1e6 }, new FeedReporter(sink, 'test')));
    expect(got.map((e) => e.name)).toEqual(['a.json']);
    expect(sink.problems.map((p) => p.message)).toEqual([expect.stringMatching(/corrupt or truncated/)]);
  });
});
