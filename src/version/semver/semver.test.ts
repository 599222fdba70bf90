import { describe, expect, it } from 'vitest';
import { loadFixtures } from '../fixture.js';
import { semverScheme } from './index.js';

const rows = loadFixtures(new URL('./testdata/', import.meta.url).pathname);

describe('semver scheme', () => {
  it('follows every hand-written row from the semver.org precedence rules', () => {
    expect(rows.length).toBeGreaterThanOrEqual(50);
    const wrong = rows.filter((r) => semverScheme.compare(r.a, r.b) !== r.expected);
    expect(wrong).toEqual([]);
  });

  it('rejects what node-semver (strict) rejects', () => {
    for (const v of ['', '1.0', '01.0.0', '1.0.0-01', '1.0.0-', '1.0.0+', 'x', '99999999999999999.0.0']) {
      expect(semverScheme.isValid(v), v).toBe(false);
    }
  });
});
