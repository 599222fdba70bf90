import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../../core/errors.js';
import { type MapContext, mapRecord, originOf } from './map.js';

function run(record: unknown) {
  const problems: [ErrorCode, string][] = [];
  const unknown: string[] = [];
  const ctx: MapContext = { problem: (c, m) => problems.push([c, m]), unknownEcosystem: (e) => unknown.push(e) };
  return { advisory: mapRecord(record, ctx), problems, unknown };
}

const base = { id: 'GHSA-aaaa-bbbb-cccc', modified: '2024-01-01T00:00:00Z' };
const pkg = (ecosystem: string, name: string, extra: object = {}) => ({ package: { ecosystem, name }, ...extra });

describe('originOf', () => {
  it.each([
    ['GHSA-xxxx-yyyy-zzzz', 'ghsa'], ['PYSEC-2023-221', 'pypa'], ['GO-2021-0067', 'go'], ['RUSTSEC-2026-0024', 'rustsec'],
    ['DSA-3029-1', 'debian'], ['DLA-0010-1', 'debian'], ['DTSA-1-1', 'debian'], ['DEBIAN-CVE-2024-1', 'debian'],
    ['UBUNTU-CVE-2025-38094', 'ubuntu'], ['USN-5614-1', 'ubuntu'], ['ALSA-2022:8194', 'almalinux'], ['ALBA-2021:4378', 'almalinux'],
    ['ALEA-2023:1', 'almalinux'], ['RLSA-2024:3671', 'rocky'], ['RXSA-2024:1', 'rocky'], ['BIT-brotli-2020-8927', 'bitnami'],
    ['MAL-2023-1', 'ossf'], ['GSD-2022-1000008', 'osv'], ['CVE-2024-10524', 'osv'], ['ALPINE-CVE-2023-46850', 'osv'], ['NOPREFIX', 'osv'],
    ['constructor-1', 'osv'], ['toString-1', 'osv'],
  ])('%s → %s', (id, origin) => expect(originOf(id)).toBe(origin));
});

