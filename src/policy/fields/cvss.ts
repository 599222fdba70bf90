import { z } from 'zod';
import { FACTS } from '../facts/findings.js';
import type { PolicyFinding } from '../input.js';
import { defineField, type FieldDef } from './types.js';

/** CVSS base scores, by version and source (NVD, GHSA, the distributions…). */

const CvssVersion = z.preprocess((v) => (typeof v === 'number' ? String(v) : v), z.enum(['2', '3', '4', '2.0', '3.0', '3.1', '4.0']));

const cvss = defineField({
  name: 'cvss',
  family: 'vulnerability',
  level: 'finding',
  cost: 3,
  type: '{min: 0–10, version?: "2.0"|"3.0"|"3.1"|"4.0"|"3" (any 3.x), source?: string}',
  description: 'A CVSS base score of the finding is at least `min`, counting only scores of that version and from that source (nvd, ghsa, nswg, redhat…) when given. Quote versions in YAML.',
  example: "cvss: {min: 7, version: '3.1', source: nvd}",
  schema: z.strictObject({ min: z.number().min(0).max(10), version: CvssVersion.optional(), source: z.string().min(1).optional() }),
  compile(v) {
    const versionOk = (ver: string) => v.version === undefined || ver === v.version || (v.version.length === 1 && ver.startsWith(`${v.version}.`));
    const source = v.source?.toLowerCase();
    const counts = (c: PolicyFinding['cvss'][number]) => c.score >= v.min && versionOk(c.version) && (source === undefined || c.source.toLowerCase() === source);
    return {
      level: 'finding',
      describe: `CVSS${v.version ? ` v${v.version}` : ''}${v.source ? ` from ${v.source}` : ''} ≥ ${v.min}`,
      facts: FACTS.cvss,
      select(from, n, to, facts) {
        const { max, start, score, version, source: src, versions, sources } = facts.cvss;
        if (v.version === undefined && source === undefined) {
          // Any version, any source: the finding's highest score decides.
          let k = 0;
          for (let j = 0; j < n; j++) {
            const i = from[j] as number;
            if ((max[i] as number) >= v.min) to[k++] = i;
          }
          return k;
        }
        // Decide version and source once per distinct value of this evaluation (a handful).
        let okVersion = 0;
        for (let k = 0; k < versions.length; k++) if (versionOk(versions[k] as string)) okVersion |= 1 << k;
        let okSource = 0;
        for (let k = 0; k < sources.length; k++) if (source === undefined || sources[k] === source) okSource |= 1 << k;
        const few = versions.length <= 31 && sources.length <= 31;
        let k = 0;
        for (let j = 0; j < n; j++) {
          const i = from[j] as number;
          const end = start[i + 1] as number;
          for (let e = start[i] as number; e < end; e++) {
            const ver = version[e] as number;
            const s = src[e] as number;
            const ok = few ? ((okVersion >> ver) & 1 & (okSource >> s)) === 1 : versionOk(versions[ver] as string) && (source === undefined || sources[s] === source);
            if ((score[e] as number) >= v.min && ok) {
              to[k++] = i;
              break;
            }
          }
        }
        return k;
      },
      detail(f) {
        const c = f.cvss.find(counts);
        return c ? `CVSS ${c.version} ${c.score} (${c.source})` : undefined;
      },
    };
  },
});

export const CVSS_FIELDS: readonly FieldDef[] = [cvss];
