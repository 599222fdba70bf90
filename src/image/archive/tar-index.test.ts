import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPortcullisError } from '../../core/errors.js';
import { TarIndex, cleanMemberName } from './tar-index.js';
import { run } from './testdata/docker-fixture.js';

let dir: string;
const longDir = `blobs/${'d'.repeat(120)}`;
const longName = `${longDir}/${'f'.repeat(90)}.bin`;

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-tarindex-'));
  const src = join(dir, 'src');
  mkdirSync(join(src, longDir), { recursive: true });
  mkdirSync(join(src, 'blobs/sha256'), { recursive: true });
  writeFileSync(join(src, 'manifest.json'), '[{"hello":"world"}]');
  writeFileSync(join(src, longName), 'long name content');
  writeFileSync(join(src, 'blobs/sha256/aaa'), 'A'.repeat(1500));
  // Docker 25 and skopeo may link one blob to another member.
  linkSync(join(src, 'blobs/sha256/aaa'), join(src, 'blobs/sha256/hardlinked'));
  symlinkSync('aaa', join(src, 'blobs/sha256/symlinked'));
  symlinkSync('../../manifest.json', join(src, 'blobs/sha256/up-two'));
  symlinkSync('loop-b', join(src, 'blobs/sha256/loop-a'));
  symlinkSync('loop-a', join(src, 'blobs/sha256/loop-b'));
  for (const format of ['gnu', 'pax', 'ustar']) {
    const members = format === 'ustar' ? ['manifest.json', 'blobs/sha256'] : ['manifest.json', 'blobs'];
    run('tar', [`--format=${format}`, '-C', src, '-cf', join(dir, `${format}.tar`), ...members]);
  }
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('TarIndex', () => {
  for (const format of ['gnu', 'pax', 'ustar']) {
    it(`indexes a ${format} tar made by GNU tar and opens members by offset`, async () => {
      const index = await TarIndex.open(join(dir, `${format}.tar`));
      expect(index.has('manifest.json')).toBe(true);
      expect(await text(index.openMember('./manifest.json'))).toBe('[{"hello":"world"}]');
      expect((await index.readMember('blobs/sha256/aaa', 4096)).toString()).toBe('A'.repeat(1500));
      expect(await text(index.openMember('blobs/sha256/hardlinked'))).toBe('A'.repeat(1500));
      expect(await text(index.openMember('blobs/sha256/symlinked'))).toBe('A'.repeat(1500));
      expect(await text(index.openMember('blobs/sha256/up-two'))).toBe('[{"hello":"world"}]');
      expect(index.resolve('blobs/sha256/loop-a')).toBeUndefined();
      expect(index.has('blobs/sha256')).toBe(false); // a directory is no member to read
      if (format !== 'ustar') expect(await text(index.openMember(longName))).toBe('long name content');
    });
  }

  it('refuses to read a member beyond the cap', async () => {
    const index = await TarIndex.open(join(dir, 'gnu.tar'));
    const err = await index.readMember('blobs/sha256/aaa', 100).catch((e: unknown) => e);
    expect(isPortcullisError(err, 'IMAGE_FORMAT')).toBe(true);
  });

  it('rejects truncated archives and non-tar files', async () => {
    const whole = readFileSync(join(dir, 'gnu.tar'));
    const blob = (await TarIndex.open(join(dir, 'gnu.tar'))).resolve('blobs/sha256/aaa');
    if (!blob) throw new Error('fixture lacks blobs/sha256/aaa');
    // Inside a header, inside the blob's data, inside the first member's data.
    for (const cut of [blob.offset - 200, blob.offset + 700, 700]) {
      const path = join(dir, `cut-${cut}.tar`);
      writeFileSync(path, whole);
      truncateSync(path, cut);
      const err = await TarIndex.open(path).catch((e: unknown) => e);
      expect(isPortcullisError(err, 'IMAGE_FORMAT'), `cut at ${cut}`).toBe(true);
    }
    const junk = join(dir, 'junk.tar');
    writeFileSync(junk, Buffer.alloc(4096, 0x41));
    const err = await TarIndex.open(junk).catch((e: unknown) => e);
    expect(isPortcullisError(err, 'IMAGE_FORMAT')).toBe(true);
  });

  it('caps the member count', async () => {
    const err = await TarIndex.open(join(dir, 'gnu.tar'), { maxMembers: 2 }).catch((e: unknown) => e);
    expect(isPortcullisError(err, 'IMAGE_FORMAT')).toBe(true);
  });

  it('cleans member names without eating leading dots of file names', () => {
    expect(cleanMemberName('./manifest.json')).toBe('manifest.json');
    expect(cleanMemberName('/blobs//sha256/x')).toBe('blobs/sha256/x');
    expect(cleanMemberName('./.wh.file')).toBe('.wh.file');
  });
});