describe('mapRecord', () => {
  it('refuses what is not an OSV record, with the failing field', () => {
    expect(run({ name: 'left-pad', version: '1.0.0' }).problems).toEqual([['FEED_PARSE', 'not an OSV record: id: Invalid input: expected string, received undefined']]);
    expect(run({ ...base, id: 42 }).advisory).toBeUndefined();
    expect(run([1, 2]).problems[0]?.[0]).toBe('FEED_PARSE');
    expect(run(null).advisory).toBeUndefined();
    expect(run({ ...base, id: 'X'.repeat(10_000) }).problems[0]?.[1]).toMatch(/^not an OSV record: id: /);
    expect(run({ ...base, aliases: 'CVE-1' }).problems[0]?.[1]).toMatch(/^not an OSV record: aliases/);
  });

  it('skips one bad affected entry and keeps the others', () => {
    const r = run({ ...base, affected: [pkg('npm', 'a', { ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0', fixed: '1.0.0' }] }] }), pkg('npm', 'B')] });
    expect(r.problems).toEqual([['FEED_PARSE', 'GHSA-aaaa-bbbb-cccc: affected[0] skipped: ranges.0.events.0: an event holds exactly one of introduced, fixed, last_affected, limit']]);
    expect(r.advisory?.affected).toEqual([{ ecosystem: 'npm', name: 'b', ranges: [], versions: [] }]);
  });

  it('skips a record whose every package is in an unknown ecosystem, counting the entries', () => {
    const r = run({ ...base, affected: [pkg('Hex', 'plug'), pkg('Hex', 'phoenix'), { ranges: [{ type: 'GIT', events: [{ introduced: 'abc' }] }] }] });
    expect(r.advisory).toBeUndefined();
    expect(r.unknown).toEqual(['Hex', 'Hex', '(no package: GIT-only entry)']);
    expect(r.problems).toEqual([]);
    // Distros need their release to be matched.
    expect(run({ ...base, affected: [pkg('Debian', 'x')] }).unknown).toEqual(['Debian']);
  });

  it('keeps a record without any affected entry (enrichment-only)', () => {
    expect(run({ ...base, aliases: ['CVE-2024-1'] }).advisory).toMatchObject({ id: base.id, aliases: ['CVE-2024-1'], affected: [] });
  });

  it('normalizes ecosystems and names; drops GIT ranges; refuses unknown range types', () => {
    const r = run({
      ...base,
      affected: [
        pkg('PyPI', 'Django_REST.framework', { ranges: [{ type: 'GIT', repo: 'x', events: [{ introduced: '0' }] }, { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.1' }] }] }),
        pkg('Ubuntu:22.04:LTS', 'OpenSSL', { ranges: [{ type: 'FANCY', events: [{ introduced: '0' }] }] }),
        pkg('Debian:bookworm', 'curl', { versions: ['7.88.1-10'] }),
      ],
    });
    expect(r.advisory?.affected).toEqual([
      { ecosystem: 'PyPI', name: 'django-rest-framework', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.1' }] }], versions: [] },
      { ecosystem: 'Ubuntu:22.04', name: 'OpenSSL', ranges: [], versions: [] },
      { ecosystem: 'Debian:12', name: 'curl', ranges: [], versions: ['7.88.1-10'] },
    ]);
    expect(r.problems).toEqual([['FEED_PARSE', 'GHSA-aaaa-bbbb-cccc: OpenSSL: unknown range type "FANCY" skipped']]);
  });

  it('turns last_known_affected_version_range "<=" into last_affected and reports an unreadable one', () => {
    const r = run({
      ...base,
      affected: [
        pkg('Maven', 'g:a', { ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }], database_specific: { last_known_affected_version_range: '<= 29.0' } }),
        pkg('Maven', 'g:b', { ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }], database_specific: { last_known_affected_version_range: '>= 1.0, < 2.0' } }),
        pkg('Maven', 'g:c', { ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1.0' }] }], database_specific: { last_known_affected_version_range: 7 } }),
      ],
    });
    expect(r.advisory?.affected?.map((a) => a.ranges)).toEqual([
      [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { last_affected: '29.0' }] }],
      [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
      [{ type: 'ECOSYSTEM', events: [{ introduced: '1.0' }] }],
    ]);
    expect(r.problems.map((p) => p[1])).toEqual([
      'GHSA-aaaa-bbbb-cccc: g:b: unreadable last_known_affected_version_range ">= 1.0, < 2.0"',
      'GHSA-aaaa-bbbb-cccc: g:c: unreadable last_known_affected_version_range "7"',
    ]);
  });

  it('drops a range whose bound the scheme cannot read (VERSION_INVALID) or that has no events', () => {
    const r = run({
      ...base,
      affected: [
        pkg('npm', 'x', { ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: 'not.a.version' }] }, { type: 'ECOSYSTEM', events: [] }, { type: 'ECOSYSTEM', events: [{ introduced: '' }] }] }),
        pkg('Go', 'example.com/m', { ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.2.3' }] }] }),
      ],
    });
    expect(r.advisory?.affected?.map((a) => a.ranges?.length)).toEqual([0, 1]);
    expect(r.problems).toEqual([
      ['VERSION_INVALID', 'GHSA-aaaa-bbbb-cccc: x: SEMVER range skipped: "not.a.version" is not a valid SemVer version'],
      ['FEED_PARSE', 'GHSA-aaaa-bbbb-cccc: x: ECOSYSTEM range without events skipped'],
      ['VERSION_INVALID', 'GHSA-aaaa-bbbb-cccc: x: ECOSYSTEM range skipped: "" is not a valid semver version'],
    ]);
  });

  it('scores CVSS vectors, reports invalid ones, and reads Ubuntu priorities and per-package severities', () => {
    const r = run({
      ...base,
      id: 'USN-1-1',
      severity: [
        { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' },
        { type: 'CVSS_V2', score: 'AV:N/AC:L/Au:N/C:P/I:P/A:P' },
        { type: 'CVSS_V3', score: '9.8' },
        { type: 'Ubuntu', score: 'untriaged' },
        { type: 'Ubuntu', score: 'severe' },
        { type: 'CVSS_V5', score: 'x' },
      ],
      affected: [pkg('Ubuntu:24.04:LTS', 'curl', { severity: [{ type: 'Ubuntu', score: 'high' }, { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }] })],
    });
    expect(r.advisory?.cvss).toEqual([
      { version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8, source: 'ubuntu' },
      { version: '2.0', vector: 'AV:N/AC:L/Au:N/C:P/I:P/A:P', score: 7.5, source: 'ubuntu' },
    ]);
    expect(r.advisory?.ratings).toEqual([{ severity: 'unknown', raw: 'untriaged', source: 'ubuntu' }]);
    expect(r.advisory?.affected?.[0]?.rating).toEqual({ severity: 'high', raw: 'high', source: 'ubuntu' });
    expect(r.problems.map((p) => p[1])).toEqual(['USN-1-1: invalid CVSS vector "9.8" skipped', 'USN-1-1: unknown Ubuntu priority "severe"', 'USN-1-1: unknown severity type "CVSS_V5" skipped']);
  });

  it('reads the GHSA severity word only on GHSA records, and reports an unknown word', () => {
    expect(run({ ...base, database_specific: { severity: 'MODERATE', cwe_ids: ['CWE-79', 3] } }).advisory).toMatchObject({ ratings: [{ severity: 'medium', raw: 'MODERATE', source: 'ghsa' }], cwes: ['CWE-79'] });
    expect(run({ ...base, database_specific: { severity: 'Severe' } }).problems).toEqual([['FEED_PARSE', 'GHSA-aaaa-bbbb-cccc: unknown GHSA severity "Severe"']]);
    expect(run({ ...base, id: 'BIT-x-1', database_specific: { severity: 'Medium' } }).advisory?.ratings).toEqual([]);
  });

  it('drops dates that are placeholders and references without a URL', () => {
    const r = run({ ...base, modified: '0001-01-01T00:00:00Z', published: '0001-01-01T00:00:00Z', withdrawn: '2024-02-02T00:00:00Z', references: [{ type: 'WEB', url: '' }, { type: 'FIX', url: 'https://x' }] });
    expect(r.advisory).toMatchObject({ withdrawn: '2024-02-02T00:00:00Z', references: [{ type: 'FIX', url: 'https://x' }] });
    expect(r.advisory && 'modified' in r.advisory).toBe(false);
    expect(r.advisory && 'published' in r.advisory).toBe(false);
  });
});
