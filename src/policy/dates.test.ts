import { describe, expect, it } from 'vitest';
import { dayNumber, daysBetween, isExpired, parseTime, utcDay } from './dates.js';

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

describe('dayNumber (the day-granular reader grace periods use)', () => {
  // The same day as parseTime, or NaN exactly when parseTime refuses the text.
  const same = (t: string) => expect(Object.is(dayNumber(t), utcDay(parseTime(t))), JSON.stringify(t)).toBe(true);

  it('reads the forms feeds write, and every other form parseTime reads, to the same day', () => {
    for (const t of ['2026-01-01', '2024-02-29', '2026-03-01T12:34:56Z', '1999-12-31T23:59:59Z', '2026-03-01T12:34:56.789Z', '2026-03-01T00:00:00+02:00', '2026-01-01T22:00:00-05:00', '2026-03-01t00:00:00z', '2026-03-01 10:00:00Z', '2026-03-01T10:00:00.5Z', '2026-03-01T10:00:00.00Z', '0999-01-01', '1000-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z']) {
      same(t);
      expect(dayNumber(t), t).not.toBeNaN();
    }
    expect(dayNumber('2026-01-01T23:59:59.999Z')).toBe(dayNumber('2026-01-01'));
    expect(dayNumber('1970-01-02')).toBe(1);
  });

  it('refuses what parseTime refuses: impossible days, bad times, stray characters, other digits', () => {
    for (const t of ['2026-02-30', '2023-02-29', '1900-02-29', '2026-13-01', '2026-00-10', '2026-01-00', '2026-01-32', '26-01-01', '2026-1-1', '２０２６-01-01', '2026-01-01T24:00:00Z', '2026-01-01T23:60:00Z', '2026-01-01T10:00:60Z', '2026-01-01T10:00:00', '2026-01-01T10:00:00.000', '2026-01-01X10:00:00Z', '2026/01/01', '2026-01-01T1a:00:00Z', ' 2026-01-01', '2026-01-01 ', '', 'yesterday', '-2026-01-01', '+02026-01-01']) {
      same(t);
      expect(dayNumber(t), t).toBeNaN();
    }
  });

  it('agrees with parseTime on thousands of mutated, truncated and extended dates (seeded), and on huge text', () => {
    let seed = 7;
    const rnd = (k: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor((seed / 2147483648) * k);
    };
    const bases = ['2024-02-29', '2026-12-31T23:59:59Z', '2025-06-15T00:00:00.000Z', '2025-06-15T12:30:45+05:30'];
    const chars = '0123456789-:.TtZz +/x\u0660\u00e9';
    for (let k = 0; k < 5000; k++) {
      let t = bases[rnd(bases.length)] as string;
      const edits = 1 + rnd(3);
      for (let e = 0; e < edits; e++) {
        const at = rnd(t.length + 1);
        const c = chars[rnd(chars.length)] as string;
        const op = rnd(3);
        t = op === 0 ? t.slice(0, at) + c + t.slice(at + 1) : op === 1 ? t.slice(0, at) + c + t.slice(at) : t.slice(0, at) + t.slice(at + 1);
      }
      same(t);
    }
    const huge = `2026-01-01T00:00:00${'0'.repeat(1 << 20)}Z`;
    const start = Date.now();
    same(huge);
    expect(Date.now() - start).toBeLessThan(1000);
  });
});
