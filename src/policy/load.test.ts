import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPortcullisError, type PortcullisError } from '../core/errors.js';
import { evaluatePolicy } from './evaluate.js';
import { compilePolicies, loadPolicies, MAX_POLICY_BYTES } from './load.js';
import type { Diagnostic } from './model.js';
import { readPolicySources } from './sources.js';

/** Bad input: invalid files are refused whole (POLICY_INVALID) with diagnostics; nothing is ever allowed by them. */

interface InvalidCase {
  name: string;
  policy: string;
  diagnostics: Partial<Diagnostic>[];
}

const CASES = parse(readFileSync(join(import.meta.dirname, 'testdata', 'invalid', 'cases.yaml'), 'utf8')) as InvalidCase[];
const KNOWN_CHECKS = new Set(['cis-docker-4.1', 'cis-docker-4.6']);
const OK = `apiVersion: portcullis.dev/v1
kind: Policy
metadata: {name: ok}
spec:
  rules:
    - {name: kev, stages: [build], action: block, criteria: {kev: true}}
`;

async function refused(p: Promise<unknown>): Promise<PortcullisError> {
  try {
    await p;
  } catch (err) {
    if (isPortcullisError(err, 'POLICY_INVALID')) return err;
    throw err;
  }
  throw new Error('expected POLICY_INVALID');
}

