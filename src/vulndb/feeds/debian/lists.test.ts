import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectingSink } from '../../../../test/helpers/feed-sink.js';
import { tmpDirPool } from '../../../../test/helpers/tmp.js';
import type { AdvisoryInput } from '../../model.js';
import { FeedReporter } from '../reporter.js';
import { readCveList } from './cve-list.js';
import { listDate, readAdvisoryList } from './dsa-list.js';
import { parseDebianDir } from './index.js';

const TESTDATA = join(import.meta.dirname, 'testdata');
const tmp = tmpDirPool('debian-lists');
afterAll(() => tmp.removeAll());

async function read(kind: 'cve' | 'dsa', dir: string, rel: string) {
  const sink = collectingSink();
  const out: AdvisoryInput[] = [];
  const rep = new FeedReporter(sink, 'debian');
  await (kind === 'cve' ? readCveList : readAdvisoryList)(dir, rel, (a) => out.push(a), rep);
  return { out, problems: sink.problems };
}

async function readText(kind: 'cve' | 'dsa', text: string | Buffer) {
  const dir = await tmp.make();
  await writeFile(join(dir, 'list'), text);
  return read(kind, dir, 'list');
}

describe('debian data/CVE/list (real excerpt)', () => {
  it('emits the assigned CVEs that name packages, with urgency inherited by the release lines', async () => {
    const { out, problems } = await read('cve', join(TESTDATA, 'cve-list'), 'CVE/list');
    expect(problems).toEqual([]);
    // The two CVE-2023-XXXX placeholders, the TODO and the NOT-FOR-US entries are not emitted.
    expect(out.map((a) => a.id)).toEqual(['CVE-2021-36373', 'CVE-2021-36367']);
    expect(out[0]).toEqual({
      id: 'CVE-2021-36373',
      source: 'debian',
      summary: 'When reading a specially crafted TAR archive an Apache Ant build can b',
      references: [{ type: 'ADVISORY', url: 'https://security-tracker.debian.org/tracker/CVE-2021-36373' }],
      affected: [{ ecosystem: 'Debian:sid', name: 'ant', status: 'affected', rating: { severity: 'negligible', raw: 'unimportant', source: 'debian' } }],
    });
    const low = { severity: 'low', raw: 'low', source: 'debian' };
    expect(out[1]?.affected).toEqual([
      { ecosystem: 'Debian:sid', name: 'putty', status: 'fixed', rating: low, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '0.75-3' }] }] },
      { ecosystem: 'Debian:11', name: 'putty', status: 'affected', rating: low, note: 'Minor issue' },
      { ecosystem: 'Debian:10', name: 'putty', status: 'affected', rating: low, note: 'Minor issue' },
    ]);
  });

  it('is read only when no tracker JSON is in the directory', async () => {
    const sink = collectingSink();
    await parseDebianDir(join(TESTDATA, 'cve-list'), sink);
    expect(sink.parsed().map((a) => a.id)).toEqual(['CVE-2021-36373', 'CVE-2021-36367']);
  });

  it('maps every annotation', async () => {
    const text = [
      'CVE-2024-1000 (test)',
      '\t- foo <unfixed> (medium; bug #1)',
      '\t[trixie] - foo <postponed> (Fix along in a point release)',
      '\t[bookworm] - foo <ignored> (Minor issue)',
      '\t[bullseye] - foo <end-of-life> (EOL in bullseye)',
      '\t[buster] - foo <not-affected> (Vulnerable code not present)',
      '\t[stretch] - foo <removed>',
      '\t- bar <itp> (bug #2)',
      '\t- baz <undetermined>',
    ].join('\n');
    const { out, problems } = await readText('cve', text);
    expect(problems).toEqual([]);
    expect(out[0]?.affected?.map((a) => [a.ecosystem, a.name, a.status, a.rating?.severity])).toEqual([
      ['Debian:sid', 'foo', 'affected', 'medium'],
      ['Debian:13', 'foo', 'fix_deferred', 'medium'],
      ['Debian:12', 'foo', 'will_not_fix', 'medium'],
      ['Debian:11', 'foo', 'end_of_life', 'medium'],
      ['Debian:10', 'foo', 'not_affected', 'medium'],
    ]);
  });

  it('records malformed lines, unknown annotations and invalid versions, and keeps going', async () => {
    const text = [
      'garbage header line',
      'CVE-2024-1001 (x)',
      '\t- Bad_Name 1.0-1',
      '\t- foo <bogus>',
      '\t- foo',
      '\t[bookworm] - foo not!a!version',
      '\t[atlantis] - foo 1.0-1',
      '\t- foo 1.0-2',
      `\t${'x'.repeat(70 * 1024)}`,
    ].join('\n');
    const { out, problems } = await readText('cve', text);
    expect(out.map((a) => a.affected?.map((e) => e.ecosystem))).toEqual([['Debian:sid']]);
    expect(problems.map((p) => p.code)).toEqual(['FEED_PARSE', 'FEED_PARSE', 'FEED_PARSE', 'FEED_PARSE', 'FEED_PARSE', 'VERSION_INVALID', 'FEED_UNKNOWN_ECOSYSTEM']);
  });

  it('survives binary garbage and an empty file', async () => {
    for (const body of [Buffer.from([0, 1, 2, 255, 254, 10, 9, 45, 32, 0]), '']) {
      const { out } = await readText('cve', body);
      expect(out).toEqual([]);
    }
  });
});

