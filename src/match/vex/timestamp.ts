import { z } from 'zod';

/**
 * A point in time that orders exactly: milliseconds since the epoch plus the sub-millisecond
 * nanoseconds RFC 3339 allows (go-vex writes nanoseconds), so two statements a few µs apart
 * still order the way their author wrote them.
 */
export interface Instant {
  readonly ms: number;
  readonly subMsNanos: number;
}

// RFC 3339 §5.6 date-time (the `date-time` format of the OpenVEX and CycloneDX JSON schemas).
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,30}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

export function parseInstant(text: string): Instant | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  let offsetMinutes = 0;
  if (!m[8]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const fraction = (m[7] ?? '').padEnd(9, '0').slice(0, 9);
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0–99 to 1900–1999. A leap second counts as :59.
  const t = new Date(0);
  t.setUTCFullYear(year, month - 1, day);
  t.setUTCHours(hour, minute, Math.min(second, 59), Number(fraction.slice(0, 3)));
  const ms = t.getTime() - offsetMinutes * 60_000;
  return { ms, subMsNanos: Number(fraction.slice(3)) };
}

function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Negative when a is earlier; an unknown time is earlier than any known one. */
export function compareInstants(a: Instant | undefined, b: Instant | undefined): number {
  if (!a || !b) return (a ? 1 : 0) - (b ? 1 : 0);
  return a.ms - b.ms || a.subMsNanos - b.subMsNanos;
}

/** A zod string that must be an RFC 3339 date-time. */
export const TimestampSchema = z.string().refine((s) => parseInstant(s) !== undefined, {
  message: 'not an RFC 3339 date-time (e.g. 2023-01-08T18:02:03Z)',
});
