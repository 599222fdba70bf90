import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildTar, streamOf } from '../../../test/helpers/tar-builder.js';
import { isPortcullisError } from '../../core/errors.js';
import { analyzeLayer, type AnalyzeOptions } from './analyze-layer.js';

const opts = (over: Partial<AnalyzeOptions> = {}): AnalyzeOptions => ({
  wants: (p) => p.startsWith('/etc/') || p === '/var/lib/dpkg/status',
  maxFileSize: () => 1024 * 1024,
  maxLayerBytes: 1024 ** 3,
  label: 'sha256:test',
  ...over,
});

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function rejectsWith(p: Promise<unknown>, code: string): Promise<Error> {
  try {
    await p;
  } catch (err) {
    expect(isPortcullisError(err)).toBe(true);
    expect((err as { code: string }).code).toBe(code);
    return err as Error;
  }
  throw new Error(`expected rejection with ${code}`);
}

describe('analyzeLayer', () => {
  it('reads plain, gzip and zstd layers to the same result and diffID', async () => {
    const tar = await buildTar([
      { name: './etc/', type: 'directory' },
      { name: './etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
      { name: './usr/bin/tool', content: Buffer.alloc(100_000, 7) },
      { name: './etc/.wh.old', content: '' },
      { name: './opt/.wh..wh..opq', content: '' },
    ]);
    const zst = execFileSync('zstd', ['-q', '-c'], { input: tar });
    for (const blob of [tar, gzipSync(tar), zst]) {
      const a = await analyzeLayer(streamOf(blob), opts());
      expect(a.diffId).toBe(sha(tar));
      expect(a.size).toBe(tar.length);
      expect(a.entries.map((e) => e.path)).toEqual(['/etc', '/etc/os-release', '/usr/bin/tool']);
      expect(a.captured.get('/etc/os-release')?.toString()).toContain('ID=debian');
      expect(a.captured.has('/usr/bin/tool')).toBe(false);
      expect(a.whiteouts).toEqual(['/etc/old']);
      expect(a.opaqueDirs).toEqual(['/opt']);
    }
  });

  it('records unsafe entries as problems and keeps reading', async () => {
    const tar = await buildTar([
      { name: '../../escape', content: 'x' },
      { name: '/abs/file', content: 'y' },
      { name: 'etc/link', type: 'symlink', linkname: '../../../../etc/shadow' },
      { name: 'etc/hard', type: 'link', linkname: '../../outside' },
      { name: 'dev/null', type: 'character-device' },
      { name: 'etc/passwd', content: 'root:x:0:0\n' },
    ]);
    const a = await analyzeLayer(streamOf(tar), opts());
    const codes = a.problems.map((p) => `${p.code} ${p.path}`);
    expect(codes).toEqual([
      'TAR_ENTRY_UNSAFE ../../escape',
      'TAR_ENTRY_UNSAFE /abs/file',
      'TAR_ENTRY_UNSAFE /etc/link',
      'TAR_ENTRY_UNSAFE /etc/hard',
      'TAR_ENTRY_DEVICE /dev/null',
    ]);
    expect(a.problems.every((p) => p.layer === 'sha256:test')).toBe(true);
    expect(a.entries.map((e) => e.path)).toEqual(['/abs/file', '/etc/link', '/dev/null', '/etc/passwd']);
    expect(a.captured.get('/etc/passwd')?.toString()).toBe('root:x:0:0\n');
  });

  it('shares captured content through hardlinks inside the layer', async () => {
    const tar = await buildTar([
      { name: 'etc/a', content: 'same' },
      { name: 'etc/b', type: 'link', linkname: 'etc/a' },
    ]);
    const a = await analyzeLayer(streamOf(tar), opts());
    expect(a.captured.get('/etc/b')?.toString()).toBe('same');
  });

  it('stops a decompression bomb at the byte limit with LAYER_TOO_LARGE', async () => {
    const tar = await buildTar([{ name: 'zeros', content: Buffer.alloc(8 * 1024 * 1024) }]);
    const bomb = gzipSync(tar, { level: 9 });
    expect(bomb.length).toBeLessThan(64 * 1024);
    const err = await rejectsWith(analyzeLayer(streamOf(bomb), opts({ maxLayerBytes: 1024 * 1024 })), 'LAYER_TOO_LARGE');
    expect(err.message).toContain('1048576');
  });

  it('rejects truncated and corrupt layers with LAYER_CORRUPT', async () => {
    const tar = await buildTar([{ name: 'etc/os-release', content: 'A'.repeat(5000) }]);
    await rejectsWith(analyzeLayer(streamOf(tar.subarray(0, 1500)), opts()), 'LAYER_CORRUPT');
    const gz = gzipSync(tar);
    await rejectsWith(analyzeLayer(streamOf(gz.subarray(0, gz.length - 20)), opts()), 'LAYER_CORRUPT');
    const garbage = Buffer.alloc(4096, 0x41);
    await rejectsWith(analyzeLayer(streamOf(garbage), opts()), 'LAYER_CORRUPT');
    const flipped = Buffer.from(gz);
    const mid = Math.floor(flipped.length / 2);
    flipped.writeUInt8(flipped.readUInt8(mid) ^ 0xff, mid);
    await rejectsWith(analyzeLayer(streamOf(flipped), opts()), 'LAYER_CORRUPT');
    await rejectsWith(analyzeLayer(streamOf(Buffer.alloc(0)), opts()), 'LAYER_CORRUPT');
  });

  it('skips captures over the size limit with FILE_TOO_LARGE', async () => {
    const tar = await buildTar([{ name: 'var/lib/dpkg/status', content: Buffer.alloc(5000, 0x61) }]);
    const a = await analyzeLayer(streamOf(tar), opts({ maxFileSize: () => 1000 }));
    expect(a.captured.size).toBe(0);
    expect(a.problems.map((p) => p.code)).toEqual(['FILE_TOO_LARGE']);
  });

  it('handles long names (pax and GNU) beyond 100 bytes', async () => {
    const long = `etc/${'d'.repeat(120)}/${'f'.repeat(130)}`;
    const tar = await buildTar([{ name: long, content: 'deep' }]);
    const a = await analyzeLayer(streamOf(tar), opts());
    expect(a.captured.get(`/${long}`)?.toString()).toBe('deep');
    const gnu = execFileSync('bash', ['-c', `d=$(mktemp -d); mkdir -p "$d/etc/${'x'.repeat(150)}"; echo hi > "$d/etc/${'x'.repeat(150)}/f"; tar --format=gnu -C "$d" -c etc; rm -rf "$d"`]);
    const b = await analyzeLayer(streamOf(gnu), opts());
    expect(b.captured.get(`/etc/${'x'.repeat(150)}/f`)?.toString()).toBe('hi\n');
  });
});

describe('analyzeLayer: files only summarized share one buffer', () => {
  it('summarizes each from its own bytes and keeps a private copy of anything kept', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 1);
    const tar = await buildTar([
      { name: 'bin/a', content: Buffer.alloc(2000, 'a'), mode: 0o755 },
      { name: 'bin/big', content: big, mode: 0o755 },
      { name: 'bin/b', content: Buffer.alloc(10, 'b'), mode: 0o755 },
      { name: 'etc/kept', content: 'kept bytes' },
      { name: 'bin/c', content: Buffer.alloc(30, 'c'), mode: 0o755 },
    ]);
    const seen: string[] = [];
    const a = await analyzeLayer(streamOf(tar), {
      ...opts({ maxFileSize: () => 8 * 1024 * 1024 }),
      wants: (p) => p.startsWith('/bin/') || p === '/etc/kept',
      keepsBytes: (p) => p === '/etc/kept',
      // a summarizer: records what it saw, keeps nothing; the kept file keeps its bytes
      onCapture: (path, data) => {
        seen.push(`${path}:${data.length}:${data.subarray(0, 1).toString()}`);
        return { keep: path === '/etc/kept' ? data : Buffer.alloc(0), info: { wantedBy: ['t'] } };
      },
    });
    expect(seen).toEqual(['/bin/a:2000:a', `/bin/big:${big.length}:\u0001`, '/bin/b:10:b', '/etc/kept:10:k', '/bin/c:30:c']);
    expect(a.captured.get('/etc/kept')?.toString()).toBe('kept bytes');
    expect(a.captured.get('/bin/big')?.length).toBe(0);
  });

  it('copies bytes a summarize-only capture keeps after all, so the next file cannot overwrite them', async () => {
    const tar = await buildTar([
      { name: 'bin/x', content: 'first', mode: 0o755 },
      { name: 'bin/y', content: 'second', mode: 0o755 },
    ]);
    const a = await analyzeLayer(streamOf(tar), {
      ...opts(),
      wants: (p) => p.startsWith('/bin/'),
      keepsBytes: () => false, // wrong on purpose: onCapture keeps them
      onCapture: (_p, data) => ({ keep: data, info: { wantedBy: ['t'] } }),
    });
    expect(a.captured.get('/bin/x')?.toString()).toBe('first');
    expect(a.captured.get('/bin/y')?.toString()).toBe('second');
  });
});
