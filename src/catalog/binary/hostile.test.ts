import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { binaryCataloger } from './index.js';
import { MAX_HITS, MAX_SCAN_BYTES } from './scan.js';
import { viewOf } from './testdata/view.js';

const ELF = Buffer.from('7f454c4602010100', 'hex');
const summarize = (path: string, content: Buffer) => binaryCataloger.summarize?.({ path, content }) ?? null;

describe('binary cataloger: hostile input', () => {
  it('searches only the first MAX_SCAN_BYTES of a huge file', () => {
    // Zero-filled pages are mapped lazily: this costs address space, not memory.
    const huge = Buffer.alloc(MAX_SCAN_BYTES + 4096);
    ELF.copy(huge, 0);
    const text = Buffer.from('\0OpenSSL 3.0.19 27 Jan 2026\0', 'latin1');
    text.copy(huge, MAX_SCAN_BYTES + 100);
    expect(summarize('/usr/bin/openssl', huge)).toBeNull();
    text.copy(huge, MAX_SCAN_BYTES - 200);
    expect(summarize('/usr/bin/openssl', huge)).toMatchObject({ version: '3.0.19' });
  });

  it('declares a size limit, so the reader records FILE_TOO_LARGE for bigger libraries', () => {
    expect(binaryCataloger.maxFileSize).toBe(MAX_SCAN_BYTES);
  });

  it('gives up on a file made of anchors, with a problem naming the file', () => {
    const bomb = Buffer.concat([ELF, Buffer.from('\0OpenSSL x'.repeat(MAX_HITS + 10), 'latin1')]);
    const s = summarize('/usr/lib/libcrypto.so.3', bomb);
    expect(s).toEqual({ error: `more than ${MAX_HITS} candidate version strings` });
    const { packages, problems } = binaryCataloger.catalog(viewOf([{ path: '/usr/lib/libcrypto.so.3', content: bomb }]));
    expect(packages).toEqual([]);
    expect(problems).toMatchObject([{ code: 'CATALOG_PARSE', path: '/usr/lib/libcrypto.so.3', source: 'binary' }]);
    expect(problems[0]?.message).toContain('/usr/lib/libcrypto.so.3');
  });

  it('finds nothing in a truncated snippet whose version string is cut', () => {
    const real = readFileSync(join(import.meta.dirname, 'testdata', 'snippets', 'openssl-3.0.19', 'openssl'));
    const at = real.indexOf('OpenSSL 3.0.1');
    for (const cut of [0, 3, at, at + 8, at + 12]) expect(summarize('/usr/bin/openssl', real.subarray(0, cut)), `cut at ${cut}`).toBeNull();
  });

  it('finds nothing in random bytes behind an ELF header, for every classifier', () => {
    let x = 7;
    const noise = Buffer.alloc(1 << 20);
    for (let i = 0; i < noise.length; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      noise[i] = x >>> 24;
    }
    const garbage = Buffer.concat([ELF, noise]);
    for (const path of ['/usr/bin/node', '/usr/bin/python3.11', '/usr/lib/libssl.so.1.1', '/bin/busybox', '/opt/jdk/bin/java', '/opt/jdk/lib/server/libjvm.so', '/opt/jdk/release']) {
      expect(summarize(path, garbage), path).toBeNull();
    }
  });

  it('never reads a version longer than its window, and long digit runs do not backtrack', () => {
    const long = Buffer.concat([ELF, Buffer.from(`\0OpenSSL 3.0.${'9'.repeat(5000)} 27 Jan 2026\0`, 'latin1')]);
    expect(summarize('/usr/bin/openssl', long)).toBeNull();
    const release = Buffer.from(`JAVA_VERSION="${'1.'.repeat(30_000)}"\n`);
    expect(summarize('/opt/jdk/release', release)).toBeNull();
  });

  it('reports nothing, and no problem, for empty and tiny files', () => {
    for (const content of [Buffer.alloc(0), Buffer.from([0x7f]), ELF]) {
      const { packages, problems } = binaryCataloger.catalog(viewOf([{ path: '/usr/bin/node', content }]));
      expect(packages).toEqual([]);
      expect(problems).toEqual([]);
    }
  });

  it('ignores summaries of the wrong shape (a cache written by another version)', () => {
    const view = viewOf([]);
    const files = [{ path: '/usr/bin/node', content: Buffer.alloc(0), wantedBy: ['binary'], summaries: { binary: { name: 7, version: ['x'] } } }];
    const { packages, problems } = binaryCataloger.catalog({ ...view, files: () => files });
    expect(packages).toEqual([]);
    expect(problems).toEqual([]);
  });
});
