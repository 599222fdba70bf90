import { describe, expect, it } from 'vitest';
import { loadFixtures } from '../fixture.js';
import { pep440Scheme } from './index.js';

const rows = loadFixtures(new URL('./testdata/', import.meta.url).pathname);

describe('pep440 scheme', () => {
  it('agrees with Python packaging on every fixture row', () => {
    expect(rows.length).toBeGreaterThanOrEqual(2000);
    const wrong = rows.filter((r) => pep440Scheme.compare(r.a, r.b) !== r.expected);
    expect(wrong.slice(0, 20)).toEqual([]);
  });

  it('normalizes spellings and orders dev < pre < release < post', () => {
    expect(pep440Scheme.compare('1.0-1', '1.0.post1')).toBe(0);
    expect(pep440Scheme.compare('1.0alpha1', '1.0a1')).toBe(0);
    expect(pep440Scheme.compare('1.0.dev1', '1.0a1')).toBe(-1);
    expect(pep440Scheme.compare('1.0rc1', '1.0')).toBe(-1);
    expect(pep440Scheme.compare('1.0', '1.0.post1')).toBe(-1);
    expect(pep440Scheme.compare('1.0', '1.0+local')).toBe(-1);
  });

  it('rejects legacy versions', () => {
    for (const v of ['0.9-doduo', 'foo', '1.0.', '', '1..0']) expect(pep440Scheme.isValid(v), v).toBe(false);
  });
});
