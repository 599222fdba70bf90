import { chmod, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { collectingSink } from '../../../test/helpers/feed-sink.js';
import { buildTar, type TarItem } from '../../../test/helpers/tar-builder.js';
import { tmpDirPool } from '../../../test/helpers/tmp.js';
import { type ArchiveOptions, archiveEntries, type FeedFile, feedFiles, isBookkeeping, lines, readCapped, repoFiles, safeMemberName, walkFiles } from './feed-io.js';
import { FeedReporter } from './reporter.js';
import { writeTarGz } from './testdata/archives.js';

const tmp = tmpDirPool('feed-io');
afterAll(() => tmp.removeAll());

const TESTDATA = fileURLToPath(new URL('./testdata/', import.meta.url));
const OPTS: ArchiveOptions = { want: () => true, maxEntries: 100, maxEntryBytes: 1024, maxTotalBytes: 1024 * 1024 };

/** Runs a reader with a fresh reporter: what it yielded, and its problems as `CODE path: message`. */
async function run<T>(read: (rep: FeedReporter) => AsyncIterable<T>): Promise<{ got: T[]; problems: string[] }> {
  const sink = collectingSink();
  const got: T[] = [];
  for await (const x of read(new FeedReporter(sink, 'test'))) got.push(x);
  return { got, problems: sink.problems.map((p) => `${p.code} ${p.path}: ${p.message}`) };
}

const shown = (files: FeedFile[]) => files.map((f) => `${f.path}=${f.data.toString()}`);

/** A directory holding `files` (relative path → content). */
async function dirWith(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await tmp.make();
  for (const [rel, data] of Object.entries(files)) {
    await mkdir(join(dir, rel, '..'), { recursive: true });
    await writeFile(join(dir, rel), data);
  }
  return dir;
}

async function archive(name: string, items: TarItem[], wrap: (tar: Buffer) => Buffer = (t) => t): Promise<string> {
  return dirWith({ [name]: wrap(await buildTar(items)) });
}

describe('lines', () => {
  it('splits across chunk borders, drops \\r, and skips over-long lines without holding them', async () => {
    const chunks = ['ab', 'c\r\nde', 'f\n', 'x'.repeat(50), 'y\nlast'].map((s) => Buffer.from(s));
    expect((await run(() => lines(Readable.from(chunks), 20))).got).toEqual([{ text: 'abc' }, { text: 'def' }, { text: '', tooLong: true }, { text: 'last' }]);
    expect((await run(() => lines(Readable.from([Buffer.from('')]), 20))).got).toEqual([]);
  });
});

describe('walkFiles', () => {
  it('lists regular files sorted, skipping update bookkeeping', async () => {
    const dir = await dirWith(Object.fromEntries(['b/2.json', 'a.json', 'state.json', 'b/1.json.part', 'b/1.json.part-meta', 'c.json.prev', 'd.json.tmp-1-abcd'].map((f) => [f, '{}'])));
    expect(await run((rep) => walkFiles(dir, 5, rep))).toEqual({ got: ['a.json', 'b/2.json'], problems: [] });
    expect(isBookkeeping('sub/state.json')).toBe(false);
  });

  it('skips dot-entries and symbolic links (a loop, a way out), and reports directories past the depth bound', async () => {
    const dir = await dirWith({ 'in/a.json': '1', '.git/objects/x.json': '2', '.hidden.json': '3', 'd1/d2/d3/deep.json': '4', 'd1/d2/ok.json': '5' });
    const outside = await dirWith({ 'secret.json': 'S' });
    await symlink(dir, join(dir, 'in', 'loop'));
    await symlink(join(outside, 'secret.json'), join(dir, 'in', 'link.json'));
    expect(await run((rep) => walkFiles(dir, 2, rep))).toEqual({ got: ['d1/d2/ok.json', 'in/a.json'], problems: ['FEED_PARSE d1/d2/d3: directory nested deeper than 2 levels skipped'] });
  });

  it('reports a missing feed directory and an unreadable subdirectory instead of throwing', async () => {
    const gone = join(await tmp.make(), 'nope');
    const missing = await run((rep) => walkFiles(gone, 5, rep));
    expect(missing).toEqual({ got: [], problems: [expect.stringMatching(/^FEED_PARSE \.: cannot read directory: ENOENT/)] });
    const dir = await dirWith({ 'a/x.json': '1', 'b/y.json': '2' });
    await chmod(join(dir, 'a'), 0o000);
    try {
      const r = await run((rep) => walkFiles(dir, 5, rep));
      // root ignores permissions; elsewhere a/ cannot be listed.
      if (process.getuid?.() === 0) expect(r).toEqual({ got: ['a/x.json', 'b/y.json'], problems: [] });
      else expect(r).toEqual({ got: ['b/y.json'], problems: [expect.stringMatching(/^FEED_PARSE a: cannot read directory: EACCES/)] });
    } finally {
      await chmod(join(dir, 'a'), 0o755);
    }
  });
});

describe('readCapped', () => {
  it('reads a file whole, and refuses one over the cap or unreadable with a problem', async () => {
    const dir = await dirWith({ 'ok.txt': 'fine', 'big.zip': 'x'.repeat(100), 'sub/a': '' });
    const got: (string | undefined)[] = [];
    const r = await run(async function* (rep) {
      got.push((await readCapped(dir, 'ok.txt', 10, rep))?.toString());
      got.push((await readCapped(dir, 'big.zip', 10, rep, 'zip'))?.toString());
      got.push((await readCapped(dir, 'sub', 10, rep))?.toString());
      got.push((await readCapped(dir, 'gone.txt', 10, rep))?.toString());
    });
    expect(got).toEqual(['fine', undefined, undefined, undefined]);
    expect(r.problems).toEqual(['FEED_PARSE big.zip: zip is 100 bytes, over the limit of 10', 'FEED_PARSE sub: cannot read file: not a regular file', expect.stringMatching(/^FEED_PARSE gone\.txt: cannot read file: ENOENT/)]);
  });
});

describe('safeMemberName', () => {
  it.each([
    ['repo-main/gems/a/b.yml', 'repo-main/gems/a/b.yml'],
    ['./repo//gems/./a.yml', 'repo/gems/a.yml'],
    ['././ok/a.json', 'ok/a.json'],
    ['../x.yml', undefined],
    ['repo/../../x.yml', undefined],
    ['/etc/passwd', undefined],
    ['C:/Windows/x.yml', undefined],
    ['a\\..\\..\\x.yml', undefined],
    ['a/b\0.json', undefined],
    ['./', undefined],
  ])('%j → %s', (name, want) => expect(safeMemberName(name)).toBe(want));
});

describe('archiveEntries', () => {
  it('yields wanted members; skips unsafe names, links and oversized members with problems', async () => {
    const dir = await archive('a.tar', [
      { name: './ok/a.json', content: '1' },
      { name: '/abs/b.json', content: '2' },
      { name: 'x/../../c.json', content: '3' },
      { name: 'big.json', content: 'z'.repeat(100) },
      { name: 'link.json', type: 'symlink', linkname: '/etc/passwd' },
      { name: 'hard.json', type: 'link', linkname: 'ok/a.json' },
      { name: 'other.txt', content: 'ignored' },
    ]);
    const r = await run((rep) => archiveEntries(dir, 'a.tar', { ...OPTS, want: (n) => n.endsWith('.json'), maxEntryBytes: 50 }, rep));
    expect(r.got.map((e) => [e.name, e.path, e.data.toString()])).toEqual([['ok/a.json', 'a.tar!ok/a.json', '1']]);
    expect(r.problems).toEqual([
      'TAR_ENTRY_UNSAFE a.tar: unsafe member name "/abs/b.json" skipped',
      'TAR_ENTRY_UNSAFE a.tar: unsafe member name "x/../../c.json" skipped',
      'FEED_PARSE a.tar!big.json: member is 100 bytes, over the limit of 50',
    ]);
  });

  it('reads plain, gzip and zstd tars alike, by magic bytes whatever the name says', async () => {
    const plain = (await run((rep) => archiveEntries(TESTDATA, 'codeload.tar.zst', OPTS, rep))).got;
    expect(plain.map((e) => [e.name, e.data.toString()])).toEqual([
      ['repo-main/a.json', '{"a":1}\n'],
      ['repo-main/sub/b.json', '{"b":2}\n'],
    ]);
    const items = plain.map((e) => ({ name: e.name, content: e.data }));
    for (const [name, wrap] of [['x.tar.gz', gzipSync], ['misnamed.tar.gz', (t: Buffer) => t], ['x.tgz.tar', gzipSync]] as const) {
      const dir = await archive(name, items, wrap);
      const r = await run((rep) => archiveEntries(dir, name, OPTS, rep));
      expect(r.problems).toEqual([]);
      expect(r.got.map((e) => [e.name, e.data.toString()])).toEqual(plain.map((e) => [e.name, e.data.toString()]));
    }
  });

  it("strips a codeload tarball's <repo>-<ref>/ folder when asked; files beside it are outside the tree", async () => {
    const zst = await dirWith({ 'c.tar.zst': await readFile(join(TESTDATA, 'codeload.tar.zst')) });
    const r = await run((rep) => archiveEntries(zst, 'c.tar.zst', { ...OPTS, stripRoot: true }, rep));
    expect(shown(r.got)).toEqual(['c.tar.zst!a.json={"a":1}\n', 'c.tar.zst!sub/b.json={"b":2}\n']);
    const beside = await archive('b.tar', [{ name: 'README', content: 'top' }, { name: 'r/x.json', content: 'X' }]);
    expect(shown((await run((rep) => archiveEntries(beside, 'b.tar', { ...OPTS, stripRoot: true }, rep))).got)).toEqual(['b.tar!x.json=X']);
  });

  it('stops a compression bomb at the decompressed-bytes cap with one problem', async () => {
    // 64 MiB of zeros gzip to ~64 KiB; a tar of zero blocks is also a valid (empty) archive end.
    const dir = await dirWith({ 'bomb.tar.gz': gzipSync(Buffer.alloc(64 * 1024 * 1024)) });
    expect(await run((rep) => archiveEntries(dir, 'bomb.tar.gz', OPTS, rep))).toEqual({ got: [], problems: [`FEED_PARSE bomb.tar.gz: corrupt or truncated archive: inflates to more than ${1024 * 1024} bytes`] });
  });

  it('stops after too many members, counting members of every type', async () => {
    const dir = await archive('many.tar', [{ name: 'r/', type: 'directory' }, ...Array.from({ length: 5 }, (_, i) => ({ name: `r/${i}.txt`, content: `${i}` }))]);
    const r = await run((rep) => archiveEntries(dir, 'many.tar', { ...OPTS, maxEntries: 3 }, rep));
    expect({ got: shown(r.got), problems: r.problems }).toEqual({ got: ['many.tar!r/0.txt=0', 'many.tar!r/1.txt=1'], problems: ['FEED_PARSE many.tar: more than 3 members; the rest of the archive was skipped'] });
  });

  it('reports a truncated or corrupt archive after the members before the damage', async () => {
    const tar = await buildTar([
      { name: 'a.json', content: '1' },
      { name: 'b.json', content: 'x'.repeat(5000) },
    ]);
    const dir = await dirWith({ 'cut.tar': tar.subarray(0, 1500), 'cut.tar.gz': gzipSync(tar).subarray(0, 60), 'bad.tar.zst': Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3, 4]) });
    const cut = await run((rep) => archiveEntries(dir, 'cut.tar', OPTS, rep));
    expect({ names: cut.got.map((e) => e.name), problems: cut.problems }).toEqual({ names: ['a.json'], problems: [expect.stringMatching(/^FEED_PARSE cut\.tar: corrupt or truncated archive: /)] });
    for (const name of ['cut.tar.gz', 'bad.tar.zst', 'gone.tar']) {
      expect((await run((rep) => archiveEntries(dir, name, OPTS, rep))).problems).toEqual([expect.stringMatching(new RegExp(`^FEED_PARSE ${name.replace(/\./g, '\\.')}: (corrupt or truncated archive|cannot read archive): `))]);
    }
  });

  it('can be left early by the caller without a hang or a stray error', async () => {
    const dir = await archive('x.tar.gz', Array.from({ length: 50 }, (_, i) => ({ name: `r/${i}.json`, content: 'y'.repeat(2000) })), gzipSync);
    const r = await run(async function* (rep) {
      for await (const e of archiveEntries(dir, 'x.tar.gz', { ...OPTS, maxEntryBytes: 4096 }, rep)) {
        yield e.name;
        break;
      }
    });
    expect(r).toEqual({ got: ['r/0.json'], problems: [] });
  });
});

