import { describe, expect, it } from 'vitest';
import type { CapturedFile } from '../types.js';
import { readBuildInfo } from './buildinfo.js';
import { parseElf } from './elf.js';
import { parseGoMod } from './gomod.js';
import { goCataloger } from './index.js';
import { buildElf, sectionHeaderOffset, uvarint, VADDR_BASE } from './testdata/elf-builder.js';

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const START = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex');
const END = Buffer.from('f932433186182072008242104116d8f2', 'hex');
const MODINFO = 'path\texample.com/x\nmod\texample.com/x\tv1.0.0\th1:abc=\ndep\tgolang.org/x/text\tv0.3.0\th1:def=\n=>\tgolang.org/x/text\tv0.3.8\th1:ghi=\nbuild\tGOOS=linux\n';
const wrapped = Buffer.concat([START, Buffer.from(MODINFO), END]);

function header(ptrSize: number, flags: number): Buffer {
  const h = Buffer.alloc(32);
  MAGIC.copy(h);
  h[14] = ptrSize;
  h[15] = flags;
  return h;
}

function inline(version: Buffer, mod: Buffer): Buffer {
  return Buffer.concat([header(8, 2), uvarint(version.length), version, uvarint(mod.length), mod]);
}

describe('go buildinfo: synthetic layouts', () => {
  it('reads the inline (Go ≥ 1.18) layout from .go.buildinfo and, without section headers, from the writable segment', () => {
    const data = inline(Buffer.from('go1.21.3'), wrapped);
    for (const noSectionHeaders of [false, true]) {
      const r = readBuildInfo(buildElf({ sections: [{ name: '.go.buildinfo', data }], noSectionHeaders }).file);
      expect(r).toEqual({ kind: 'found', info: { goVersion: 'go1.21.3', modinfo: MODINFO } });
    }
  });

  it('reads the pre-1.18 pointer layout through virtual addresses', () => {
    const version = Buffer.from('go1.15.2');
    const strings = (offs: number[]) => {
      // Two Go string headers (ptr, len) followed by the bytes they point at.
      const b = Buffer.alloc(32);
      const base = VADDR_BASE + BigInt(offs[1] ?? 0);
      b.writeBigUInt64LE(base + 32n, 0);
      b.writeBigUInt64LE(BigInt(version.length), 8);
      b.writeBigUInt64LE(base + 32n + BigInt(version.length), 16);
      b.writeBigUInt64LE(BigInt(wrapped.length), 24);
      return Buffer.concat([b, version, wrapped]);
    };
    const hdr = (offs: number[]) => {
      const h = header(8, 0);
      h.writeBigUInt64LE(VADDR_BASE + BigInt(offs[1] ?? 0), 16);
      h.writeBigUInt64LE(VADDR_BASE + BigInt(offs[1] ?? 0) + 16n, 24);
      return h;
    };
    const first = buildElf({ sections: [{ name: '.go.buildinfo', data: header(8, 0) }, { name: '.data', data: strings([0, 0]) }] });
    const { file } = buildElf({ sections: [{ name: '.go.buildinfo', data: hdr(first.offsets) }, { name: '.data', data: strings(first.offsets) }] });
    const r = readBuildInfo(file);
    expect(r).toEqual({ kind: 'found', info: { goVersion: 'go1.15.2', modinfo: MODINFO } });
    const s = goCataloger.summarize?.({ path: '/app', content: file });
    expect(s).toMatchObject({ goVersion: 'go1.15.2', main: { path: 'example.com/x', version: 'v1.0.0' } });
    expect(s?.deps).toEqual([['golang.org/x/text', 'v0.3.0', 'h1:def=', ['golang.org/x/text', 'v0.3.8', 'h1:ghi=']]]);
  });
});

