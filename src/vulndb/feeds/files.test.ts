import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { type ArchiveLimits, repoFiles, safeMemberName, tarGzFiles } from './files.js';
import { writeTarGz } from './testdata/archives.js';

const work = mkdtempSync(join(tmpdir(), 'portcullis-files-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const LIMITS: ArchiveLimits = { maxEntries: 100, maxEntryBytes: 1024, maxTotalBytes: 1024 * 1024 };

async function read(path: string, limits: ArchiveLimits = LIMITS) {
  const problems: string[] = [];
  const files: string[] = [];
  for await (const f of tarGzFiles(path, 'x.tar.gz', () => true, limits, (m, p) => problems.push(`${p}: ${m}`))) files.push(`${f.rel}=${f.data.toString()}`);
  return { files, problems };
}

describe('safeMemberName', () => {
  it.each([
    ['repo-main/gems/a/b.yml', 'repo-main/gems/a/b.yml'],
    ['./repo//gems/./a.yml', 'repo/gems/a.yml'],
    ['../x.yml', undefined],
    ['repo/../../x.yml', undefined],
    ['/etc/passwd', undefined],
    ['C:/Windows/x.yml', undefined],
  ])('%s → %s', (name, want) => expect(safeMemberName(name)).toBe(want));
});

describe('tarGzFiles', () => {
  it('stops a gzip bomb at the inflated-bytes cap with one problem', async () => {
    const path = join(work, 'bomb.tar.gz');
    // 64 MiB of zeros gzip to ~64 KiB; a tar of zero blocks is also a valid (empty) archive end.
    writeFileSync(path, gzipSync(Buffer.alloc(64 * 1024 * 1024)));
    const r = await read(path);
    expect(r.files).toEqual([]);
    expect(r.problems).toEqual([`x.tar.gz: corrupt or truncated archive: inflates to more than ${1024 * 1024} bytes`]);
  });

  it('stops after too many members', async () => {
    const path = join(work, 'many.tar.gz');
    await writeTarGz(path, Array.from({ length: 5 }, (_, i) => ({ name: `r/${i}.txt`, data: `${i}` })));
    expect(await read(path, { ...LIMITS, maxEntries: 3 })).toEqual({ files: ['r/0.txt=0', 'r/1.txt=1', 'r/2.txt=2'], problems: ['x.tar.gz: more than 3 members; the rest of the archive was skipped'] });
  });

  it('reads only regular files: directories, symlinks and hard links are passed over', async () => {
    const path = join(work, 'types.tar.gz');
    await writeTarGz(path, [{ name: 'r/', type: 'directory' }, { name: 'r/a.txt', data: 'A' }, { name: 'r/l.txt', type: 'symlink', linkname: '/etc/passwd' }]);
    expect(await read(path)).toEqual({ files: ['r/a.txt=A'], problems: [] });
  });
});

describe('repoFiles', () => {
  it('reads the tree and top-level tarballs, not tarballs deeper down', async () => {
    const dir = join(work, 'repo');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'sub', 'a.yml'), 'tree');
    await writeTarGz(join(dir, 'top.tar.gz'), [{ name: 'r/b.yml', data: 'tar' }]);
    await writeTarGz(join(dir, 'sub', 'nested.tar.gz'), [{ name: 'r/c.yml', data: 'nested' }]);
    const got: string[] = [];
    for await (const f of repoFiles(dir, (rel) => rel.endsWith('.yml'), { ...LIMITS, maxDepth: 3 }, (m) => got.push(`problem ${m}`))) got.push(`${f.rel}=${f.data.toString()}`);
    expect(got).toEqual(['sub/a.yml=tree', 'top.tar.gz!r/b.yml=tar']);
  });
});
