/**
 * Dates in policies and inputs. Grace periods count whole UTC calendar days: a fix published
 * at any time on 2026-01-01 is "more than 30 days old" from 2026-02-01T00:00:00Z on, so the
 * answer never depends on the hour a feed happened to publish at. Expiry dates follow
 * Trivy's `.trivyignore` `exp:YYYY-MM-DD`: the date is the instant 00:00:00Z of that day, and
 * an exception or ignore line stops applying once `now` is past it.
 */

const DAY_MS = 86_400_000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
// RFC 3339 with a zone; Date.parse alone accepts far more than that.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** The decimal number in s[from, from + len), or -1 when a character is not a digit. */
function num(s: string, from: number, len: number): number {
  let v = 0;
  for (let i = from; i < from + len; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms"). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** `YYYY-MM-DDTHH:MM:SSZ` and `YYYY-MM-DD`, the forms feeds write, without a RegExp or Date.parse (grace periods parse thousands per evaluation). */
function fastUtc(t: string): number {
  const n = t.length;
  // YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ, YYYY-MM-DDTHH:MM:SS.sssZ
  const timed = (n === 20 || (n === 24 && t.charCodeAt(19) === 46)) && t.charCodeAt(n - 1) === 90 && t.charCodeAt(10) === 84;
  if (n !== 10 && !timed) return Number.NaN;
  if (t.charCodeAt(4) !== 45 || t.charCodeAt(7) !== 45) return Number.NaN;
  const y = num(t, 0, 4);
  const mo = num(t, 5, 2);
  const d = num(t, 8, 2);
  if (!validDay(y, mo, d)) return Number.NaN;
  const day = daysFromCivil(y, mo, d) * DAY_MS;
  if (n === 10) return day;
  if (t.charCodeAt(13) !== 58 || t.charCodeAt(16) !== 58) return Number.NaN;
  const h = num(t, 11, 2);
  const mi = num(t, 14, 2);
  const s = num(t, 17, 2);
  const ms = n === 24 ? num(t, 20, 3) : 0;
  return h >= 0 && h < 24 && mi >= 0 && mi < 60 && s >= 0 && s < 60 && ms >= 0 ? day + ((h * 60 + mi) * 60 + s) * 1000 + ms : Number.NaN;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validDay(y: number, mo: number, d: number): boolean {
  if (!(y >= 1000 && mo >= 1 && mo <= 12 && d >= 1)) return false;
  const leap = mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= (MONTH_DAYS[mo - 1] as number) + (leap ? 1 : 0);
}

/** Milliseconds since the epoch for `YYYY-MM-DD` (00:00Z) or an RFC 3339 time; NaN otherwise. */
export function parseTime(text: string): number {
  const fast = fastUtc(text);
  if (!Number.isNaN(fast)) return fast;
  if (DATE_ONLY.test(text)) {
    const ms = Date.parse(`${text}T00:00:00Z`);
    // Date.parse rolls 2026-02-31 over to March; refuse dates that do not exist.
    return !Number.isNaN(ms) && new Date(ms).toISOString().startsWith(text) ? ms : Number.NaN;
  }
  const m = RFC3339.exec(text);
  if (!m) return Number.NaN;
  const [y, mo, d, h, mi, sec] = [0, 5, 8, 11, 14, 17].map((at) => num(text, at, at === 0 ? 4 : 2)) as [number, number, number, number, number, number];
  return validDay(y, mo, d) && h < 24 && mi < 60 && sec < 60 ? Date.parse(text) : Number.NaN;
}

// The forms fastUtc reads, as one RegExp (a native scan is cheaper than a check per character).
const FEED_FORMS = /^\d{4}-\d\d-\d\d(?:T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{3})?Z)?$/;

/** The value of the two digits at `at` (known to be digits). */
function two(t: string, at: number): number {
  return (t.charCodeAt(at) - 48) * 10 + t.charCodeAt(at + 1) - 48;
}

/**
 * The UTC day (days since 1970-01-01) of a date as `parseTime` reads it, NaN when it does not
 * parse. Grace periods compare whole days and read two dates per finding, so the forms feeds
 * write (`YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SSZ`, `YYYY-MM-DDTHH:MM:SS.sssZ`) are checked as
 * strictly as `fastUtc` checks them (same characters, same ranges, real calendar days) without
 * building the instant; any other text goes through `parseTime`, so both accept and refuse
 * the same texts.
 */
export function dayNumber(t: string): number {
  if (FEED_FORMS.test(t)) {
    const y = two(t, 0) * 100 + two(t, 2);
    const mo = two(t, 5);
    const d = two(t, 8);
    // A whole number (| 0): it stays a small integer, never a boxed double.
    if (validDay(y, mo, d)) return daysFromCivil(y, mo, d) | 0;
  }
  return utcDay(parseTime(t));
}

/** The UTC calendar day number of an instant (days since 1970-01-01). */
export function utcDay(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** Whole UTC calendar days from `then` to `now` (negative when `then` is in the future). */
export function daysBetween(thenMs: number, nowMs: number): number {
  return utcDay(nowMs) - utcDay(thenMs);
}

/** True when an expiry instant has passed. */
export function isExpired(expiresMs: number, nowMs: number): boolean {
  return nowMs > expiresMs;
}

export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The UTC day of a date as text; the source text itself when it is already in UTC (no Date needed). */
export function dayText(text: string | undefined, ms: number): string {
  return text !== undefined && (text.length === 10 || text.endsWith('Z')) ? text.slice(0, 10) : isoDate(ms);
}