describe('go buildinfo: hostile binaries', () => {
  const good = buildElf({ sections: [{ name: '.go.buildinfo', data: inline(Buffer.from('go1.21.3'), wrapped) }] }).file;

  it('survives every truncation of a valid file', () => {
    for (let n = 0; n < good.length; n += 7) {
      const r = readBuildInfo(good.subarray(0, n));
      expect(['none', 'error', 'found']).toContain(r.kind);
    }
  });

  it('section headers pointing out of bounds: no section, no throw', () => {
    const f = Buffer.from(good);
    f.writeBigUInt64LE(0xffffffffffffn, 40);
    expect(parseElf(f)?.sections).toEqual([]);
    const g = Buffer.from(good);
    // The first real section's offset points far past the end of the file.
    g.writeBigUInt64LE(0x7fffffffn, sectionHeaderOffset(g) + 64 + 24);
    expect(() => readBuildInfo(g)).not.toThrow();
    const h = Buffer.from(good);
    h.writeUInt16LE(0xffff, 60); // e_shnum beyond the file
    expect(() => readBuildInfo(h)).not.toThrow();
  });

  it('absurd varint lengths are errors, not allocations', () => {
    for (const len of [2 ** 40, 2 ** 31, 5_000_000, 1_000]) {
      const data = Buffer.concat([header(8, 2), uvarint(len), Buffer.from('go1.21')]);
      const r = readBuildInfo(buildElf({ sections: [{ name: '.go.buildinfo', data }] }).file);
      expect(r.kind).toBe('error');
    }
    const endless = Buffer.concat([header(8, 2), Buffer.alloc(64, 0xff)]);
    expect(readBuildInfo(buildElf({ sections: [{ name: '.go.buildinfo', data: endless }] }).file).kind).toBe('error');
  });

  it('pre-1.18 pointers outside every segment are errors', () => {
    const h = header(8, 0);
    h.writeBigUInt64LE(0xdeadbeefn, 16);
    h.writeBigUInt64LE(0xffffffffffffff00n, 24);
    expect(readBuildInfo(buildElf({ sections: [{ name: '.go.buildinfo', data: h }] }).file)).toMatchObject({ kind: 'error' });
    expect(readBuildInfo(buildElf({ sections: [{ name: '.go.buildinfo', data: header(3, 0) }] }).file)).toMatchObject({ kind: 'error' });
  });

  it('10,000 random ELF-looking files: never a throw, within a time bound', () => {
    let x = 42;
    const rnd = () => {
      x = (x * 1103515245 + 12345) >>> 0;
      return x >>> 24;
    };
    const started = Date.now();
    for (let i = 0; i < 10_000; i++) {
      const f = Buffer.alloc(256 + (i % 8) * 512);
      for (let j = 0; j < f.length; j++) f[j] = rnd();
      Buffer.from('\x7fELF', 'latin1').copy(f);
      f[4] = 1 + (i % 2);
      f[5] = 1 + ((i >> 1) % 2);
      if (i % 3 === 0) MAGIC.copy(f, 128 + (i % 4) * 16);
      expect(() => goCataloger.summarize?.({ path: '/bin/x', content: f })).not.toThrow();
    }
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('an error summary becomes a CATALOG_PARSE problem with path, layer and source', () => {
    const bad = buildElf({ sections: [{ name: '.go.buildinfo', data: Buffer.concat([header(8, 2), uvarint(2 ** 40)]) }] }).file;
    const summary = goCataloger.summarize?.({ path: '/bin/bad', content: bad }) ?? null;
    const file: CapturedFile = { path: '/bin/bad', content: Buffer.alloc(0), layerDiffId: 'sha256:aa', wantedBy: ['go'], summaries: { go: summary } };
    const r = goCataloger.catalog({ files: () => [file], read: () => file, exists: () => true, os: undefined });
    expect(r.packages).toEqual([]);
    expect(r.problems).toEqual([expect.objectContaining({ code: 'CATALOG_PARSE', path: '/bin/bad', layer: 'sha256:aa', source: 'go' })]);
  });
});

describe('go.mod', () => {
  it('reads require blocks, indirect comments, quoted paths and replace forms', () => {
    const mod = parseGoMod(
      [
        'module example.com/m // the module',
        'go 1.22',
        'require golang.org/x/net v0.20.0',
        'require (',
        '\tgithub.com/a/b v1.0.0 // indirect',
        '\t"github.com/c/d" v2.0.0+incompatible',
        ')',
        'replace github.com/a/b => github.com/fork/b v1.0.1',
        'replace (',
        '\tgolang.org/x/net v0.20.0 => ./net',
        '\tgolang.org/x/net v0.19.0 => golang.org/x/net v0.21.0',
        ')',
        'exclude github.com/e/f v1.0.0',
        'require broken',
      ].join('\n'),
    );
    expect(mod.module).toBe('example.com/m');
    expect(mod.go).toBe('1.22');
    expect(mod.requires).toEqual([
      { path: 'golang.org/x/net', version: 'v0.20.0', indirect: false },
      { path: 'github.com/a/b', version: 'v1.0.0', indirect: true },
      { path: 'github.com/c/d', version: 'v2.0.0+incompatible', indirect: false },
    ]);
    expect(mod.replaces).toHaveLength(3);
    expect(mod.errors).toEqual(['line 14: require broken']);
  });

  it('catalogs go.mod with replacements applied and problems for bad lines', () => {
    const text = 'module m\nrequire (\n\tgithub.com/a/b v1.0.0 // indirect\n\tgolang.org/x/net v0.20.0\n)\nreplace github.com/a/b => github.com/fork/b v1.0.1\nreplace golang.org/x/net => ../net\nrequire ((((\n';
    const content = Buffer.from(text);
    const summary = goCataloger.summarize?.({ path: '/src/go.mod', content }) ?? null;
    const file: CapturedFile = { path: '/src/go.mod', content: Buffer.alloc(0), wantedBy: ['go'], summaries: { go: summary } };
    const r = goCataloger.catalog({ files: () => [file], read: () => file, exists: () => true, os: undefined });
    expect(r.packages.map((p) => [p.name, p.version, p.metadata?.indirect ?? false])).toEqual([
      ['github.com/fork/b', 'v1.0.1', true],
      ['golang.org/x/net', '', false],
    ]);
    expect(r.problems.map((p) => p.code)).toEqual(['CATALOG_PARSE']);
  });

  it('wants go.mod by name and executables by mode and size only', () => {
    expect(goCataloger.wants('/src/go.mod')).toBe(true);
    expect(goCataloger.wants('/usr/bin/app', { mode: 0o100755, size: 5_000_000 })).toBe(true);
    expect(goCataloger.wants('/usr/bin/app', { mode: 0o100644, size: 5_000_000 })).toBe(false);
    expect(goCataloger.wants('/usr/bin/app', { mode: 0o100755, size: 100 })).toBe(false);
    expect(goCataloger.wants('/usr/bin/run.sh', { mode: 0o100755, size: 50_000 })).toBe(false);
    expect(goCataloger.wants('/usr/bin/app')).toBe(false);
  });
});
