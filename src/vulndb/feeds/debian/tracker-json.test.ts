import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectingSink } from '../../../../test/helpers/feed-sink.js';
import { tmpDirPool } from '../../../../test/helpers/tmp.js';
import { parseDebianDir } from './index.js';

const TESTDATA = join(import.meta.dirname, 'testdata');
const tmp = tmpDirPool('debian-json');
afterAll(() => tmp.removeAll());

const fixed = (ecosystem: string, version: string, raw: string, severity: string) => ({
  ecosystem,
  name: expect.any(String),
  status: 'fixed',
  ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: version }] }],
  rating: { severity, raw, source: 'debian' },
});

async function parseJson(json: string, opts?: { maxPackageBytes: number }) {
  const dir = await tmp.make();
  await writeFile(join(dir, 'tracker.json'), json);
  const sink = collectingSink();
  await parseDebianDir(dir, sink, opts);
  return sink;
}

describe('debian tracker JSON (real samples)', () => {
  it('emits one advisory per CVE with one entry per release, as read by hand from the samples', async () => {
    const sink = collectingSink();
    await parseDebianDir(join(TESTDATA, 'json'), sink);
    expect(sink.problems).toEqual([]);
    const parsed = sink.parsed();
    // vunnel subset: 6 CVEs (CVE-2022-0358 has `"releases": []`); osv.dev subset: 3; tracker API
    // sample: 3 CVEs (its TEMP- id is not matched).
    expect(parsed.map((a) => a.id).sort()).toEqual(
      ['CVE-2005-3111', 'CVE-2007-2383', 'CVE-2008-7220', 'CVE-2012-0833', 'CVE-2013-1444', 'CVE-2014-1424', 'CVE-2016-1585', 'CVE-2016-5405', 'CVE-2016-5416', 'CVE-2017-6507', 'CVE-2022-0456', 'CVE-2025-53603'].sort(),
    );
    expect(parsed.every((a) => a.source === 'debian')).toBe(true);

    const proto = sink.byId('CVE-2008-7220');
    expect(proto?.summary).toMatch(/^Unspecified vulnerability in Prototype JavaScript framework/);
    expect(proto?.affected).toEqual([
      fixed('Debian:9', '1.6.0.2-1', 'high**', 'high'),
      fixed('Debian:8', '1.6.0.2-1', 'high**', 'high'),
      fixed('Debian:10', '1.6.0.2-1', 'high**', 'high'),
      fixed('Debian:sid', '1.6.0.2-1', 'high**', 'high'),
    ]);
    expect(proto?.affected?.every((a) => a.name === 'prototypejs')).toBe(true);

    // fixed_version "0": never affected in that release.
    expect(sink.byId('CVE-2007-2383')?.affected).toEqual(
      ['Debian:9', 'Debian:8', 'Debian:10', 'Debian:sid'].map((ecosystem) => ({ ecosystem, name: 'prototypejs', status: 'not_affected', rating: { severity: 'negligible', raw: 'unimportant', source: 'debian' } })),
    );
    expect(sink.byId('CVE-2013-1444')?.affected?.[0]).toEqual({ ...fixed('Debian:9', '1.5.5-4.1', 'low**', 'low'), name: 'txt2man' });

    // chromium: end-of-life releases stay vulnerable, "not yet assigned" is unknown.
    const chromium = sink.byId('CVE-2022-0456')?.affected ?? [];
    expect(chromium.map((a) => [a.ecosystem, a.status, a.rating?.severity])).toEqual([
      ['Debian:12', 'fixed', 'unknown'],
      ['Debian:11', 'fixed', 'unknown'],
      ['Debian:10', 'end_of_life', 'unknown'],
      ['Debian:sid', 'fixed', 'unknown'],
      ['Debian:9', 'end_of_life', 'unknown'],
    ]);
    expect(chromium[1]?.ranges?.[0]?.events).toEqual([{ introduced: '0' }, { fixed: '98.0.4758.80-1~deb11u1' }]);
    expect(chromium[2]?.rating?.raw).toBe('end-of-life');

    // open + unimportant: affected, rated negligible; resolved releases carry the fix.
    const apparmor = sink.byId('CVE-2016-1585')?.affected ?? [];
    expect(apparmor.map((a) => [a.ecosystem, a.status])).toEqual([
      ['Debian:12', 'affected'],
      ['Debian:11', 'affected'],
      ['Debian:10', 'affected'],
      ['Debian:sid', 'fixed'],
      ['Debian:13', 'fixed'],
    ]);
    expect(apparmor[0]?.rating).toEqual({ severity: 'negligible', raw: 'unimportant', source: 'debian' });
    expect(apparmor[0]?.ranges).toBeUndefined();

    // <no-dsa> with nodsa_reason "ignored": will not be fixed, the reason kept as a note.
    expect(sink.byId('CVE-2016-5416')?.affected).toEqual([
      { ecosystem: 'Debian:11', name: '389-ds-base', status: 'will_not_fix', note: 'Minor issue', rating: { severity: 'unknown', raw: 'not yet assigned', source: 'debian' } },
      { ecosystem: 'Debian:sid', name: '389-ds-base', status: 'affected', rating: { severity: 'unknown', raw: 'not yet assigned', source: 'debian' } },
    ]);
    expect(sink.byId('CVE-2016-5416')?.references).toEqual([{ type: 'ADVISORY', url: 'https://security-tracker.debian.org/tracker/CVE-2016-5416' }]);
  });
});

