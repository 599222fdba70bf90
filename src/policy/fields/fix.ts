import { z } from 'zod';
import { daysBetween, dayText, parseTime } from '../dates.js';
import { FACTS, UNDECIDED } from '../facts/findings.js';
import type { PolicyFinding } from '../input.js';
import { defineField, type FieldDef } from './types.js';

/**
 * Fixes: whether one exists, and for how long (Anchore's "fix available for more than N days"
 * trigger: the grace period of a vulnerability SLA).
 */

export const Days = z.number().int().min(0).max(100_000);

/**
 * When the fix became known: `fixPublished` (the earliest `published` of the matched advisories
 * whose range ends in a fix, set by the matcher), else the finding's `published` (the earliest
 * of its alias group). NaN when neither is known. The evaluation reads the same dates from
 * the finding facts (fixDay); this is for explanations.
 */
export function fixTime(f: PolicyFinding): { ms: number; from: 'fix advisory' | 'finding' | 'unknown' } {
  if (f.fixPublished) {
    const ms = parseTime(f.fixPublished);
    if (!Number.isNaN(ms)) return { ms, from: 'fix advisory' };
  }
  const ms = f.published ? parseTime(f.published) : Number.NaN;
  return Number.isNaN(ms) ? { ms, from: 'unknown' } : { ms, from: 'finding' };
}

const fixAvailable = defineField({
  name: 'fixAvailable',
  family: 'vulnerability',
  level: 'finding',
  type: 'boolean',
  description: 'true: a fixed version exists for the installed package; false: none exists (yet).',
  example: 'fixAvailable: true',
  schema: z.boolean(),
  compile(v) {
    const want = v ? 1 : 0;
    return {
      level: 'finding',
      describe: v ? 'a fix is available' : 'no fix is available',
      facts: FACTS.fix,
      select(from, n, to, { hasFix }) {
        let k = 0;
        for (let j = 0; j < n; j++) {
          const i = from[j] as number;
          if (hasFix[i] === want) to[k++] = i;
        }
        return k;
      },
    };
  },
});

const fixOlderThanDays = defineField({
  name: 'fixOlderThanDays',
  family: 'vulnerability',
  level: 'finding',
  cost: 2,
  type: 'whole days ≥ 0',
  description:
    'A fix exists and has been available for MORE than N whole UTC calendar days (the grace period). The fix date is the `published` date of the advisory that carries the fixed version, else the finding\'s `published`; when neither is known the finding is treated as past the grace period (fails closed).',
  example: 'fixOlderThanDays: 30',
  schema: Days,
  compile(n) {
    return {
      level: 'finding',
      describe: `a fix has been available for more than ${n} days`,
      facts: FACTS.fixDate,
      select(from, count, to, facts) {
        // More than n whole days old: fixDay < nowDay - n. NaN (date unknown) passes, fails
        // closed; +Infinity (no fix) does not.
        const { fixDay, nowDay } = facts;
        const limit = nowDay - n;
        let k = 0;
        for (let j = 0; j < count; j++) {
          const i = from[j] as number;
          let d = fixDay[i] as number;
          if (d === UNDECIDED) {
            facts.decideFixDay(i);
            d = fixDay[i] as number;
          }
          if (!(d >= limit)) to[k++] = i;
        }
        return k;
      },
      detail(f, nowMs) {
        const t = fixTime(f);
        if (t.from === 'unknown') return `fix ${f.fixedVersions[0]}: date unknown, treated as past the ${n}-day grace period`;
        return `fix ${f.fixedVersions[0]} published ${dayText(t.from === 'fix advisory' ? f.fixPublished : f.published, t.ms)} (${t.from}), ${daysBetween(t.ms, nowMs)} days ago`;
      },
    };
  },
});

export const FIX_FIELDS: readonly FieldDef[] = [fixAvailable, fixOlderThanDays];
