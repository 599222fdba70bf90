import { describe, expect, it } from 'vitest';
import { loadFixtures } from '../fixture.js';
import { nugetScheme } from './index.js';

const rows = loadFixtures(new URL('./testdata/', import.meta.url).pathname);

describe('nuget scheme', () => {
  it('follows every hand-written row from the NuGet versioning rules', () => {
    expect(rows.length).toBeGreaterThanOrEqual(50);
    const wrong = rows.filter((r) => nugetScheme.compare(r.a, r.b) !== r.expected);
    expect(wrong).toEqual([]);
  });

  it('rejects what NuGetVersion.TryParse rejects', () => {
    for (const v of ['', 'v1.0', '1.0.0.0.0', '1.0-', '1.0.0-beta..1', '1.0.0+', '2147483648.0', 'abc', '1.0.0-bét']) {
      expect(nugetScheme.isValid(v), v).toBe(false);
    }
  });
});
