import type { Finding } from '../core/finding.js';
import { problem, type Problem } from '../core/problem.js';
import { isExpired, parseTime } from './dates.js';

/**
 * `.portcullisignore`: Trivy's `.trivyignore` format (pkg/result/ignore.go). One vulnerability
 * id per line, `#` starts a comment line, blank lines are skipped, and an optional
 * `exp:YYYY-MM-DD` field sets an expiry: the line stops applying once that day has begun (UTC),
 * and is then reported as expired. A line whose expiry is not a date is skipped with a
 * warning, so a typo never ignores anything. An id matches a finding's id or any alias
 * (CVE, GHSA, GO-…), case-insensitively.
 */

export const IGNOREFILE = '.portcullisignore';
const MAX_BYTES = 1024 * 1024;

export interface IgnoreLine {
  readonly id: string;
  readonly line: number;
  /** YYYY-MM-DD when the line has one. */
  readonly expires?: string;
}

export interface IgnoreFile {
  readonly file: string;
  readonly lines: readonly IgnoreLine[];
  readonly problems: readonly Problem[];
}

export function parseIgnoreFile(text: string, file: string): IgnoreFile {
  const problems: Problem[] = [];
  if (text.length > MAX_BYTES) return { file, lines: [], problems: [problem('USAGE', `${file} is larger than ${MAX_BYTES} bytes; it was not used`, { path: file })] };
  const lines: IgnoreLine[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    const id = fields[0] as string;
    const exp = fields.slice(1).find((f) => f.startsWith('exp:'));
    if (exp === undefined) {
      lines.push({ id, line: i + 1 });
      return;
    }
    const date = exp.slice(4);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(parseTime(date))) {
      problems.push(problem('USAGE', `${file}:${i + 1}: "${exp}" is not exp:YYYY-MM-DD; the line was skipped`, { path: file }));
      return;
    }
    lines.push({ id, line: i + 1, expires: date });
  });
  return { file, lines, problems };
}

/** Splits findings by the active lines; expired lines are returned apart, applied lines are those that matched. */
export function applyIgnoreFile<F extends Finding>(findings: readonly F[], ignore: IgnoreFile, nowMs: number): { kept: F[]; ignored: F[]; expired: IgnoreLine[]; applied: IgnoreLine[] } {
  const expired: IgnoreLine[] = [];
  const active = new Map<string, IgnoreLine>();
  for (const l of ignore.lines) {
    if (l.expires !== undefined && isExpired(parseTime(l.expires), nowMs)) expired.push(l);
    else active.set(l.id.toLowerCase(), l);
  }
  const kept: F[] = [];
  const ignored: F[] = [];
  const applied = new Set<IgnoreLine>();
  for (const f of findings) {
    const hit = [f.id, ...f.aliases].map((a) => active.get(a.toLowerCase())).find(Boolean);
    if (hit) {
      applied.add(hit);
      ignored.push(f);
    } else kept.push(f);
  }
  return { kept, ignored, expired, applied: [...applied] };
}
