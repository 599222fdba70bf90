import { z } from 'zod';
import { compileCel } from '../cel.js';
import { defineField, type FieldDef } from './types.js';

/** Custom criteria: one CEL expression over the whole input (see ../cel.ts for the variables). */

const cel = defineField({
  name: 'cel',
  family: 'custom',
  level: 'image',
  type: 'CEL expression (bool)',
  description:
    'Matches when the expression is true. Variables: image, findings, signatures, compliance, context, now (see docs/policy.md). A malformed expression is refused at load; a runtime error makes the rule match (fails closed).',
  example: 'cel: \'findings.exists(f, f.package.name == "openssl" && f.severity == "critical")\'',
  schema: z.string().min(1),
  compile(expr, _env, diag) {
    const p = compileCel(expr);
    if (!p.ok) {
      diag(`malformed CEL: ${p.error}`);
      return undefined;
    }
    return {
      level: 'image',
      describe: `CEL ${expr}`,
      facts: p.facts,
      test: (ctx) => {
        const r = p.run(ctx);
        if (r.error !== undefined) return { matched: true, why: `CEL evaluation failed (the rule fails closed): ${r.error}` };
        return { matched: r.value === true, why: `CEL \`${expr}\` is ${r.value}` };
      },
    };
  },
});

export const CUSTOM_FIELDS: readonly FieldDef[] = [cel];
