import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listZip, readEntry } from './zip.js';

/** Our reader against Info-ZIP `unzip` (the oracle) and Python's zipfile writing ZIP64. */
const work = mkdtempSync(join(tmpdir(), 'portcullis-zip-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('zip reader', () => {
  it('lists and inflates every entry of a Debian jar exactly as unzip does', () => {
    const jar = '/usr/share/java/commons-io.jar';
    const buf = readFileSync(jar);
    const listing = listZip(buf, 100_000);
    if (!listing.ok) throw new Error(listing.error);
    const names = execFileSync('unzip', ['-Z1', jar], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(listing.entries.map((e) => e.name)).toEqual(names);
    const files = listing.entries.filter((e) => !e.name.endsWith('/'));
    for (const e of files.filter((_, i) => i % 10 === 0)) {
      const r = readEntry(buf, e, 1 << 30);
      if (!r.ok) throw new Error(`${e.name}: ${r.error}`);
      expect(r.data.equals(execFileSync('unzip', ['-p', jar, e.name], { maxBuffer: 1 << 26 })), e.name).toBe(true);
    }
  });

  it('reads ZIP64 central directories and extra fields written by Python zipfile', () => {
    const file = join(work, 'z64.jar');
    const script = [
      'import sys, zipfile',
      "with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED, allowZip64=True) as z:",
      "  with z.open('META-INF/maven/g/a/pom.properties', 'w', force_zip64=True) as f: f.write(b'groupId=g\\nartifactId=a\\nversion=1\\n')",
      "  z.writestr('stored.txt', b'plain', compress_type=zipfile.ZIP_STORED)",
    ].join('\n');
    execFileSync('python3', ['-c', script, file]);
    const buf = readFileSync(file);
    const listing = listZip(buf, 10);
    if (!listing.ok) throw new Error(listing.error);
    expect(listing.entries.map((e) => [e.name, e.method, e.size])).toEqual([
      ['META-INF/maven/g/a/pom.properties', 8, 33],
      ['stored.txt', 0, 5],
    ]);
    const [pom, stored] = listing.entries;
    const a = readEntry(buf, pom!, 1000);
    const b = readEntry(buf, stored!, 1000);
    expect(a.ok && a.data.toString()).toBe('groupId=g\nartifactId=a\nversion=1\n');
    expect(b.ok && b.data.toString()).toBe('plain');
  });

  it('finds the end record behind an archive comment and refuses entry counts over the limit', () => {
    const file = join(work, 'comment.zip');
    execFileSync('python3', ['-c', "import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'w') as z:\n  z.comment = b'x' * 60000\n  z.writestr('a', 'b')\n  z.writestr('c', 'd')", file]);
    const buf = readFileSync(file);
    const listing = listZip(buf, 10);
    expect(listing.ok && listing.entries.map((e) => e.name)).toEqual(['a', 'c']);
    expect(listZip(buf, 1)).toEqual({ ok: false, error: '2 entries exceed the limit of 1' });
  });

  it('reads an executable jar with a launch script prepended, as unzip does', () => {
    const jar = readFileSync('/usr/share/java/commons-io.jar');
    const prefixed = Buffer.concat([Buffer.from('#!/bin/sh\nexec java -jar "$0" "$@"\n'), jar]);
    const plain = listZip(jar, 100_000);
    const shifted = listZip(prefixed, 100_000);
    if (!plain.ok || !shifted.ok) throw new Error('listing failed');
    expect(shifted.entries.map((e) => e.name)).toEqual(plain.entries.map((e) => e.name));
    const last = shifted.entries.at(-1)!;
    const r = readEntry(prefixed, last, 1 << 26);
    const oracle = readEntry(jar, plain.entries.at(-1)!, 1 << 26);
    expect(r.ok && oracle.ok && r.data.equals(oracle.data)).toBe(true);
  });

  it('caps inflation at the caller budget', () => {
    const listing = listZip(readFileSync('/usr/share/java/commons-io.jar'), 100_000);
    if (!listing.ok) throw new Error(listing.error);
    const big = listing.entries.find((e) => e.size > 1000)!;
    expect(readEntry(readFileSync('/usr/share/java/commons-io.jar'), big, 100)).toEqual({ ok: false, error: `declares ${big.size} bytes, over the remaining budget of 100` });
  });
});