describe('invalid policies (testdata/invalid/cases.yaml)', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const file = `${c.name.replace(/\W+/g, '-')}.yaml`;
      const r = compilePolicies([{ file, text: c.policy }], { knownCheckIds: KNOWN_CHECKS });
      expect(r.policies).toEqual([]);
      expect(r.diagnostics.length).toBeGreaterThan(0);
      for (const want of c.diagnostics) {
        const { message, ...exact } = want;
        const hit = r.diagnostics.find((d) => Object.entries(exact).every(([k, v]) => d[k as keyof Diagnostic] === v) && (!message || d.message.includes(message)));
        expect(hit, `${JSON.stringify(want)} in ${JSON.stringify(r.diagnostics, null, 1)}`).toBeDefined();
        expect(hit?.file).toBe(file);
      }
      // The same text through the loader: one coded error listing every diagnostic.
      const err = await refused(loadPolicies([{ file, text: c.policy }], { knownCheckIds: KNOWN_CHECKS, resolveImage: async () => [] }));
      expect(err.message).toContain(file);
      expect(err.exitCode).toBe(7);
    });
  }

  it('refuses the whole set when one file is invalid, so valid rules are not applied alone', async () => {
    const r = compilePolicies([{ file: 'ok.yaml', text: OK }, { file: 'bad.yaml', text: OK.replace('name: ok', 'name: bad').replace('kev: true', 'kev: 1') }]);
    expect(r.policies).toEqual([]);
    expect(r.diagnostics.map((d) => d.file)).toEqual(['bad.yaml']);
  });

  it('refuses two policies with the same name', () => {
    const r = compilePolicies([{ file: 'a.yaml', text: OK }, { file: 'b.yaml', text: OK }]);
    expect(r.diagnostics).toEqual([expect.objectContaining({ file: 'b.yaml', path: 'metadata.name', message: expect.stringContaining('also defined in a.yaml') })]);
  });

  it('reads multi-document files and names the document in paths', () => {
    const r = compilePolicies([{ file: 'multi.yaml', text: `${OK}---\n${OK.replace('name: ok', 'name: two').replace('kev: true', 'kev: maybe')}` }]);
    expect(r.diagnostics).toEqual([expect.objectContaining({ path: 'documents[1].spec.rules[0].criteria.kev', rule: 'kev', field: 'kev' })]);
    const good = compilePolicies([{ file: 'multi.yaml', text: `${OK}---\n${OK.replace('name: ok', 'name: two')}` }]);
    expect(good.policies.map((p) => p.name)).toEqual(['ok', 'two']);
  });

  it('survives hostile input: garbage, alias bombs, huge files, deep nesting, non-objects', () => {
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n`;
    const texts = [
      Buffer.from([0, 159, 146, 150, 255, 0, 1, 2]).toString('latin1'),
      bomb,
      'x'.repeat(MAX_POLICY_BYTES + 1),
      `${'['.repeat(5000)}${']'.repeat(5000)}`,
      '42',
      '- a\n- b\n',
      'apiVersion: portcullis.dev/v1\nkind: Policy\nmetadata: {name: p}\nspec: {rules: [1, "x", null]}\n',
      OK.replace('{kev: true}', `{cel: '${'('.repeat(300)}true${')'.repeat(300)}'}`),
      OK.replace('{kev: true}', `{cel: '${'x'.repeat(9000)}'}`),
    ];
    for (const [i, text] of texts.entries()) {
      const r = compilePolicies([{ file: `hostile-${i}.yaml`, text }]);
      expect(r.policies, `hostile ${i}`).toEqual([]);
      expect(r.diagnostics.length, `hostile ${i}`).toBeGreaterThan(0);
    }
  });

  it('resolves base image references through the caller, and refuses when it fails', async () => {
    const text = OK.replace('{kev: true}', "{baseImage: {notIn: [{name: deb, ref: 'debian:12'}]}}");
    const ids = ['sha256:1111111111111111111111111111111111111111111111111111111111111111'];
    const asked: string[] = [];
    const policies = await loadPolicies([{ file: 'b.yaml', text }], {
      resolveImage: async (ref) => {
        asked.push(ref);
        return ids;
      },
    });
    expect(asked).toEqual(['debian:12']);
    const input = { now: '2026-01-01T00:00:00Z', image: { reference: 'x', referencedByDigest: false, labels: {}, diffIds: [...ids, 'sha256:2222222222222222222222222222222222222222222222222222222222222222'] }, findings: [] };
    expect(evaluatePolicy(policies, input, 'build').verdict).toBe('allow');
    expect(evaluatePolicy(policies, { ...input, image: { ...input.image, diffIds: [] } }, 'build').verdict).toBe('block');
    const err = await refused(loadPolicies([{ file: 'b.yaml', text }], { resolveImage: async () => Promise.reject(new Error('no such image')) }));
    expect(err.message).toContain('base image debian:12 cannot be resolved: no such image');
    expect((await refused(loadPolicies([{ file: 'b.yaml', text }]))).message).toContain('no resolver');
  });

  it('refuses to evaluate with a malformed clock or an unknown stage instead of allowing', async () => {
    const policies = await loadPolicies([{ file: 'ok.yaml', text: OK }]);
    const input = { now: 'yesterday', image: { reference: 'x', referencedByDigest: false, labels: {}, diffIds: [] }, findings: [] };
    expect(() => evaluatePolicy(policies, input, 'build')).toThrow(/not an RFC 3339 time/);
    expect(() => evaluatePolicy(policies, { ...input, now: '2026-01-01T00:00:00Z' }, 'ship' as 'build')).toThrow(/unknown stage/);
  });
});

describe('readPolicySources', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'portcullis-policy-src-'));
    mkdirSync(join(dir, 'set', 'nested'), { recursive: true });
    mkdirSync(join(dir, 'empty'));
    writeFileSync(join(dir, 'set', 'b.yaml'), OK);
    writeFileSync(join(dir, 'set', 'a.yml'), OK.replace('name: ok', 'name: a'));
    writeFileSync(join(dir, 'set', 'nested', 'c.json'), JSON.stringify(parse(OK.replace('name: ok', 'name: c'))));
    writeFileSync(join(dir, 'set', 'README.md'), '# not a policy');
    writeFileSync(join(dir, 'empty', 'notes.txt'), 'nothing');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads files and directories (recursively, sorted, policy extensions only)', async () => {
    const sources = readPolicySources(['set'], dir);
    expect(sources.map((s) => s.file.slice(dir.length + 1))).toEqual(['set/a.yml', 'set/b.yaml', 'set/nested/c.json']);
    expect((await loadPolicies(sources)).map((p) => p.name)).toEqual(['a', 'ok', 'c']);
  });

  it('refuses missing paths and directories without policies', () => {
    expect(() => readPolicySources(['nope.yaml'], dir)).toThrow(expect.objectContaining({ code: 'POLICY_INVALID' }));
    expect(() => readPolicySources(['empty'], dir)).toThrow(/no policy files/);
  });
});
