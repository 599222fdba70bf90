import { describe, expect, it } from 'vitest';
import { parseFixture } from './fixture.js';

describe('comparison fixture parser', () => {
  it('reads rows and skips comments and blank lines', () => {
    const rows = parseFixture('# header\n1.0\t2.0\t-1\n\n2.0\t1.0\t1\n', 'x.tsv');
    expect(rows).toEqual([
      { file: 'x.tsv', line: 2, a: '1.0', b: '2.0', expected: -1 },
      { file: 'x.tsv', line: 4, a: '2.0', b: '1.0', expected: 1 },
    ]);
  });

  it('refuses malformed rows with the file and line', () => {
    for (const bad of ['1.0\t2.0', '1.0\t2.0\t2', '1.0\t2.0\t-1\textra', '1.0 2.0 -1']) {
      expect(() => parseFixture(`# h\n${bad}\n`, 'bad.tsv'), bad).toThrow(/^bad\.tsv:2: /);
    }
  });
});
