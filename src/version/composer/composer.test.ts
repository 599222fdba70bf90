import { describe, expect, it } from 'vitest';
import { loadFixtures } from '../fixture.js';
import { composerScheme, normalizeComposerVersion } from './index.js';

const rows = loadFixtures(new URL('./testdata/', import.meta.url).pathname);

describe('composer scheme', () => {
  it("agrees with Composer's VersionParser + Comparator on every fixture row", () => {
    expect(rows.length).toBeGreaterThanOrEqual(1000);
    const wrong = rows.filter((r) => composerScheme.compare(r.a, r.b) !== r.expected);
    expect(wrong.slice(0, 20)).toEqual([]);
  });

  it('normalizes like VersionParser::normalize', () => {
    expect(normalizeComposerVersion('v1.0')).toBe('1.0.0.0');
    expect(normalizeComposerVersion('1.0.0-b2')).toBe('1.0.0.0-beta2');
    expect(normalizeComposerVersion('1.0.0-pl1')).toBe('1.0.0.0-patch1');
    expect(normalizeComposerVersion('1.0.x-dev')).toBe('1.0.9999999.9999999-dev');
    expect(normalizeComposerVersion('dev-main')).toBe('dev-main');
  });

  it('orders stabilities dev < alpha < beta < RC < stable < patch', () => {
    const ordered = ['1.0.0-dev', '1.0.0-alpha1', '1.0.0-beta1', '1.0.0-RC1', '1.0.0', '1.0.0-patch1'];
    for (let i = 1; i < ordered.length; i++) expect(composerScheme.compare(ordered[i - 1] as string, ordered[i] as string)).toBe(-1);
  });

  it('rejects what Composer cannot normalize', () => {
    for (const v of ['', 'foo', '1.0 as 2.0', '1.0.0-foo', '1.0.0.0.0', 'dev-']) expect(composerScheme.isValid(v), v).toBe(false);
  });
});
