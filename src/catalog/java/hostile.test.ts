import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CapturedFile, CatalogView } from '../types.js';
import { LIMITS, summarizeArchive } from './archive.js';
import { javaCataloger } from './index.js';

const TESTDATA = join(import.meta.dirname, 'testdata');
const LAYER = 'sha256:0000000000000000000000000000000000000000000000000000000000000001';

function fixture(name: string): Buffer {
  return readFileSync(join(TESTDATA, name));
}

/** A view whose files went through `summarize` like the layer reader does, bytes dropped. */
function summarizedView(files: Record<string, Buffer>): CatalogView {
  const captured: CapturedFile[] = Object.entries(files).map(([path, content]) => ({
    path,
    content: Buffer.alloc(0),
    layerDiffId: LAYER,
    wantedBy: ['java'],
    summaries: { java: javaCataloger.summarize!({ path, content }) },
  }));
  return { files: () => captured, read: (p) => captured.find((f) => f.path === p), exists: (p) => captured.some((f) => f.path === p), os: undefined };
}

function scan(name: string) {
  const path = `/opt/app/${name}`;
  const started = Date.now();
  const result = javaCataloger.catalog(summarizedView({ [path]: fixture(name) }));
  return { ...result, path, ms: Date.now() - started };
}

describe('java cataloger on hostile archives (fixtures from scripts/fixtures/java/make-hostile.mjs)', () => {
  it('stops a lying manifest at its declared size and refuses a nested entry over the budget', () => {
    const r = scan('bomb.jar');
    const [manifest, huge, ...rest] = r.problems.map((p) => p.message);
    expect(rest).toEqual([]);
    expect(manifest).toBe(`${r.path}:META-INF/MANIFEST.MF: inflates past its declared size (zip bomb?)`);
    const budget = Number(/^.*:WEB-INF\/lib\/huge\.jar: declares 3221225472 bytes, over the remaining budget of (\d+)$/.exec(huge ?? '')?.[1]);
    // Only the small pom.properties was inflated before it: the budget is almost whole.
    expect(budget).toBeGreaterThan(LIMITS.maxBytes - 1024);
    expect(budget).toBeLessThan(LIMITS.maxBytes);
    expect(r.problems.every((p) => p.code === 'CATALOG_PARSE' && p.path === r.path && p.layer === LAYER && p.source === 'java')).toBe(true);
    // The good descriptor beside the bomb is still reported.
    expect(r.packages.map((p) => p.purl)).toEqual(['pkg:maven/org.example/bomb@1.0']);
  });

  it('refuses entries whose data overlaps', () => {
    const r = scan('overlap.jar');
    expect(r.problems.map((p) => p.message)).toEqual([
      `${r.path}:WEB-INF/lib/a.jar: entry overlaps another entry`,
      `${r.path}:WEB-INF/lib/b.jar: entry overlaps another entry`,
    ]);
  });

  it('skips traversal names with a problem and keeps the rest', () => {
    const r = scan('traversal.jar');
    expect(r.problems.map((p) => p.message)).toEqual([
      `${r.path}: unsafe entry name "../../../../etc/passwd" skipped`,
      `${r.path}: 2 unsafe entry names skipped`,
    ]);
    expect(r.packages.map((p) => p.name)).toEqual(['org.example:traversal']);
  });

  it('records encrypted entries and bad CRCs', () => {
    const enc = scan('encrypted.jar');
    expect(enc.problems.map((p) => p.message)).toEqual([`${enc.path}:META-INF/maven/org.example/secret/pom.properties: encrypted entry`]);
    expect(enc.packages).toEqual([]);
    const crc = scan('badcrc.jar');
    expect(crc.problems.map((p) => p.message)).toEqual([`${crc.path}:META-INF/maven/org.example/badcrc/pom.properties: CRC mismatch`]);
    expect(crc.packages).toEqual([]);
  });

  it('records truncated central directories and random bytes', () => {
    expect(scan('truncated-cd.jar').problems.map((p) => p.message)).toEqual([
      '/opt/app/truncated-cd.jar: central directory lies beyond the end of the archive (truncated?)',
    ]);
    expect(scan('truncated-half.jar').problems.map((p) => p.message)).toEqual([
      '/opt/app/truncated-half.jar: not a zip archive (no end of central directory record)',
    ]);
    const random = scan('random.jar');
    expect(random.problems).toHaveLength(1);
    expect(random.packages).toEqual([]);
  });

  it('never throws on any prefix or bit-flip of a valid archive', () => {
    const good = fixture('shaded-app-2.0.0.jar');
    for (let cut = 0; cut <= good.length; cut += 7) {
      expect(() => summarizeArchive('/p.jar', good.subarray(0, cut))).not.toThrow();
    }
    for (let i = 0; i < good.length; i += 3) {
      const flipped = Buffer.from(good);
      flipped[i] = flipped[i]! ^ 0xff;
      const s = summarizeArchive('/p.jar', flipped);
      expect(s.problems.every((p) => !p.includes('unexpected error'))).toBe(true);
    }
  });

  it('counts entries over the whole nest: an inner jar past the remaining entry budget is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-java-entries-'));
    try {
      const script = [
        'import io, sys, zipfile',
        'inner = io.BytesIO()',
        "with zipfile.ZipFile(inner, 'w') as z:",
        "  z.writestr('META-INF/maven/org.example/inner/pom.properties', 'groupId=org.example\\nartifactId=inner\\nversion=1\\n')",
        "  for i in range(60000): z.writestr(f'c/{i}', '')",
        "with zipfile.ZipFile(sys.argv[1], 'w') as z:",
        "  for i in range(60000): z.writestr(f'o/{i}', '')",
        "  z.writestr('lib/inner-1.jar', inner.getvalue())",
        "  z.writestr('META-INF/maven/org.example/outer/pom.properties', 'groupId=org.example\\nartifactId=outer\\nversion=2\\n')",
      ].join('\n');
      const file = join(dir, 'outer.jar');
      execFileSync('python3', ['-c', script, file]);
      const s = summarizeArchive('/outer.jar', readFileSync(file));
      expect(s.artifacts.map((a) => `${a.groupId}:${a.artifactId}@${a.version}`)).toEqual(['org.example:outer@2']);
      expect(s.problems).toEqual([`/outer.jar:lib/inner-1.jar: 60001 entries exceed the limit of ${LIMITS.maxEntries - 60002}`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('keeps memory bounded: a central directory claiming a million entries is refused', () => {
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(0x06054b50, 0);
    eocd.writeUInt16LE(0xffff, 10);
    const s = summarizeArchive('/many.jar', eocd);
    expect(s.problems).toEqual(['/many.jar: central directory entry 0 is truncated or corrupt']);
  });
});