describe('debian DSA/DLA/DTSA lists (real excerpts)', () => {
  it('emits one advisory per DSA with its CVEs as aliases and the fixed versions per release', async () => {
    const { out, problems } = await read('dsa', join(TESTDATA, 'lists'), 'DSA-list');
    expect(problems).toEqual([]);
    expect(out.map((a) => a.id)).toEqual(['DSA-5380-1', 'DSA-5379-1', 'DSA-5378-1', 'DSA-5377-1']);
    expect(out[0]).toEqual({
      id: 'DSA-5380-1',
      source: 'debian',
      aliases: ['CVE-2023-1393'],
      published: '2023-03-29T00:00:00Z',
      summary: 'xorg-server - security update',
      references: [{ type: 'ADVISORY', url: 'https://security-tracker.debian.org/tracker/DSA-5380-1' }],
      affected: [{ ecosystem: 'Debian:11', name: 'xorg-server', status: 'fixed', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2:1.20.11-1+deb11u6' }] }] }],
    });
    expect(out[2]?.aliases).toEqual(['CVE-2022-23824', 'CVE-2022-42331', 'CVE-2022-42332', 'CVE-2022-42333', 'CVE-2022-42334']);
    expect(out[3]?.aliases).toHaveLength(7);
  });

  it('reads old entries: several releases, announcements without packages, not-affected lines', async () => {
    const dec = await read('dsa', TESTDATA, 'DSA-list.lines-10155-10163');
    expect(dec.problems).toEqual([]);
    // DSA-2360-1 ("lenny end-of-life") names neither a CVE nor a package.
    expect(dec.out.map((a) => [a.id, a.published, a.affected?.map((e) => `${e.ecosystem} ${e.name} ${e.status}`)])).toEqual([
      ['DSA-2361-1', '2011-12-07T00:00:00Z', ['Debian:6 chasen fixed', 'Debian:5 chasen fixed']],
      ['DSA-2359-1', '2011-12-06T00:00:00Z', ['Debian:6 mojarra fixed']],
    ]);
    const jul = await read('dsa', TESTDATA, 'DSA-list.lines-10470-10473');
    expect(jul.out[0]?.affected?.[1]).toEqual({ ecosystem: 'Debian:5', name: 'openoffice.org', status: 'not_affected', note: 'Vulnerable code not present' });
  });

  it('reads the DLA list and the old DTSA date format with urgency in parentheses', async () => {
    const dla = await read('dsa', join(TESTDATA, 'lists'), 'DLA-list');
    expect(dla.problems).toEqual([]);
    expect(dla.out).toHaveLength(10);
    expect(dla.out.every((a) => a.affected?.[0]?.ecosystem === 'Debian:10')).toBe(true);
    expect(dla.out.find((a) => a.id === 'DLA-3193-2')?.aliases).toEqual(['CVE-2022-21797']);
    const dtsa = await read('dsa', join(TESTDATA, 'lists'), 'DTSA-list');
    expect(dtsa.out.map((a) => [a.id, a.published, a.aliases])).toEqual([
      ['DTSA-1-1', '2005-08-26T00:00:00Z', ['CVE-2005-2626', 'CVE-2005-2627']],
      ['DTSA-2-1', '2005-08-28T00:00:00Z', ['CVE-2005-2448', 'CVE-2005-2370', 'CVE-2005-2369', 'CVE-2005-1914']],
    ]);
    expect(dtsa.out[0]?.affected?.[0]).toMatchObject({ ecosystem: 'Debian:4', name: 'kismet', rating: { severity: 'high', raw: 'high', source: 'debian' } });
  });

  it('parses both date spellings and refuses impossible dates', () => {
    expect(listDate('01 Apr 2023')).toBe('2023-04-01T00:00:00Z');
    expect(listDate('September 1st, 2005')).toBe('2005-09-01T00:00:00Z');
    expect(listDate('31 Feb 2023')).toBeUndefined();
    expect(listDate('yesterday')).toBeUndefined();
  });

  it('records bad headers and dates, and bounds a runaway block', async () => {
    const lines = ['not a header', '[someday] DSA-1-1 foo - bar', '\t{CVE-2024-1 CVE-2024-12345 junk}', '\t[bookworm] - foo 1.0-1'];
    for (let i = 0; i < 20_005; i++) lines.push('\tNOTE: filler');
    const { out, problems } = await readText('dsa', lines.join('\n'));
    expect(out).toHaveLength(1);
    expect(out[0]?.aliases).toEqual(['CVE-2024-12345']);
    expect(out[0]?.published).toBeUndefined();
    expect(problems.map((p) => p.message)).toEqual([expect.stringMatching(/not an advisory header/), expect.stringMatching(/date "someday" not understood/), expect.stringMatching(/more than 20000 lines/)]);
  });
});
