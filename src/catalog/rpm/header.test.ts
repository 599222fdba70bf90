import { describe, expect, it } from 'vitest';
import { MAX_FILE_PATH_CHARS, parseHeader, TAG } from './header.js';
import { rpmCataloger } from './index.js';
import { evrOf, parseSourceRpm, purlNamespace } from './package.js';

type Value = { type: 4; values: number[] } | { type: 6; value: string } | { type: 8; values: string[] } | { type: 5; value: bigint };

/** Encodes a database header blob (il, dl, index, data), big-endian, the way rpm lays it out. */
function encode(tags: [number, Value][]): Buffer {
  const index: Buffer[] = [];
  const data: Buffer[] = [];
  let size = 0;
  for (const [tag, v] of tags) {
    const align = v.type === 4 ? 4 : v.type === 5 ? 8 : 1;
    const pad = (align - (size % align)) % align;
    if (pad) {
      data.push(Buffer.alloc(pad));
      size += pad;
    }
    let bytes: Buffer;
    let count: number;
    if (v.type === 4) {
      bytes = Buffer.alloc(v.values.length * 4);
      for (const [i, n] of v.values.entries()) bytes.writeUInt32BE(n, i * 4);
      count = v.values.length;
    } else if (v.type === 5) {
      bytes = Buffer.alloc(8);
      bytes.writeBigUInt64BE(v.value);
      count = 1;
    } else if (v.type === 6) {
      bytes = Buffer.from(`${v.value}\0`);
      count = 1;
    } else {
      bytes = Buffer.from(v.values.map((s) => `${s}\0`).join(''));
      count = v.values.length;
    }
    const entry = Buffer.alloc(16);
    entry.writeUInt32BE(tag, 0);
    entry.writeUInt32BE(v.type, 4);
    entry.writeInt32BE(size, 8);
    entry.writeUInt32BE(count, 12);
    index.push(entry);
    data.push(bytes);
    size += bytes.length;
  }
  const intro = Buffer.alloc(8);
  intro.writeUInt32BE(tags.length, 0);
  intro.writeUInt32BE(size, 4);
  return Buffer.concat([intro, ...index, ...data]);
}

const str = (value: string): Value => ({ type: 6, value });
const BASE: [number, Value][] = [
  [TAG.NAME, str('openssl-libs')],
  [TAG.VERSION, str('3.0.7')],
  [TAG.RELEASE, str('27.el9')],
  [TAG.EPOCH, { type: 4, values: [1] }],
  [TAG.ARCH, str('x86_64')],
  [TAG.DIRINDEXES, { type: 4, values: [0, 1, 1] }],
  [TAG.BASENAMES, { type: 8, values: ['openssl', 'libssl.so.3', 'libcrypto.so.3'] }],
  [TAG.DIRNAMES, { type: 8, values: ['/etc/pki/tls/', '/usr/lib64/'] }],
];

function errorOf(blob: Buffer): string {
  const parsed = parseHeader(blob);
  if (parsed.ok) throw new Error('expected a parse error');
  return parsed.error;
}

