import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildZip } from '../testdata/archives.js';
import { collectingSink } from '../../../../test/helpers/feed-sink.js';
import { OSV_LIMITS, type OsvLimits, parseOsvDir } from './parse.js';

const work = mkdtempSync(join(tmpdir(), 'portcullis-osv-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let n = 0;

/** A fresh feed directory holding `files` (relative path → content). */
function feedDir(files: Record<string, string | Buffer>): string {
  const dir = join(work, `d${n++}`);
  for (const [rel, data] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), data);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function parse(dir: string, limits: Partial<OsvLimits> = {}) {
  const sink = collectingSink();
  await parseOsvDir(dir, sink, { ...OSV_LIMITS, ...limits });
  return { ids: sink.advisories.map((a) => a.id), problems: sink.problems.map((p) => `${p.code} ${p.path ?? ''}: ${p.message}`) };
}

const record = (id: string) => JSON.stringify({ id, modified: '2024-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.0' }] }] }] });
const GOOD = readFileSync(fileURLToPath(new URL('./testdata/go/GO-2020-0001.json', import.meta.url)));

describe('osv parse on hostile input: a problem, never a crash', () => {
  it('reports truncated JSON, wrong types, non-OSV JSON and broken YAML, and keeps the good records', async () => {
    const r = await parse(
      feedDir({
        'a/truncated.json': GOOD.subarray(0, 200),
        'a/array.json': '[1,2,3]',
        'a/package.json': '{"name":"left-pad","version":"1.3.0"}',
        'a/wrongtype.json': JSON.stringify({ id: 'X-1', modified: 5 }),
        'a/GO-2020-0001.json': GOOD,
        'b/bad.yaml': 'id: [unclosed\n',
        'b/multi.yml': 'id: A\nmodified: x\n---\nid: B\n',
        'b/scalar.yaml': 'just text',
        'c/README.md': '# not a record',
      }),
    );
    expect(r.ids).toEqual(['GO-2020-0001']);
    expect(r.problems).toEqual([
      'FEED_PARSE a/array.json: not an OSV record: (root): Invalid input: expected object, received array',
      'FEED_PARSE a/package.json: not an OSV record: id: Invalid input: expected string, received undefined',
      expect.stringMatching(/^FEED_PARSE a\/truncated\.json: not valid JSON: /),
      'FEED_PARSE a/wrongtype.json: not an OSV record: modified: Invalid input: expected string, received number',
      expect.stringMatching(/^FEED_PARSE b\/bad\.yaml: not valid YAML: /),
      expect.stringMatching(/^FEED_PARSE b\/multi\.yml: not valid YAML: /),
      'FEED_PARSE b/scalar.yaml: not an OSV record: (root): Invalid input: expected object, received string',
    ]);
  });

  it('refuses a YAML alias bomb and an oversized file without reading it whole', async () => {
    const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) laughs.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const huge = `{"id":"H","modified":"x","summary":"${'A'.repeat(5000)}"}`;
    const r = await parse(feedDir({ 'bomb.yaml': `${laughs.join('\n')}\nid: X\n`, 'huge.json': huge }), { maxFileBytes: 4096 });
    expect(r.ids).toEqual([]);
    expect(r.problems).toEqual([expect.stringMatching(/^FEED_PARSE bomb\.yaml: not valid YAML: .*alias/i), `FEED_PARSE huge.json: file is ${huge.length} bytes, over the limit of 4096`]);
  });

  it('skips symbolic links (a loop or a way out of the feed directory) and dot-directories, and bounds the depth', async () => {
    const dir = feedDir({ 'in/GO-1.json': record('GO-1'), '.git/objects/x.json': record('GIT-1'), 'd1/d2/d3/d4/deep.json': record('DEEP-1') });
    const outside = feedDir({ 'secret.json': record('OUTSIDE-1') });
    symlinkSync(dir, join(dir, 'in', 'loop'));
    symlinkSync(join(outside, 'secret.json'), join(dir, 'in', 'link.json'));
    const r = await parse(dir, { maxDepth: 3 });
    expect(r.ids).toEqual(['GO-1']);
    expect(r.problems).toEqual(['FEED_PARSE d1/d2/d3/d4: directory nested deeper than 3 levels skipped']);
  });

  it("ignores the update orchestrator's files and caps the problems one hostile record can raise", async () => {
    const many = { id: 'MANY-1', modified: 'x', summary: 'S'.repeat(100_000), severity: Array.from({ length: 500 }, () => ({ type: 'CVSS_V3', score: 'nope' })) };
    const r = await parse(feedDir({ 'state.json': '{"etag":"x"}', 'npm/all.zip.part': 'partial', 'many.json': JSON.stringify(many) }));
    expect(r.ids).toEqual(['MANY-1']);
    expect(r.problems).toHaveLength(101);
    expect(r.problems.at(-1)).toBe('FEED_PARSE many.json: 400 more problems in this file were not listed');
    const sink = collectingSink();
    await parseOsvDir(feedDir({ 'many.json': JSON.stringify(many) }), sink);
    expect(sink.advisories[0]?.summary?.length).toBeLessThanOrEqual(4000);
  });

  it('reports a missing feed directory', async () => {
    const r = await parse(join(work, 'does-not-exist'));
    expect(r.ids).toEqual([]);
    expect(r.problems).toEqual([expect.stringMatching(/^FEED_PARSE \.: cannot read directory: ENOENT/)]);
  });
});