describe('feedFiles and repoFiles', () => {
  it('read tree files and archives alike, with one cap for both', async () => {
    const dir = await dirWith({ 'sub/a.yml': 'tree', 'sub/big.yml': 'B'.repeat(2000), 'notes.txt': 'no', 'nested/x.tar': await buildTar([{ name: 'p/b.yml', content: 'member' }]) });
    const r = await run((rep) => feedFiles(dir, { ...OPTS, maxDepth: 3, want: (n) => n.endsWith('.yml'), isArchive: (rel) => rel.endsWith('.tar') }, rep));
    expect({ got: shown(r.got), problems: r.problems }).toEqual({ got: ['nested/x.tar!p/b.yml=member', 'sub/a.yml=tree'], problems: ['FEED_PARSE sub/big.yml: file is 2000 bytes, over the limit of 1024'] });
  });

  it('repoFiles reads the tree and top-level codeload tarballs (root folder stripped), not tarballs deeper down', async () => {
    const dir = await dirWith({ 'sub/a.yml': 'tree' });
    await writeTarGz(join(dir, 'top.tar.gz'), [{ name: 'r/b.yml', data: 'tar' }]);
    await writeTarGz(join(dir, 'sub', 'nested.tar.gz'), [{ name: 'r/c.yml', data: 'nested' }]);
    const r = await run((rep) => repoFiles(dir, (name) => name.endsWith('.yml'), { ...OPTS, maxDepth: 3 }, rep));
    expect({ got: shown(r.got), problems: r.problems }).toEqual({ got: ['sub/a.yml=tree', 'top.tar.gz!b.yml=tar'], problems: [] });
  });
});
