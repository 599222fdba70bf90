import { describe, expect, it } from 'vitest';
import { advisoryUrl, fixText, repositoryOf, severityScore } from './facts.js';

describe('advisoryUrl', () => {
  it.each([
    ['CVE-2014-7191', 'https://nvd.nist.gov/vuln/detail/CVE-2014-7191'],
    ['GHSA-ppp9-7jff-5vj2', 'https://github.com/advisories/GHSA-ppp9-7jff-5vj2'],
    ['GO-2021-0113', 'https://osv.dev/vulnerability/GO-2021-0113'],
    ['NSWG-ECO-106', 'https://osv.dev/vulnerability/NSWG-ECO-106'],
    ['DSA-5417-1', 'https://osv.dev/vulnerability/DSA-5417-1'],
    ['CVE-2024-<x>', undefined],
    ['GHSA-<x>&"|', undefined],
    ['javascript:alert(1)', undefined],
    ['', undefined],
  ])('%j → %j', (id, url) => expect(advisoryUrl(id)).toBe(url));
});

describe('severityScore', () => {
  const cvss = (score: number, source = 'nvd') => [{ version: '3.1' as const, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score, source }];
  it.each([
    ['critical', 'nvd', cvss(9.8), 9.8],
    ['high', 'nvd', cvss(7.5), 7.5],
    // A score from another source, or outside the severity's band, does not override the severity.
    ['low', 'debian', cvss(9.8), 2.0],
    ['high', 'nvd', cvss(9.8), 8.0],
    ['medium', 'nvd', cvss(Number.NaN), 5.5],
    ['negligible', 'debian', [], 0.0],
    ['unknown', 'none', [], 0.0],
  ] as const)('%s from %s → %d', (severity, severitySource, c, score) => expect(severityScore({ severity, severitySource, cvss: c })).toBe(score));
});

describe('repositoryOf', () => {
  it.each([
    ['demo:1', 'demo'],
    ['reg.example:5000/team/app:1.2', 'reg.example:5000/team/app'],
    ['reg.example:5000/team/app', 'reg.example:5000/team/app'],
    ['app@sha256:0123', 'app'],
    ['reg:5000/app:1@sha256:0123', 'reg:5000/app'],
    ['/work/images/demo.oci.tar', '/work/images/demo.oci.tar'],
  ])('%s → %s', (name, repo) => expect(repositoryOf(name)).toBe(repo));
});

describe('fixText', () => {
  it('names fixed versions, else the fix state', () => {
    expect(fixText({ fixedVersions: ['1.0.0', '0.9.9'], fixState: 'fixed' })).toBe('fixed in 1.0.0, 0.9.9');
    expect(fixText({ fixedVersions: [], fixState: 'will_not_fix' })).toBe('no fix (will not fix)');
    expect(fixText({ fixedVersions: [], fixState: 'fixed' })).toBe('fixed');
  });
});
