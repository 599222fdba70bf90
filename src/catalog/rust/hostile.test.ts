import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildElf } from '../go/testdata/elf-builder.js';
import type { CapturedFile } from '../types.js';
import { MAX_DECOMPRESSED, readAuditable } from './auditable.js';
import { rustCataloger } from './index.js';

const LAYER = `sha256:${'3'.repeat(64)}`;

function run(path: string, content: Buffer) {
  const summary = rustCataloger.summarize?.({ path, content }) ?? null;
  const file: CapturedFile = { path, content: Buffer.alloc(0), layerDiffId: LAYER, wantedBy: ['rust'], summaries: { rust: summary } };
  return rustCataloger.catalog({ files: () => [file], read: () => file, exists: () => true, os: undefined });
}

function depv0(data: Buffer): Buffer {
  return buildElf({ sections: [{ name: '.dep-v0', data }] }).file;
}

describe('hostile Cargo.lock', () => {
  it.each([
    ['broken TOML', '[[package]]\nname = "a\nversion = 1'],
    ['wrong types', '[[package]]\nname = 1\nversion = "1.0.0"\n'],
    ['package not an array', 'package = "x"\n'],
    ['binary garbage', '\u0000\u0001\u0002'.repeat(1000)],
    ['deep nesting', `a = ${'['.repeat(50_000)}`],
  ])('%s: one CATALOG_PARSE problem, no packages', (_name, text) => {
    const r = run('/app/Cargo.lock', Buffer.from(text));
    expect(r.packages).toEqual([]);
    expect(r.problems).toEqual([expect.objectContaining({ code: 'CATALOG_PARSE', path: '/app/Cargo.lock', layer: LAYER, source: 'rust' })]);
  });

  it('unresolvable dependency strings are skipped, not fatal', () => {
    const r = run('/app/Cargo.lock', Buffer.from('version = 3\n[[package]]\nname = "a"\nversion = "1.0.0"\ndependencies = ["ghost", "a 9.9.9", "(("]\n'));
    expect(r.packages.map((p) => p.name)).toEqual(['a']);
    expect(r.relationships).toEqual([]);
  });

  it('two versions of one crate: `name version` picks the right one, a bare ambiguous name none', () => {
    const lock = ['version = 3', '[[package]]\nname = "a"\nversion = "1.0.0"\ndependencies = ["b 1.0.0", "b"]', '[[package]]\nname = "b"\nversion = "1.0.0"', '[[package]]\nname = "b"\nversion = "2.0.0"'].join('\n');
    const r = run('/app/Cargo.lock', Buffer.from(lock));
    expect(r.packages.map((p) => p.id)).toEqual(['cargo:a@1.0.0', 'cargo:b@1.0.0', 'cargo:b@2.0.0']);
    expect(r.relationships).toEqual([{ from: 'cargo:a@1.0.0', to: 'cargo:b@1.0.0', type: 'depends-on' }]);
  });

  it('an oversized Cargo.lock is FILE_TOO_LARGE', () => {
    const r = run('/app/Cargo.lock', Buffer.alloc(11 * 1024 * 1024, 0x20));
    expect(r.problems.map((p) => p.code)).toEqual(['FILE_TOO_LARGE']);
  });
});

describe('hostile cargo-auditable binaries', () => {
  it('a zlib bomb in .dep-v0 stops at the cap', () => {
    const bomb = deflateSync(Buffer.alloc(MAX_DECOMPRESSED * 4, 0x20));
    expect(bomb.length).toBeLessThan(100_000);
    expect(readAuditable(depv0(bomb))).toEqual({ kind: 'error', message: expect.stringContaining('inflates beyond') });
    expect(run('/bin/app', depv0(bomb)).problems.map((p) => p.code)).toEqual(['CATALOG_PARSE']);
  });

  it.each([
    ['not zlib', Buffer.from('not compressed at all')],
    ['not JSON', deflateSync(Buffer.from('{"packages": ['))],
    ['wrong schema', deflateSync(Buffer.from('{"packages": [{"name": 1}]}'))],
    ['truncated zlib', deflateSync(Buffer.from(JSON.stringify({ packages: [] }))).subarray(0, 5)],
  ])('%s: an error summary, a CATALOG_PARSE problem', (_name, data) => {
    expect(readAuditable(depv0(data)).kind).toBe('error');
    const r = run('/bin/app', depv0(data));
    expect(r.packages).toEqual([]);
    expect(r.problems).toEqual([expect.objectContaining({ code: 'CATALOG_PARSE', path: '/bin/app', source: 'rust' })]);
  });

  it('dependency indices out of range are ignored', () => {
    const json = { packages: [{ name: 'a', version: '1.0.0', source: 'local', root: true, dependencies: [0, 7, 99999] }] };
    const r = run('/bin/app', depv0(deflateSync(Buffer.from(JSON.stringify(json)))));
    expect(r.packages.map((p) => p.id)).toEqual(['cargo:a@1.0.0']);
    expect(r.relationships).toEqual([]);
  });

  it('every truncation of the real fixture binary: no throw', () => {
    const real = readFileSync(join(import.meta.dirname, 'testdata/auditable-fixture'));
    for (let n = 0; n < real.length; n += 997) {
      expect(() => rustCataloger.summarize?.({ path: '/bin/x', content: real.subarray(0, n) })).not.toThrow();
    }
  });

  it('.dep-v0 pointing outside the file is an error', () => {
    const f = depv0(deflateSync(Buffer.from('{"packages":[]}')));
    const shoff = Number(f.readBigUInt64LE(40));
    f.writeBigUInt64LE(0xfffffffffn, shoff + 64 + 32); // section size
    expect(readAuditable(f)).toMatchObject({ kind: 'error' });
  });
});