describe('parseHeader', () => {
  it('reads names, EVR and joins dirnames with basenames', () => {
    const parsed = parseHeader(encode([...BASE, [TAG.LONGSIZE, { type: 5, value: 5_000_000_000n }]]));
    expect(parsed).toEqual({
      ok: true,
      warnings: [],
      header: {
        name: 'openssl-libs',
        version: '3.0.7',
        release: '27.el9',
        epoch: 1,
        arch: 'x86_64',
        size: 5_000_000_000,
        files: ['/etc/pki/tls/openssl', '/usr/lib64/libssl.so.3', '/usr/lib64/libcrypto.so.3'],
      },
    });
  });

  it('falls back to OLDFILENAMES and tolerates headers without files', () => {
    const old = parseHeader(encode([[TAG.NAME, str('a')], [TAG.VERSION, str('1')], [TAG.OLDFILENAMES, { type: 8, values: ['/bin/a'] }]]));
    expect(old.ok && old.header.files).toEqual(['/bin/a']);
    const none = parseHeader(encode([[TAG.NAME, str('a')], [TAG.VERSION, str('1')]]));
    expect(none.ok && none.header).toEqual({ name: 'a', version: '1', files: [] });
  });

  it('rejects impossible intros: short blob, zero or huge index count, huge data length, truncation', () => {
    const good = encode(BASE);
    expect(errorOf(Buffer.alloc(0))).toMatch(/shorter than its 8-byte intro/);
    const patched = (at: number, n: number) => {
      const b = Buffer.from(good);
      b.writeUInt32BE(n, at);
      return b;
    };
    expect(errorOf(patched(0, 0))).toMatch(/index count 0/);
    expect(errorOf(patched(0, 0xffffffff))).toMatch(/index count 4294967295/);
    expect(errorOf(patched(4, 0x7fffffff))).toMatch(/data length/);
    expect(errorOf(patched(0, 1000))).toMatch(/needs \d+ bytes/);
    expect(errorOf(good.subarray(0, good.length - 1))).toMatch(/needs \d+ bytes/);
  });

  it('rejects entries whose offsets, types, counts or strings leave the data store', () => {
    const good = encode(BASE);
    const entry = (i: number, field: number, n: number) => {
      const b = Buffer.from(good);
      b.writeInt32BE(n, 8 + i * 16 + field);
      return b;
    };
    expect(errorOf(entry(0, 8, -5))).toMatch(/data offset -5/);
    expect(errorOf(entry(0, 8, 0x7ffffff0))).toMatch(/data offset/);
    expect(errorOf(entry(0, 4, 99))).toMatch(/unknown type 99/);
    expect(errorOf(entry(0, 12, 0))).toMatch(/zero count/);
    expect(errorOf(entry(6, 12, 0x7fffffff))).toMatch(/claims 2147483647 strings/);
    expect(errorOf(entry(5, 12, 0x3fffffff))).toMatch(/runs past the data store/);
    expect(errorOf(entry(0, 4, 4))).toMatch(/tag 1000 has type 4/);
    const unterminated = Buffer.from(good);
    unterminated.fill(0x41, unterminated.length - 30);
    expect(errorOf(unterminated)).toMatch(/not NUL-terminated/);
  });

  it('rejects file lists whose index arrays disagree', () => {
    const swap = (tag: number, v: Value) => encode(BASE.map(([t, old]) => [t, t === tag ? v : old]));
    expect(errorOf(swap(TAG.DIRINDEXES, { type: 4, values: [0, 1] }))).toMatch(/3 BASENAMES but 2 DIRINDEXES/);
    expect(errorOf(swap(TAG.DIRINDEXES, { type: 4, values: [0, 1, 7] }))).toMatch(/DIRINDEXES\[2\] points outside DIRNAMES/);
  });

  it('validates an immutable region trailer', () => {
    const trailer = Buffer.alloc(16);
    trailer.writeUInt32BE(TAG.HEADERIMMUTABLE, 0);
    trailer.writeUInt32BE(7, 4);
    trailer.writeInt32BE(-(BASE.length + 1) * 16, 8);
    trailer.writeUInt32BE(16, 12);
    const body = encode(BASE);
    const il = BASE.length + 1;
    const dl = body.readUInt32BE(4) + 16;
    const region = Buffer.alloc(16);
    region.writeUInt32BE(TAG.HEADERIMMUTABLE, 0);
    region.writeUInt32BE(7, 4);
    region.writeInt32BE(dl - 16, 8);
    region.writeUInt32BE(16, 12);
    const intro = Buffer.alloc(8);
    intro.writeUInt32BE(il, 0);
    intro.writeUInt32BE(dl, 4);
    const withRegion = Buffer.concat([intro, region, body.subarray(8), trailer]);
    expect(parseHeader(withRegion).ok).toBe(true);
    const bad = Buffer.from(withRegion);
    bad.writeInt32BE(-(il + 5) * 16, bad.length - 8);
    expect(errorOf(bad)).toMatch(/region trailer/);
  });

  it('caps the joined file list when one long dirname is shared by many basenames', () => {
    const dir = `/${'d'.repeat(4 * 1024 * 1024)}/`;
    const count = Math.ceil(MAX_FILE_PATH_CHARS / dir.length) + 3;
    const basenames = Array.from({ length: count }, (_, i) => `f${i}`);
    const parsed = parseHeader(
      encode([
        [TAG.NAME, str('bomb')],
        [TAG.VERSION, str('1')],
        [TAG.DIRINDEXES, { type: 4, values: basenames.map(() => 0) }],
        [TAG.BASENAMES, { type: 8, values: basenames }],
        [TAG.DIRNAMES, { type: 8, values: [dir] }],
      ]),
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.warnings[0]).toMatch(/file list of bomb exceeds/);
    expect(parsed.header.files.length).toBeLessThan(count);
  });
});

describe('rpm naming helpers', () => {
  it('splits source rpm file names from the right', () => {
    expect(parseSourceRpm('glibc-2.34-100.el9_4.2.src.rpm')).toEqual({ name: 'glibc', version: '2.34-100.el9_4.2' });
    expect(parseSourceRpm('python-pip-21.3.1-1.fc40.src.rpm')).toEqual({ name: 'python-pip', version: '21.3.1-1.fc40' });
    expect(parseSourceRpm('kernel-5.14.0-427.13.1.el9_4.nosrc.rpm')).toEqual({ name: 'kernel', version: '5.14.0-427.13.1.el9_4' });
    expect(parseSourceRpm('(none)')).toBeUndefined();
    expect(parseSourceRpm('norelease.src.rpm')).toBeUndefined();
    expect(parseSourceRpm('-1-2.src.rpm')).toBeUndefined();
  });

  it('formats EVR with the epoch only when the tag exists', () => {
    expect(evrOf({ version: '1.0', release: '1' })).toBe('1.0-1');
    expect(evrOf({ epoch: 0, version: '1.0', release: '1' })).toBe('0:1.0-1');
    expect(evrOf({ version: '1.0' })).toBe('1.0');
  });

  it('names the purl namespace after the os-release id', () => {
    expect(purlNamespace(undefined)).toBe('unknown');
    expect(purlNamespace({ id: 'rhel', versionId: '9', source: '/etc/os-release' })).toBe('redhat');
    expect(purlNamespace({ id: 'amzn', versionId: '2023', source: '/etc/os-release' })).toBe('amzn');
  });
});

describe('rpmCataloger declaration', () => {
  it('wants exactly the rpm database files under the three database directories', () => {
    expect(rpmCataloger.id).toBe('rpm');
    expect(rpmCataloger.version).toBe('1');
    expect(rpmCataloger.maxFileSize).toBe(512 * 1024 * 1024);
    for (const dir of ['/var/lib/rpm', '/usr/share/rpm', '/usr/lib/sysimage/rpm']) {
      for (const file of ['Packages', 'Packages.db', 'rpmdb.sqlite']) expect(rpmCataloger.wants(`${dir}/${file}`)).toBe(true);
    }
    for (const path of ['/var/lib/rpm/Name', '/var/lib/rpm/rpmdb.sqlite-wal', 'var/lib/rpm/Packages', '/var/lib/rpm/Packages/x', '/opt/var/lib/rpm/Packages', '/usr/lib/rpm/Packages']) {
      expect(rpmCataloger.wants(path)).toBe(false);
    }
  });
});
