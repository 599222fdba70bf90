import { describe, expect, it } from 'vitest';
import { daysBetween, isExpired, parseTime } from './dates.js';

describe('policy dates', () => {
  it('parses the forms feeds write exactly as Date.parse does, and refuses what is not RFC 3339', () => {
    for (const t of ['2026-01-01', '2024-02-29', '2026-03-01T12:34:56Z', '1999-12-31T23:59:59Z', '2026-03-01T12:34:56.789Z', '2026-03-01T12:34:56+02:00', '2026-03-01t00:00:00z']) {
      const want = Date.parse(t.length === 10 ? `${t}T00:00:00Z` : t);
      expect(parseTime(t), t).toBe(want);
    }
    for (const t of ['2026-02-30', '2023-02-29', '2026-13-01', '2026-00-10', '26-01-01', '2026-01-01T24:00:00Z', '2026-01-01T10:00:00', 'yesterday', '', '2026-1-1', '２０２６-01-01', '2026-01-01T10:00:60Z']) {
      expect(parseTime(t), t).toBeNaN();
    }
  });

  it('counts whole UTC calendar days and expires after the instant', () => {
    expect(daysBetween(parseTime('2026-01-01T23:59:59Z'), parseTime('2026-01-31T00:00:00Z'))).toBe(30);
    expect(daysBetween(parseTime('2026-01-01T00:00:00Z'), parseTime('2026-01-31T23:59:59Z'))).toBe(30);
    expect(daysBetween(parseTime('2026-01-01T22:00:00-05:00'), parseTime('2026-01-02T00:00:00Z'))).toBe(0);
    expect(daysBetween(parseTime('2026-03-01'), parseTime('2026-02-01'))).toBe(-28);
    expect(isExpired(parseTime('2026-01-01'), parseTime('2026-01-01T00:00:00Z'))).toBe(false);
    expect(isExpired(parseTime('2026-01-01'), parseTime('2026-01-01T00:00:01Z'))).toBe(true);
  });
});
