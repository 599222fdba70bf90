import { z } from 'zod';
import { PACKAGE_TYPES } from '../../core/package.js';
import { FACTS } from '../facts/findings.js';
import { compileInNotIn, InNotInSchema, inNotIn, inNotInPair } from './lists.js';
import { defineField, type FieldDef } from './types.js';

/** What is affected: the vulnerability's ids, the package (name or purl), the package type. */

const vulnerabilityIds = defineField({
  name: 'vulnerabilityIds',
  family: 'vulnerability',
  level: 'finding',
  cost: 4,
  type: '{in?: [glob], notIn?: [glob]}',
  description: 'The finding\'s id or any alias (CVE, GHSA, GO-…) is in the deny list `in`, and/or none is in the allow list `notIn`. Globs; ids compare in their canonical case (cve-… matches CVE-…).',
  example: "vulnerabilityIds: {in: ['CVE-2021-44228', 'GHSA-*']}",
  schema: InNotInSchema,
  compile(v, _env, diag) {
    const c = compileInNotIn(v, { ids: true }, diag);
    if (!c) return undefined;
    return {
      level: 'finding',
      describe: `vulnerability id ${c.describe}`,
      facts: FACTS.aliases,
      select(from, n, to, { aliases }) {
        let k = 0;
        for (let j = 0; j < n; j++) {
          const i = from[j] as number;
          if (inNotIn(c, aliases[i] as readonly string[])) to[k++] = i;
        }
        return k;
      },
    };
  },
});

const packages = defineField({
  name: 'packages',
  family: 'vulnerability',
  level: 'finding',
  cost: 4,
  type: '{in?: [glob], notIn?: [glob]}',
  description: 'The affected package is in the deny list `in`, and/or not in the allow list `notIn`. Entries match the package name, or its purl when they start with `pkg:` (`pkg:npm/lodash@*`).',
  example: "packages: {in: [log4j-core, 'pkg:npm/lodash@*']}",
  schema: InNotInSchema,
  compile(v, _env, diag) {
    const c = compileInNotIn(v, {}, diag);
    if (!c) return undefined;
    // A package's purl is tested only when an entry is one (`pkg:…`).
    return {
      level: 'finding',
      describe: `package ${c.describe}`,
      facts: c.purls ? FACTS.packageName | FACTS.purl : FACTS.packageName,
      select(from, n, to, { names, purls }) {
        let k = 0;
        for (let j = 0; j < n; j++) {
          const i = from[j] as number;
          if (inNotInPair(c, names[i] as string, c.purls ? (purls[i] as string) : undefined)) to[k++] = i;
        }
        return k;
      },
    };
  },
});

const packageTypes = defineField({
  name: 'packageTypes',
  family: 'vulnerability',
  level: 'finding',
  type: `list of ${PACKAGE_TYPES.join(' | ')}`,
  description: 'The affected package is of one of these types (OS packages: deb, apk, rpm; language packages: npm, pypi, golang…).',
  example: 'packageTypes: [deb, rpm, apk]',
  schema: z.array(z.enum(PACKAGE_TYPES)).min(1),
  compile(v) {
    const set = new Set<string>(v);
    return {
      level: 'finding',
      describe: `package type in [${v.join(', ')}]`,
      facts: FACTS.packageType,
      select(from, n, to, { types }) {
        let k = 0;
        for (let j = 0; j < n; j++) {
          const i = from[j] as number;
          if (set.has(types[i] as string)) to[k++] = i;
        }
        return k;
      },
    };
  },
});

export const PACKAGE_FIELDS: readonly FieldDef[] = [packageTypes, packages, vulnerabilityIds];
