import { describe, expect, it } from 'vitest';
import { GITLAB_SCHEMA_VERSION, gitlabReporter } from './gitlab.js';
import { HOSTILE, demoReport, emptyReport, finding, hostileReport, hugeReport, inventory, pkg } from './testdata/reports.js';
import { gitlabErrors } from '../../test/helpers/json-schemas.js';
import type { ScanReport } from './types.js';

interface Vuln {
  id: string;
  name: string;
  severity: string;
  solution: string;
  identifiers: { type: string; name: string; value: string; url?: string }[];
  cvss_vectors?: { vendor: string; vector: string }[];
  links?: { url: string }[];
  location: { dependency: { package: { name: string }; version: string }; operating_system: string; image: string };
}

function render(report: ScanReport = demoReport()) {
  const doc = JSON.parse(gitlabReporter.render(report, {}));
  return { doc, vulns: doc.vulnerabilities as Vuln[] };
}

describe('gitlab reporter', () => {
  it('validates against GitLab container scanning schema 15.2.4, for real, empty, hostile and huge reports', () => {
    for (const report of [demoReport(), emptyReport(), hostileReport(), hugeReport(2000)]) expect(gitlabErrors(render(report).doc)).toEqual([]);
    // The validator is not vacuous: what GitLab would reject, it rejects.
    const { doc } = render();
    expect(gitlabErrors({ ...doc, scan: { ...doc.scan, start_time: '2026-11-23T15:05:43.884Z' } })).not.toEqual([]);
    expect(gitlabErrors({ ...doc, vulnerabilities: [{ ...doc.vulnerabilities[0], severity: 'Negligible' }] })).not.toEqual([]);
  });

  it('describes the scan and each finding the way GitLab reads it', () => {
    const { doc, vulns } = render();
    expect(doc.version).toBe(GITLAB_SCHEMA_VERSION);
    expect(doc.scan).toMatchObject({ type: 'container_scanning', status: 'success', start_time: '2026-11-23T15:05:43', analyzer: { id: 'portcullis' }, scanner: { id: 'portcullis' } });
    expect(doc.scan.messages).toEqual([
      { level: 'warn', value: '[DB_STALE] the vulnerability data is 93 days old' },
      { level: 'info', value: '1 findings suppressed by VEX are not listed' },
    ]);
    expect(vulns.map((v) => v.name)).toEqual(['CVE-2014-7191', 'NSWG-ECO-106', 'CVE-2018-3721', 'CVE-2021-38561']);
    const qs = vulns[0] as Vuln;
    expect(qs).toMatchObject({
      severity: 'High',
      solution: 'Upgrade qs to 1.0.0',
      cvss_vectors: [{ vendor: 'nswg', vector: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' }],
      location: { dependency: { package: { name: 'qs' }, version: '0.6.6' }, operating_system: 'debian:12', image: 'demo:1' },
    });
    expect(qs.identifiers).toEqual([
      { type: 'cve', name: 'CVE-2014-7191', value: 'CVE-2014-7191', url: 'https://nvd.nist.gov/vuln/detail/CVE-2014-7191' },
      { type: 'nswg', name: 'NSWG-ECO-29', value: 'NSWG-ECO-29', url: 'https://osv.dev/vulnerability/NSWG-ECO-29' },
    ]);
    expect(vulns.find((v) => v.name === 'CVE-2021-38561')?.severity).toBe('Unknown');
    expect(vulns.find((v) => v.name === 'CVE-2021-38561')?.identifiers.map((i) => i.type)).toEqual(['cve', 'ghsa', 'go']);
  });

  it('gives each finding a stable UUID, unique within the report', () => {
    const a = render().vulns.map((v) => v.id);
    expect(render().vulns.map((v) => v.id)).toEqual(a);
    expect(new Set(a).size).toBe(a.length);
    for (const id of a) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('leaves out what the schema would reject instead of failing the whole report', () => {
    const p = pkg('deb', 'openssl', '3.0.11-1~deb12u2', '/var/lib/dpkg/status');
    const f = finding(p, {
      id: 'CVE-2024-0727',
      severity: 'medium',
      cvss: [
        { version: '3.1', vector: 'not a vector', score: 5.5, source: 'nvd' },
        { version: '2.0', vector: '(AV:N/AC:L/Au:N/C:P/I:P/A:P)', score: 7.5, source: 'nvd' },
        { version: '3.1', vector: 'CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H', score: 5.5, source: 'debian' },
      ],
      references: ['https://www.openssl.org/news/secadv/20240125.txt', 'javascript:alert(1)', 'www.example.com'],
      summary: 'y'.repeat(2_000_000),
      fixedVersions: ['3'.repeat(8000)],
    });
    const { doc, vulns } = render({ ...emptyReport(), inventory: { ...inventory([p]), os: undefined }, findings: [f] });
    expect(gitlabErrors(doc)).toEqual([]);
    expect(vulns[0]?.cvss_vectors).toEqual([{ vendor: 'debian', vector: 'CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H' }]);
    expect(vulns[0]?.links).toEqual([{ url: 'https://www.openssl.org/news/secadv/20240125.txt' }]);
    expect(vulns[0]?.location.operating_system).toBe('Unknown');
  });

  it('keeps hostile strings exact: JSON carries them, nothing is cut that fits', () => {
    const { vulns } = render(hostileReport());
    expect(vulns[0]?.name).toBe(HOSTILE.id);
    expect(vulns[0]?.location.dependency.package.name).toBe(HOSTILE.name);
    expect(vulns[0]?.location.image).toBe(HOSTILE.image);
  });
});
