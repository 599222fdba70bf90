import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { byNumbering } from './benchmarks/define.js';
import { CONCERN_IDS } from './concerns.js';
import { controlsOf } from './frameworks/mapping.js';
import { BUILTIN_FRAMEWORKS } from './frameworks/registry.js';
import { frameworkDiagnostics } from './frameworks/schema.js';
import { BENCHMARK_REGISTRY, BUILTIN_CHECKS, checksFor, MANUAL_CHECKS } from './registry.js';
import { bareContainer, image, unknownDaemon, unknownHost, workload } from './testdata/fixtures.js';
import { type Check, type InputOf, SEVERITIES, type Target, TARGETS } from './types.js';

/**
 * The Check seam's conformance suite (STYLE.md habit 9): every built-in check runs it.
 * Numbering, registry order, documentation, framework mapping, and the rule that a check
 * whose input is missing never passes.
 */
const ID_PATTERNS: Readonly<Record<string, RegExp>> = {
  'cis-docker': /^cis-docker-[1-6](\.\d+){1,2}$/,
  'cis-k8s': /^cis-k8s-5\.\d+\.\d+$/,
  pss: /^pss-(baseline|restricted)-[a-z]+(-[a-z]+)*$/,
};

/** Which targets each CIS Docker section may have (4.5 is a host setting, 5.1 a daemon one). */
const SECTION_TARGETS: Readonly<Record<string, readonly Target[]>> = { '1': ['host'], '2': ['daemon'], '3': ['daemon'], '4': ['image', 'host'], '5': ['container', 'daemon'], '6': ['daemon'] };

/** Inputs where everything that can be unknown is. */
const MISSING: { readonly [T in Target]: () => InputOf[T] } = {
  host: unknownHost,
  daemon: unknownDaemon,
  container: bareContainer,
  image: () => image(),
  'k8s-workload': () => workload({}, { namespace: undefined }),
};

/** Facts that are never partially known: the image's file tree is read whole or the scan ends with a coded error. */
const ALWAYS_KNOWN = new Set(['cis-docker-4.8', 'cis-docker-4.10']);

const docs = (file: string) => readFileSync(new URL(`../../docs/compliance/${file}`, import.meta.url), 'utf8');
const DOC_OF: Readonly<Record<string, string>> = { 'cis-docker': 'cis-docker.md', 'cis-k8s': 'cis-k8s.md', pss: 'pss.md' };
const OWN_FRAMEWORK = /^(cis-docker|cis-k8s|pss)/;

describe('Check conformance', () => {
  it('has unique ids, one benchmark registry each, in numbering order', () => {
    const ids = BUILTIN_CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [id, b] of Object.entries(BENCHMARK_REGISTRY)) {
      expect(b.checks.length, id).toBeGreaterThan(0);
      expect(b.checks.map((c) => c.id)).toEqual([...b.checks].sort(byNumbering).map((c) => c.id));
      for (const c of b.checks) expect(c.benchmark).toBe(id);
    }
    expect(new Set([...ids, ...MANUAL_CHECKS.map((m) => m.id)]).size).toBe(ids.length + MANUAL_CHECKS.length);
  });

  it.each(BUILTIN_CHECKS.map((c) => [c.id, c] as const))('%s: follows its benchmark numbering and metadata rules', (_id, c: Check) => {
    expect(c.id).toMatch(ID_PATTERNS[c.benchmark] as RegExp);
    expect(TARGETS).toContain(c.target);
    expect(SEVERITIES).toContain(c.severity);
    if (c.benchmark === 'cis-docker') expect(SECTION_TARGETS[c.id.split('-')[2]?.split('.')[0] ?? '']).toContain(c.target);
    expect(c.title.length).toBeGreaterThan(5);
    expect(c.description.length).toBeGreaterThan(20);
    expect(c.remediation.length).toBeGreaterThan(5);
    expect(c.concerns.length).toBeGreaterThan(0);
    for (const k of c.concerns) expect(CONCERN_IDS).toContain(k);
    expect(c.references?.length ?? 0).toBeGreaterThan(0);
  });

  it.each(BUILTIN_CHECKS.map((c) => [c.id, c] as const))('%s: is documented and mapped to NIST SP 800-190 and another framework', (_id, c: Check) => {
    expect(docs(DOC_OF[c.benchmark] as string)).toContain(`### ${c.id}: ${c.title}`);
    const controls = controlsOf(c, BUILTIN_FRAMEWORKS);
    expect(controls.some((x) => x.framework === 'nist-800-190'), 'NIST SP 800-190').toBe(true);
    expect(new Set(controls.filter((x) => !OWN_FRAMEWORK.test(x.framework)).map((x) => x.framework)).size).toBeGreaterThanOrEqual(2);
  });

  it.each(BUILTIN_CHECKS.filter((c) => !ALWAYS_KNOWN.has(c.id)).map((c) => [c.id, c] as const))('%s: never passes when its input is missing', (_id, c: Check) => {
    const input = MISSING[c.target]();
    const out = (c.evaluate as (i: typeof input) => ReturnType<Check['evaluate']>)(input);
    expect(out.status).not.toBe('pass');
    if (out.status === 'skip' || out.status === 'warn') expect(out.reason?.length ?? 0).toBeGreaterThan(5);
  });

  it('lists every target through checksFor in numbering order', () => {
    for (const t of TARGETS) {
      const list = checksFor(BUILTIN_CHECKS, t);
      expect(list.length, t).toBeGreaterThan(0);
      expect(list.map((c) => c.id)).toEqual([...list].sort(byNumbering).map((c) => c.id));
    }
  });

  it('has built-in frameworks that name only existing checks and concerns', () => {
    const ids = new Set(BUILTIN_CHECKS.map((c) => c.id));
    expect(BUILTIN_FRAMEWORKS.map((f) => f.id)).toEqual([...BUILTIN_FRAMEWORKS.map((f) => f.id)].sort());
    for (const fw of BUILTIN_FRAMEWORKS) expect(frameworkDiagnostics(fw, ids), fw.id).toEqual([]);
  });
});