describe('debian tracker JSON semantics', () => {
  it('merges one CVE found under several source packages into one advisory', async () => {
    const doc = {
      openssl: { 'CVE-2024-0001': { description: 'shared bug', releases: { bookworm: { status: 'resolved', fixed_version: '3.0.13-1~deb12u1', urgency: 'medium' } } } },
      'openssl1.1': { 'CVE-2024-0001': { releases: { bullseye: { status: 'open', urgency: 'low*' } } } },
    };
    const sink = await parseJson(JSON.stringify(doc));
    expect(sink.problems).toEqual([]);
    expect(sink.advisories).toHaveLength(1);
    expect(sink.advisories[0]?.summary).toBe('shared bug');
    expect(sink.advisories[0]?.affected?.map((a) => [a.name, a.ecosystem, a.status, a.rating?.severity])).toEqual([
      ['openssl', 'Debian:12', 'fixed', 'medium'],
      ['openssl1.1', 'Debian:11', 'affected', 'low'],
    ]);
  });

  it('treats no-dsa or postponed with a fixed version as fixed, and maps the open annotations', async () => {
    const doc = {
      foo: {
        'CVE-2024-0002': {
          releases: {
            bookworm: { status: 'open', fixed_version: '1.2-3+deb12u1', nodsa: 'Minor issue', nodsa_reason: 'postponed' },
            bullseye: { status: 'open', nodsa: 'Minor issue', nodsa_reason: 'postponed' },
            buster: { status: 'open', nodsa: 'Minor issue', nodsa_reason: '' },
            stretch: { status: 'undetermined' },
            trixie: { status: 'open' },
          },
        },
      },
    };
    const sink = await parseJson(JSON.stringify(doc));
    expect(sink.advisories[0]?.affected?.map((a) => [a.ecosystem, a.status, a.note])).toEqual([
      ['Debian:12', 'fixed', 'Minor issue'],
      ['Debian:11', 'fix_deferred', 'Minor issue'],
      ['Debian:10', 'affected', 'Minor issue'],
      ['Debian:13', 'affected', undefined],
    ]);
  });
});

describe('debian tracker JSON: hostile input', () => {
  it('records a truncated document and keeps the packages read before the cut', async () => {
    const doc = JSON.stringify({ a1: { 'CVE-2024-0003': { releases: { sid: { status: 'resolved', fixed_version: '1-1' } } } }, b2: { 'CVE-2024-0004': { releases: {} } } });
    const sink = await parseJson(doc.slice(0, doc.length - 20));
    expect(sink.problems.map((p) => p.code)).toEqual(['FEED_PARSE']);
    expect(sink.problems[0]?.message).toMatch(/invalid JSON/);
    expect(sink.advisories.map((a) => a.id)).toEqual(['CVE-2024-0003']);
  });

  it('refuses a document that is not an object, an empty file and garbage', async () => {
    for (const text of ['[{"a": 1}]', '', '   ', 'nonsense', '{"a": }']) {
      const sink = await parseJson(text);
      expect(sink.advisories, text).toEqual([]);
      expect(sink.problems.map((p) => p.code), text).toEqual(['FEED_PARSE']);
    }
  });

  it('skips wrong types, bad names, invalid versions and unknown releases with problems', async () => {
    const doc = {
      'Bad Name!': { 'CVE-2024-0005': { releases: {} } },
      numbers: 42,
      pkg: {
        'CVE-2024-0006': { releases: 'nope' },
        'CVE-2024-0007': { releases: { bookworm: { status: 7 } } },
        'CVE-2024-0008': { releases: { bookworm: { status: 'resolved', fixed_version: 'not a version!' }, sid: { status: 'resolved', fixed_version: '2-1' } } },
        'CVE-2024-0009': { releases: { narnia: { status: 'open' }, sid: { status: 'resolved' }, bookworm: { status: 'weird' } } },
        'CVE-2024-0010': { releases: { narnia: { status: 'open' } } },
      },
    };
    const sink = await parseJson(JSON.stringify(doc));
    expect(sink.advisories.map((a) => a.id)).toEqual(['CVE-2024-0008']);
    expect(sink.advisories[0]?.affected?.map((a) => a.ecosystem)).toEqual(['Debian:sid']);
    expect(sink.problems.map((p) => p.code).sort()).toEqual(['FEED_PARSE', 'FEED_PARSE', 'FEED_PARSE', 'FEED_PARSE', 'FEED_PARSE', 'FEED_PARSE', 'FEED_UNKNOWN_ECOSYSTEM', 'VERSION_INVALID']);
    // The unknown release is reported once, not once per CVE.
    expect(sink.problems.filter((p) => p.code === 'FEED_UNKNOWN_ECOSYSTEM')).toHaveLength(1);
    expect(sink.problems.every((p) => p.source === 'debian' && p.path === 'tracker.json')).toBe(true);
  });

  it('stops at a package subtree larger than the limit instead of holding it', async () => {
    const big = { huge: { 'CVE-2024-0011': { description: 'x'.repeat(300_000), releases: {} } } };
    const sink = await parseJson(JSON.stringify(big), { maxPackageBytes: 100_000 });
    expect(sink.advisories).toEqual([]);
    expect(sink.problems.map((p) => p.message)).toEqual([expect.stringMatching(/larger than 100000 bytes/)]);
  });

  it('cuts huge descriptions and caps the problems listed per file', async () => {
    const doc: Record<string, unknown> = { pkg: { 'CVE-2024-0012': { description: 'y'.repeat(50_000), releases: { sid: { status: 'resolved', fixed_version: '1-1' } } } } };
    for (let i = 0; i < 300; i++) doc[`p${i}`] = 'not an object';
    const sink = await parseJson(JSON.stringify(doc));
    expect(sink.advisories[0]?.summary?.length).toBeLessThanOrEqual(4000);
    expect(sink.problems).toHaveLength(101);
    expect(sink.problems.at(-1)?.message).toMatch(/^200 more problems/);
  });
});
