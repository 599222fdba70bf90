/**
 * Incremental NVD updates ask for CVEs by lastModified range; the API refuses ranges longer than
 * 120 days (https://nvd.nist.gov/developers/vulnerabilities, "lastModStartDate"), so a long gap
 * is cut into consecutive windows that share their boundaries (both ends are inclusive, so a CVE
 * modified exactly on a boundary comes twice, which the database tolerates).
 */

export const MAX_WINDOW_DAYS = 120;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface Window {
  readonly start: Date;
  readonly end: Date;
}

/** Windows covering [since, until]; none when `until` is not after `since`. */
export function lastModWindows(since: Date, until: Date, maxDays = MAX_WINDOW_DAYS): Window[] {
  const span = maxDays * DAY_MS;
  const windows: Window[] = [];
  for (let start = since.getTime(); start < until.getTime(); start += span) {
    windows.push({ start: new Date(start), end: new Date(Math.min(start + span, until.getTime())) });
  }
  return windows;
}

/**
 * The API's date parameter: ISO 8601 with milliseconds and an explicit offset. Since July 2025
 * the API answers 404 to dates without an offset; `+` must be percent-encoded in a query.
 */
export function apiDate(d: Date): string {
  return d.toISOString().replace(/Z$/, '%2B00:00');
}

/**
 * File-name form of a window start, sorting in time order: `20240101T000000.000Z`; the first,
 * full run (no window) sorts before every window.
 */
export function fileStamp(d: Date | undefined): string {
  if (d === undefined) return '00000000T000000.000Z';
  return d.toISOString().replace(/[-:]/g, '');
}