describe('osv all.zip on hostile input', () => {
  it('reads members with path-traversal names as data and writes nothing', async () => {
    const dir = feedDir({ 'npm/all.zip': buildZip([{ name: '../../../../tmp/evil.json', data: record('EVIL-1') }, { name: '/etc/passwd.json', data: record('ABS-1') }, { name: 'all/', data: '' }]) });
    const before = readdirSync(dir, { recursive: true }).sort();
    const r = await parse(dir);
    expect(r.ids).toEqual(['EVIL-1', 'ABS-1']);
    expect(r.problems).toEqual([]);
    expect(readdirSync(dir, { recursive: true }).sort()).toEqual(before);
  });

  it('reports a corrupt, a truncated and a random-bytes zip as one problem each', async () => {
    const zip = buildZip([{ name: 'A-1.json', data: record('A-1') }, { name: 'B-1.json', data: record('B-1') }]);
    const r = await parse(feedDir({ 'a/all.zip': zip.subarray(0, zip.length - 30), 'b/all.zip': Buffer.alloc(5000, 7), 'c/all.zip': Buffer.alloc(0) }));
    expect(r.ids).toEqual([]);
    expect(r.problems).toEqual([
      expect.stringMatching(/^FEED_PARSE a\/all\.zip: unreadable zip: /),
      'FEED_PARSE b/all.zip: unreadable zip: not a zip archive (no end of central directory record)',
      'FEED_PARSE c/all.zip: unreadable zip: not a zip archive (no end of central directory record)',
    ]);
  });

  it('stops a member that inflates past its declared size (bomb) and keeps its neighbours', async () => {
    const bomb = Buffer.alloc(10 * 1024 * 1024, 0x20);
    const dir = feedDir({ 'all.zip': buildZip([{ name: 'BOMB-1.json', data: bomb, declaredSize: 100 }, { name: 'OK-1.json', data: record('OK-1') }]) });
    const r = await parse(dir);
    expect(r.ids).toEqual(['OK-1']);
    expect(r.problems).toEqual(['FEED_PARSE all.zip!BOMB-1.json: unreadable member: inflates past its declared size (zip bomb?)']);
  });

  it('enforces the per-member, total-inflated and entry-count caps', async () => {
    const members = Array.from({ length: 5 }, (_, i) => ({ name: `R-${i}.json`, data: record(`R-${i}`) }));
    const size = Buffer.byteLength(record('R-0'));
    const dir = feedDir({ 'all.zip': buildZip([{ name: 'BIG-1.json', data: `${record('BIG-1')}${' '.repeat(5000)}` }, ...members]) });
    expect(await parse(dir, { maxEntryBytes: 4096 })).toEqual({
      ids: ['R-0', 'R-1', 'R-2', 'R-3', 'R-4'],
      problems: [expect.stringMatching(/^FEED_PARSE all\.zip!BIG-1\.json: member declares \d+ bytes, over the limit of 4096$/)],
    });
    const total = await parse(dir, { maxEntryBytes: 4096, maxZipInflatedBytes: size * 2 + 10 });
    expect(total.ids).toEqual(['R-0', 'R-1']);
    expect(total.problems.at(-1)).toBe(`FEED_PARSE all.zip!R-2.json: members inflate to more than ${size * 2 + 10} bytes in total; the rest of the zip was skipped`);
    expect(await parse(dir, { maxZipEntries: 3 })).toEqual({ ids: [], problems: ['FEED_PARSE all.zip: unreadable zip: 6 entries exceed the limit of 3'] });
    expect((await parse(dir, { maxZipBytes: 100 })).problems).toEqual([expect.stringMatching(/^FEED_PARSE all\.zip: zip is \d+ bytes, over the limit of 100$/)]);
  });

  it('abandons a zip after too many bad members', async () => {
    const bad = Array.from({ length: 10 }, (_, i) => ({ name: `X-${i}.json`, data: 'x'.repeat(50), declaredSize: 10 }));
    const r = await parse(feedDir({ 'all.zip': buildZip([...bad, { name: 'LATE-1.json', data: record('LATE-1') }]) }), { maxZipProblems: 3 });
    expect(r.ids).toEqual([]);
    expect(r.problems).toHaveLength(4);
    expect(r.problems.at(-1)).toBe('FEED_PARSE all.zip: 3 unreadable members; the rest of the zip was skipped');
  });
});
