import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTarGz } from '../testdata/archives.js';
import { collectingSink } from '../../../../test/helpers/feed-sink.js';
import { parseRubysecDir } from './parse.js';

const TESTDATA = fileURLToPath(new URL('./testdata', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'portcullis-rubysec-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let n = 0;
const fresh = () => {
  const d = join(work, `d${n++}`);
  mkdirSync(d, { recursive: true });
  return d;
};

function tree(files: Record<string, string>): string {
  const dir = fresh();
  for (const [rel, data] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), data);
  }
  return dir;
}

async function parse(dir: string) {
  const sink = collectingSink();
  await parseRubysecDir(dir, sink);
  return sink;
}

const gemFiles = readdirSync(join(TESTDATA, 'gems'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yml')).sort();

describe('rubysec: the codeload tarball', () => {
  it('yields the same advisories as the checked-out tree, and skips rubies/', async () => {
    const dir = fresh();
    await writeTarGz(join(dir, 'ruby-advisory-db.tar.gz'), [
      { name: 'ruby-advisory-db-master/', type: 'directory' },
      { name: 'ruby-advisory-db-master/README.md', data: '# Ruby Advisory Database' },
      ...gemFiles.map((f) => ({ name: `ruby-advisory-db-master/gems/${f}`, data: readFileSync(join(TESTDATA, 'gems', f)) })),
      { name: 'ruby-advisory-db-master/rubies/ruby/CVE-2005-1992.yml', data: readFileSync(join(TESTDATA, 'rubies/ruby/CVE-2005-1992.yml')) },
      { name: 'ruby-advisory-db-master/gems/rack/link.yml', type: 'symlink', linkname: '../../../../etc/passwd' },
    ]);
    const fromTar = await parse(dir);
    const fromTree = await parse(TESTDATA);
    expect(fromTar.problems).toEqual([]);
    expect(fromTar.advisories).toEqual(fromTree.advisories);
    expect(fromTar.advisories).toHaveLength(8);
  });

  it('reports traversal names, oversized members, and corrupt or truncated archives', async () => {
    const rack = readFileSync(join(TESTDATA, 'gems/rack/CVE-2026-34835.yml'));
    const dir = fresh();
    await writeTarGz(join(dir, 'a.tar.gz'), [
      { name: '../../gems/evil/CVE-1.yml', data: rack },
      { name: 'r/gems/big/CVE-2.yml', data: `${'#'.repeat(2 * 1024 * 1024)}\n` },
      { name: 'r/gems/rack/CVE-2026-34835.yml', data: rack },
    ]);
    const whole = readFileSync(join(dir, 'a.tar.gz'));
    writeFileSync(join(dir, 'b.tar.gz'), whole.subarray(0, Math.floor(whole.length / 2)));
    writeFileSync(join(dir, 'c.tar.gz'), Buffer.from('definitely not gzip'));
    const sink = await parse(dir);
    expect(sink.advisories.map((a) => a.id)).toEqual(['GHSA-g2pf-xv49-m2h5']);
    expect(sink.problems.map((p) => `${p.code} ${p.path}: ${p.message}`)).toEqual([
      'TAR_ENTRY_UNSAFE a.tar.gz: unsafe member name "../../gems/evil/CVE-1.yml" skipped',
      // Member paths are shown without the codeload root folder (`r/`), as in a checkout.
      'FEED_PARSE a.tar.gz!gems/big/CVE-2.yml: member is 2097153 bytes, over the limit of 1048576',
      // What precedes the cut is read as usual.
      'TAR_ENTRY_UNSAFE b.tar.gz: unsafe member name "../../gems/evil/CVE-1.yml" skipped',
      'FEED_PARSE b.tar.gz!gems/big/CVE-2.yml: member is 2097153 bytes, over the limit of 1048576',
      'FEED_PARSE b.tar.gz: corrupt or truncated archive: unexpected end of file',
      // Not gzip by its magic bytes, whatever the name says: read as a plain tar, far too short.
      'FEED_PARSE c.tar.gz: corrupt or truncated archive: Unexpected end of data',
    ]);
    expect(readdirSync(dir).sort()).toEqual(['a.tar.gz', 'b.tar.gz', 'c.tar.gz']);
  });
});

describe('rubysec: bad advisories are problems', () => {
  it('reports broken YAML, wrong types and unreadable requirements, and keeps the rest', async () => {
    const dir = tree({
      'gems/a/CVE-2020-1.yml': 'gem: a\ncve: 2020-1\npatched_versions: [">= 1.0"\n',
      'gems/b/CVE-2020-2.yml': 'gem: b\ncve: 2020-2\npatched_versions: ">= 1.0"\n',
      'gems/c/CVE-2020-3.yml': 'gem: c\ncve: 2020-3\ncvss_v3: "high"\n',
      'gems/d/CVE-2020-4.yml': 'gem: d\ncve: 2020-4\npatched_versions: ["=> 1.0"]\n',
      'gems/e/CVE-2020-5.yml': 'gem: e\ncve: 2020-5\nunaffected_versions: ["< 1.0, >= "]\n',
      'gems/f/CVE-2020-6.yml': '- just\n- a list\n',
      'gems/g/CVE-2020-7.yml': 'gem: g\ncve: 2020-7\npatched_versions: ["!= 1.2.5"]\n',
    });
    const sink = await parse(dir);
    expect(sink.advisories.map((a) => [a.id, a.affected?.[0]?.ranges])).toEqual([
      // != 1.2.5 patches everything but 1.2.5.
      ['CVE-2020-7', [{ type: 'ECOSYSTEM', events: [{ introduced: '1.2.5' }, { last_affected: '1.2.5' }] }]],
    ]);
    expect(sink.problems.map((p) => `${p.code} ${p.path}: ${p.message}`)).toEqual([
      expect.stringMatching(/^FEED_PARSE gems\/a\/CVE-2020-1\.yml: not valid YAML: /),
      'FEED_PARSE gems/b/CVE-2020-2.yml: not a RubySec advisory: patched_versions: Invalid input: expected array, received string',
      'FEED_PARSE gems/c/CVE-2020-3.yml: not a RubySec advisory: cvss_v3: Invalid input: expected number, received string',
      'VERSION_INVALID gems/d/CVE-2020-4.yml: CVE-2020-4: patched_versions: "=> 1.0" is not a RubyGems requirement; advisory skipped',
      'VERSION_INVALID gems/e/CVE-2020-5.yml: CVE-2020-5: unaffected_versions: " >= " is not a RubyGems requirement; advisory skipped',
      'FEED_PARSE gems/f/CVE-2020-6.yml: not a RubySec advisory: (root): Invalid input: expected object, received array',
    ]);
  });

  it('merges files that share an id into one advisory with one entry per gem', async () => {
    const dir = tree({
      'gems/one/CVE-2021-9.yml': 'gem: one\ncve: 2021-9\nghsa: aaaa-bbbb-cccc\ncvss_v3: 5.0\nurl: https://a\npatched_versions: [">= 2.0"]\n',
      'gems/two/CVE-2021-9.yml': 'gem: two\ncve: 2021-9\nghsa: aaaa-bbbb-cccc\ncvss_v3: 9.5\nurl: https://b\n',
    });
    const sink = await parse(dir);
    expect(sink.advisories).toHaveLength(1);
    expect(sink.advisories[0]).toMatchObject({
      id: 'GHSA-aaaa-bbbb-cccc',
      aliases: ['CVE-2021-9'],
      ratings: [{ severity: 'critical', raw: 'cvss_v3 9.5', source: 'rubysec' }],
      references: [{ type: 'ADVISORY', url: 'https://a' }, { type: 'ADVISORY', url: 'https://b' }],
      affected: [
        { ecosystem: 'RubyGems', name: 'one', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0' }] }] },
        { ecosystem: 'RubyGems', name: 'two', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] },
      ],
    });
  });
});
