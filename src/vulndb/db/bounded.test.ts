import { describe, expect, it } from 'vitest';
import { BoundedMap } from './bounded.js';

describe('BoundedMap', () => {
  it('keeps at most max entries, dropping the oldest insertion first', () => {
    const m = new BoundedMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    m.set('a', 10); // an update is no insertion: nothing dropped
    expect([m.size, m.get('a'), m.get('b')]).toEqual([2, 10, 2]);
    m.set('c', 3);
    expect([m.size, m.get('a'), m.get('b'), m.get('c')]).toEqual([2, undefined, 2, 3]);
    m.set('d', 4);
    expect([m.get('b'), m.get('c'), m.get('d')]).toEqual([undefined, 3, 4]);
  });

  it('refuses a size that holds nothing', () => {
    expect(() => new BoundedMap(0)).toThrow(RangeError);
    expect(() => new BoundedMap(Number.NaN)).toThrow(RangeError);
  });
});
