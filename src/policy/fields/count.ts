import { z } from 'zod';
import { defineField, type FieldDef } from './types.js';

/** How many findings must match a rule's finding criteria ("more than 3 high"). */

const count = defineField({
  name: 'count',
  family: 'vulnerability',
  level: 'count',
  type: '{moreThan: n} | {atLeast: n}',
  description: 'How many findings must match the rule\'s other vulnerability criteria (default: at least one). `count: {moreThan: 3}` with `severity: [high]` is "more than 3 high".',
  example: 'count: {moreThan: 3}',
  schema: z
    .strictObject({ moreThan: z.number().int().min(0).optional(), atLeast: z.number().int().min(1).optional() })
    .refine((v) => (v.moreThan === undefined) !== (v.atLeast === undefined), 'give exactly one of moreThan, atLeast'),
  compile(v) {
    if (v.moreThan !== undefined) {
      const n = v.moreThan;
      return { level: 'count', describe: `more than ${n}`, test: (k) => k > n };
    }
    const n = v.atLeast ?? 1;
    return { level: 'count', describe: `at least ${n}`, test: (k) => k >= n };
  },
});

export const COUNT_FIELDS: readonly FieldDef[] = [count];
