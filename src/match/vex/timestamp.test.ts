import { describe, expect, it } from 'vitest';
import { compareInstants, parseInstant } from './timestamp.js';

describe('parseInstant', () => {
  it.each([
    ['2023-01-08T18:02:03Z', Date.parse('2023-01-08T18:02:03Z'), 0],
    ['2023-01-08T18:02:03.647787998-06:00', Date.parse('2023-01-09T00:02:03.647Z'), 787998],
    ['2023-01-08t18:02:03+05:30', Date.parse('2023-01-08T12:32:03Z'), 0],
    ['2024-02-29T00:00:00.5Z', Date.parse('2024-02-29T00:00:00.500Z'), 0],
    ['2016-12-31T23:59:60Z', Date.parse('2016-12-31T23:59:59Z'), 0], // leap second
    ['0099-01-01T00:00:00Z', Date.parse('0099-01-01T00:00:00Z'), 0],
  ])('%s', (text, ms, nanos) => {
    expect(parseInstant(text)).toEqual({ ms, subMsNanos: nanos });
  });

  it.each(['', '2023-01-08', '2023-01-08T18:02Z', '2023-02-29T00:00:00Z', '2023-13-01T00:00:00Z', '2023-01-08T24:00:00Z', '2023-01-08T18:02:03+25:00', '2023-01-08T18:02:03', 'yesterday', '2023-01-08T18:02:03Z ', `2023-01-08T18:02:03.${'9'.repeat(10_000)}Z`])(
    'rejects %j',
    (text) => expect(parseInstant(text)).toBeUndefined(),
  );
});

describe('compareInstants', () => {
  it('orders by time, then nanoseconds; unknown first', () => {
    const a = parseInstant('2023-01-01T00:00:00.000000001Z');
    const b = parseInstant('2023-01-01T00:00:00.000000002Z');
    const c = parseInstant('2022-12-31T19:00:00.000000002-05:00');
    expect(compareInstants(a, b)).toBeLessThan(0);
    expect(compareInstants(b, c)).toBe(0);
    expect(compareInstants(undefined, a)).toBeLessThan(0);
    expect(compareInstants(a, undefined)).toBeGreaterThan(0);
    expect(compareInstants(undefined, undefined)).toBe(0);
  });
});
