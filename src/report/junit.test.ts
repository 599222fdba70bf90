import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { parse as parseResults } from 'test-results-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { junitReporter } from './junit.js';
import { HOSTILE, demoReport, emptyReport, hostileReport, hugeReport } from './testdata/reports.js';
import type { ScanReport } from './types.js';

/**
 * The JUnit output as a consumer sees it: test-results-parser (the parser behind testbeats'
 * CI publishers) reads the file and reports suites, cases and counts; fast-xml-parser's
 * validator checks well-formedness strictly, as GitLab's Nokogiri and Jenkins' SAX parser do.
 */

const dir = mkdtempSync(join(tmpdir(), 'portcullis-junit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function consume(report: ScanReport) {
  const xml = junitReporter.render(report, {});
  const file = join(dir, `report-${n++}.xml`);
  writeFileSync(file, xml);
  return { xml, result: parseResults({ type: 'junit', files: [file] }) };
}

describe('junit reporter', () => {
  it('is read by a JUnit consumer as one suite per image and one case per package', () => {
    const { xml, result } = consume(demoReport());
    expect(XMLValidator.validate(xml)).toBe(true);
    // 6 packages: 4 with findings fail, libc6 (not looked up) is skipped, ms passes.
    expect(result.suites).toHaveLength(1);
    const suite = result.suites[0];
    expect(suite?.name).toBe('demo:1');
    expect(suite?.cases.map((c) => [c.name, c.status])).toEqual([
      ['libc6@2.36-9+deb12u9', 'SKIP'],
      ['golang.org/x/text@v0.3.5', 'FAIL'],
      ['lodash@4.17.4', 'FAIL'],
      ['ms@2.1.3', 'PASS'],
      ['negotiator@0.3.0', 'FAIL'],
      ['qs@0.6.6', 'FAIL'],
    ]);
    // The consumer's counts come from the attributes; they agree with the cases.
    expect({ total: result.total, failed: result.failed, passed: result.passed, skipped: result.skipped }).toEqual({ total: 5, failed: 4, passed: 1, skipped: 1 });
    expect(suite?.failed).toBe(suite?.cases.filter((c) => c.status === 'FAIL').length);
  });

  it('lists every finding of a package in its failure, worst first', () => {
    const { result } = consume(demoReport());
    const qs = result.suites[0]?.cases.find((c) => c.name === 'qs@0.6.6');
    expect(qs?.failure).toBe('1 vulnerability (high: 1)');
    expect(qs?.stack_trace).toContain('CVE-2014-7191 [high] fixed in 1.0.0 (aka NSWG-ECO-29) https://nvd.nist.gov/vuln/detail/CVE-2014-7191');
    expect(qs?.stack_trace).toContain('found in /app/node_modules/qs/package.json (layer 2)');
  });

  it('records the image and database as suite properties, VEX suppressions as output, problems as system-err', () => {
    const { xml, result } = consume(demoReport());
    expect(result.suites[0]?.metadata).toMatchObject({ image: 'oci-archive:/work/main/examples/images/demo.oci.tar', os: 'Debian GNU/Linux 12 (bookworm)', findings: 4, suppressed: 1 });
    expect(xml).toContain('<system-out>CVE-2019-10744 suppressed by VEX (not_affected: vulnerable_code_not_in_execute_path) in vex/app.openvex.json</system-out>');
    expect(xml).toContain('<system-err>warning: [DB_STALE] the vulnerability data is 93 days old</system-err>');
  });

  it('keeps hostile names well-formed: the consumer reads them back exactly', () => {
    const { xml, result } = consume(hostileReport());
    expect(XMLValidator.validate(xml)).toBe(true);
    const cases = result.suites[0]?.cases ?? [];
    expect(cases).toHaveLength(2);
    // Newlines in attributes become spaces; characters XML cannot carry become U+FFFD.
    const name = `${HOSTILE.name}@${HOSTILE.version}`.replace(/[\u0000\u0007]/g, '\uFFFD').replace(/[\r\n]/g, ' ');
    // Two packages share name@version, so each name carries its path.
    expect(cases.map((c) => c.name).sort()).toEqual([`${name} (${HOSTILE.path})`, `${name} (/other/package.json)`].sort());
    expect(cases.every((c) => c.status === 'FAIL')).toBe(true);
    expect(result.suites[0]?.name).toBe(HOSTILE.image.replace('\n', ' '));
    expect(result.failed).toBe(2);
  });

  it('writes a valid empty suite when the image has no packages', () => {
    const { xml, result } = consume(emptyReport());
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toContain('<testsuite name="demo:1" tests="0" failures="0"');
    expect(result.total).toBe(0);
  });

  it('handles a huge image: every package a case, counts exact', () => {
    const { xml, result } = consume(hugeReport(20_000));
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(result.failed).toBe(20_000);
    expect(result.suites[0]?.cases).toHaveLength(20_000);
  });
});
