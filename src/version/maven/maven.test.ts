import { describe, expect, it } from 'vitest';
import { loadFixtures } from '../fixture.js';
import { isConventionalMavenVersion, mavenScheme } from './index.js';

const rows = loadFixtures(new URL('./testdata/', import.meta.url).pathname);

describe('maven scheme', () => {
  it("agrees with Maven's ComparableVersion on every fixture row", () => {
    expect(rows.length).toBeGreaterThanOrEqual(1000);
    const wrong = rows.filter((r) => mavenScheme.compare(r.a, r.b) !== r.expected);
    expect(wrong.slice(0, 20)).toEqual([]);
  });

  it('keeps the documented orders', () => {
    for (const v of ['1.0', '1.0.0', '1-0', '1-ga', '1-final']) expect(mavenScheme.compare('1', v), v).toBe(0);
    expect(mavenScheme.compare('1X', '1x')).toBe(0);
    expect(mavenScheme.compare('1m3', '1MILESTONE3')).toBe(0);
    const ordered = ['1-alpha', '1-beta', '1-milestone', '1-rc', '1-snapshot', '1', '1-sp', '1-abc', '1.1'];
    for (let i = 1; i < ordered.length; i++) expect(mavenScheme.compare(ordered[i - 1] as string, ordered[i] as string)).toBe(-1);
  });

  it("reproduces Maven's own intransitive cycle rather than inventing an order", () => {
    expect(mavenScheme.compare('01-RELEASE', '01-b')).toBe(-1);
    expect(mavenScheme.compare('01-b', '1-RELEASE-0-snapshot-2')).toBe(-1);
    expect(mavenScheme.compare('1-RELEASE-0-snapshot-2', '01-RELEASE')).toBe(-1);
    expect(mavenScheme.compare('01-RELEASE', '01.a-cr-sp-release')).toBe(-1);
    expect(mavenScheme.compare('01.a-cr-sp-release', '01-rc.10.m')).toBe(-1);
    expect(mavenScheme.compare('01-rc.10.m', '01-RELEASE')).toBe(-1);
    expect(isConventionalMavenVersion('1-RELEASE-0-snapshot-2')).toBe(false);
    for (const v of ['1.0-beta-1', '1.0-beta1', '31.1-jre', '1.0-SNAPSHOT', '1.0-rc-1-SNAPSHOT']) expect(isConventionalMavenVersion(v), v).toBe(true);
  });

  it('rejects strings that are not versions', () => {
    for (const v of ['', '-1', '.1', '1 0', 'v1!', '1.0/2']) expect(mavenScheme.isValid(v), v).toBe(false);
  });
});
