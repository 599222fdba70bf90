import { z } from 'zod';
import { FINDING_SEVERITIES } from '../../core/finding.js';
import { FACTS, SEVERITY_OTHER } from '../facts/findings.js';
import { defineField, type FieldDef } from './types.js';

/**
 * The finding's severity: at least one (`severity: high`), or one of a list
 * (`severity: [medium, high]`).
 */

// Lowest first, as Grype orders them: `unknown` is below everything, so "at least low" excludes it.
const SEVERITY_ORDER = FINDING_SEVERITIES;
export const Severity = z.preprocess((v) => (typeof v === 'string' ? v.toLowerCase() : v), z.enum(SEVERITY_ORDER));

/** Which severity codes pass (indexed by code, see facts/findings.ts): one table lookup per finding. */
function passTable(pass: (code: number) => boolean): Uint8Array {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) t[c] = pass(c) ? 1 : 0;
  return t;
}

const severity = defineField({
  name: 'severity',
  family: 'vulnerability',
  level: 'finding',
  type: 'severity name (at least) | list of severity names (exactly)',
  description: 'The finding\'s severity is at least the given one (unknown < negligible < low < medium < high < critical), or one of the listed ones.',
  example: 'severity: high',
  schema: z.union([Severity, z.array(Severity).min(1)]),
  compile(v) {
    let pass: Uint8Array;
    let describe: string;
    if (Array.isArray(v)) {
      const listed = new Set<number>(v.map((s) => SEVERITY_ORDER.indexOf(s)));
      pass = passTable((c) => listed.has(c));
      describe = `severity in [${v.join(', ')}]`;
    } else {
      // A severity outside the scale ranks as unknown (0), as before.
      const min = SEVERITY_ORDER.indexOf(v);
      pass = passTable((c) => (c === SEVERITY_OTHER ? 0 : c) >= min);
      describe = `severity ≥ ${v}`;
    }
    return {
      level: 'finding',
      describe,
      facts: FACTS.severity,
      select(from, n, to, { severity: sev }) {
        let k = 0;
        for (let j = 0; j < n; j++) {
          const i = from[j] as number;
          if (pass[sev[i] as number] === 1) to[k++] = i;
        }
        return k;
      },
    };
  },
});

export const SEVERITY_FIELDS: readonly FieldDef[] = [severity];
