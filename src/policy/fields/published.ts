import { daysBetween, dayText, parseTime } from '../dates.js';
import { FACTS, UNDECIDED } from '../facts/findings.js';
import { Days } from './fix.js';
import { defineField, type FieldDef } from './types.js';

/** The vulnerability's age: "published more than N days ago". */

const publishedOlderThanDays = defineField({
  name: 'publishedOlderThanDays',
  family: 'vulnerability',
  level: 'finding',
  cost: 2,
  type: 'whole days ≥ 0',
  description: 'The vulnerability was published MORE than N whole UTC calendar days ago. An unknown publication date counts as older (fails closed).',
  example: 'publishedOlderThanDays: 90',
  schema: Days,
  compile(n) {
    return {
      level: 'finding',
      describe: `published more than ${n} days ago`,
      facts: FACTS.published,
      select(from, count, to, facts) {
        // NaN (date unknown) passes: fails closed.
        const { publishedDay, nowDay } = facts;
        const limit = nowDay - n;
        let k = 0;
        for (let j = 0; j < count; j++) {
          const i = from[j] as number;
          let d = publishedDay[i] as number;
          if (d === UNDECIDED) {
            facts.decidePublishedDay(i);
            d = publishedDay[i] as number;
          }
          if (!(d >= limit)) to[k++] = i;
        }
        return k;
      },
      detail(f, nowMs) {
        const p = f.published;
        const ms = p ? parseTime(p) : Number.NaN;
        return Number.isNaN(ms) ? 'publication date unknown' : `published ${dayText(p, ms)}, ${daysBetween(ms, nowMs)} days ago`;
      },
    };
  },
});

export const PUBLISHED_FIELDS: readonly FieldDef[] = [publishedOlderThanDays];
