import { describe, expect, it } from 'vitest';
import { textLines } from './text-lines.js';

describe('textLines', () => {
  it('numbers lines from 1, strips CR and keeps empty lines', () => {
    expect([...textLines('a\r\n\nb')]).toEqual([
      ['a', 1],
      ['', 2],
      ['b', 3],
    ]);
    expect([...textLines('x\n')]).toEqual([
      ['x', 1],
      ['', 2],
    ]);
    expect([...textLines('')]).toEqual([['', 1]]);
  });

  it('walks megabytes of blank lines lazily', () => {
    let n = 0;
    for (const [line] of textLines('\n'.repeat(2_000_000))) if (line === '') n++;
    expect(n).toBe(2_000_001);
  });
});
