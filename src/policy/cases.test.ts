import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { evaluatePolicy } from './evaluate.js';
import { FIELDS } from './fields/registry.js';
import { parsePolicyInput, type Stage } from './input.js';
import { compilePolicies } from './load.js';

/**
 * Policy tests as data: every file in testdata/cases holds policies, a base input and cases
 * (now, stage, input overrides, expected verdict, matched rules, expired exceptions, evidence).
 * See testdata/README.md for the format.
 */

interface Case {
  name: string;
  now: string;
  stage?: Stage;
  input?: Record<string, unknown>;
  expect: { verdict: string; matched: string[]; expiredExceptions?: string[]; evidence?: Record<string, string[]>; why?: Record<string, string[]> };
}

interface CaseFile {
  criteria: string[];
  policies: unknown[];
  input: Record<string, unknown>;
  cases: Case[];
}

const DIR = join(import.meta.dirname, 'testdata', 'cases');
const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();

describe('policy cases (testdata/cases)', () => {
  for (const file of files) {
    const data = parse(readFileSync(join(DIR, file), 'utf8')) as CaseFile;
    describe(file, () => {
      const compiled = compilePolicies(data.policies.map((p, i) => ({ file: `${file}#${i}`, text: stringify(p) })));
      it('compiles', () => expect(compiled.diagnostics).toEqual([]));
      for (const c of data.cases) {
        it(c.name, () => {
          // Case inputs replace the base input's top-level keys; null removes one.
          const merged = Object.fromEntries(Object.entries({ ...data.input, ...c.input, now: c.now }).filter(([, v]) => v !== null));
          const input = parsePolicyInput(merged, `${file}: ${c.name}`);
          const r = evaluatePolicy(compiled.policies, input, c.stage ?? 'build');
          const matched = r.rules.filter((x) => x.matched).map((x) => `${x.policy}/${x.rule}`);
          expect({ verdict: r.verdict, matched: matched.sort() }, JSON.stringify(r.rules.map((x) => [x.rule, x.matched, x.why]))).toEqual({ verdict: c.expect.verdict, matched: [...c.expect.matched].sort() });
          if (c.expect.expiredExceptions) expect(r.expiredExceptions.map((e) => e.name).sort()).toEqual([...c.expect.expiredExceptions].sort());
          for (const [rule, ids] of Object.entries(c.expect.evidence ?? {})) {
            const res = r.rules.find((x) => `${x.policy}/${x.rule}` === rule);
            expect(res?.evidence.map((e) => `${e.id} ${e.package}`).sort(), rule).toEqual([...ids].sort());
          }
          for (const [rule, texts] of Object.entries(c.expect.why ?? {})) {
            const res = r.rules.find((x) => `${x.policy}/${x.rule}` === rule);
            for (const t of texts) expect(res?.why.join(' | '), rule).toContain(t);
          }
        });
      }
    });
  }

  it('covers every field of the registry', () => {
    const covered = new Set(files.flatMap((f) => (parse(readFileSync(join(DIR, f), 'utf8')) as CaseFile).criteria));
    expect(FIELDS.map((f) => f.name).filter((n) => !covered.has(n))).toEqual([]);
  });
});
