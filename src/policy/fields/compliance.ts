import { z } from 'zod';
import { compileGlob } from '../glob.js';
import type { ComplianceFact } from '../input.js';
import { defineField, type FieldDef } from './types.js';

/**
 * Compliance criteria: named checks of the compliance engine (src/compliance) must pass.
 * The input's `compliance` list holds the results the caller gathered; the CLI runs the image
 * checks only when a rule asks for them (`needs: compliance`).
 */

const GLOB_CHARS = /[*?[]/;

const compliance = defineField({
  name: 'compliance',
  family: 'compliance',
  level: 'image',
  type: '{mustPass: [check id | glob]}',
  description:
    'Matches when a listed check did not pass: its result is fail, warn or skip, or it was not evaluated at all. A glob (`cis-docker-4.*`) requires every evaluated check it names to pass, and at least one to exist.',
  example: "compliance: {mustPass: ['cis-docker-4.1', 'cis-docker-4.10']}",
  schema: z.strictObject({ mustPass: z.array(z.string().min(1)).min(1).max(1000) }),
  needs: 'compliance',
  compile(v, env, diag) {
    const entries: { id: string; test(s: string): boolean }[] = [];
    v.mustPass.forEach((id, i) => {
      if (!GLOB_CHARS.test(id)) {
        if (env.knownCheckIds && !env.knownCheckIds.has(id)) diag(`unknown check "${id}"`, `mustPass[${i}]`);
        entries.push({ id, test: (s) => s === id });
        return;
      }
      const g = compileGlob(id);
      if (g.ok) entries.push({ id, test: g.test });
      else diag(`bad glob "${id}": ${g.error}`, `mustPass[${i}]`);
    });
    if (entries.length !== v.mustPass.length) return undefined;
    return {
      level: 'image',
      describe: `checks must pass: ${v.mustPass.join(', ')}`,
      test: ({ input }) => {
        const results: readonly ComplianceFact[] | undefined = input.compliance;
        if (!results) return { matched: true, why: 'no compliance results in the input (the checks did not run)' };
        const bad: string[] = [];
        for (const e of entries) {
          const hits = results.filter((r) => e.test(r.id));
          if (hits.length === 0) bad.push(`${e.id}: not evaluated`);
          for (const h of hits) if (h.status !== 'pass') bad.push(`${h.id}: ${h.status}${h.reason ? ` (${h.reason})` : ''}`);
        }
        return bad.length ? { matched: true, why: `checks did not pass: ${bad.join('; ')}` } : { matched: false, why: `all of ${v.mustPass.join(', ')} passed` };
      },
    };
  },
});

export const COMPLIANCE_FIELDS: readonly FieldDef[] = [compliance];
