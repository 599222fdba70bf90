import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../version.js';
import { REPORTERS, reporterById } from './registry.js';
import { demoReport, emptyReport, hostileReport } from './testdata/reports.js';

/** What every reporter owes: a file named after its id, a place in the sorted registry and the docs, total and deterministic output. */

describe('reporter registry', () => {
  it('is sorted by id, ids unique, each in src/report/<id>.ts and documented', () => {
    const ids = REPORTERS.map((r) => r.id);
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(ids.length);
    const docs = readFileSync(`${PACKAGE_ROOT}/deploy/ci/README.md`, 'utf8');
    for (const r of REPORTERS) {
      expect(existsSync(new URL(`./${r.id}.ts`, import.meta.url)), r.id).toBe(true);
      expect(r.description.length, r.id).toBeGreaterThan(10);
      expect(reporterById(r.id)).toBe(r);
      expect(docs, `deploy/ci/README.md documents --format ${r.id}`).toMatch(new RegExp(`\`${r.id}\``));
    }
    expect(reporterById('nope')).toBeUndefined();
  });
});

/** CycloneDX requires a new serial number for every BOM document; everything else must repeat exactly. */
const unique = (s: string) => s.replace(/"serialNumber": "urn:uuid:[0-9a-f-]{36}"/, '"serialNumber": "…"');

describe.each(REPORTERS.map((r) => [r.id, r] as const))('reporter %s', (_id, reporter) => {
  it('renders real, empty and hostile reports the same way every time, ending in a newline', () => {
    for (const make of [demoReport, emptyReport, hostileReport]) {
      const a = reporter.render(make(), { color: false, width: 120 });
      expect(a.endsWith('\n')).toBe(true);
      expect(unique(reporter.render(make(), { color: false, width: 120 }))).toBe(unique(a));
    }
  });

  it('does not change the report it is given', () => {
    const report = demoReport();
    const before = JSON.stringify(report);
    reporter.render(report, {});
    expect(JSON.stringify(report)).toBe(before);
  });
});
