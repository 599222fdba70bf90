import { describe, expect, it } from 'vitest';
import { applyVex } from './apply.js';
import { CYCLONEDX_STATE_TO_STATUS } from './cyclonedx.js';
import { parseVexDocument } from './parse.js';
import { FINDINGS as F, finding, IMAGE_REFS, loadFixture, PURLS } from './testdata/findings.js';

const ALL = Object.values(F);

function cdx(vulnerabilities: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, ...extra, vulnerabilities });
}

describe('CycloneDX VEX', () => {
  it('maps every analysis state', () => {
    const states = Object.keys(CYCLONEDX_STATE_TO_STATUS);
    const doc = parseVexDocument(cdx(states.map((state, i) => ({ id: `CVE-2024-000${i}`, analysis: { state, detail: 'x' }, affects: [{ ref: PURLS.lodash }] }))));
    expect(Object.fromEntries(doc.statements.map((s, i) => [states[i], s.status]))).toEqual({
      not_affected: 'not_affected',
      false_positive: 'not_affected',
      resolved: 'fixed',
      resolved_with_pedigree: 'fixed',
      exploitable: 'affected',
      in_triage: 'under_investigation',
    });
  });

  it('1.4 with BOM-Links: purl fragment (maven type=jar default), package-id fragment, the Portcullis image', () => {
    const doc = loadFixture('cyclonedx/bomlink-1.4.cdx.json');
    expect(doc.format).toBe('cyclonedx');
    expect(doc.statements[0]!.vulnerabilities).toEqual(['CVE-2020-25649', 'SNYK-JAVA-COMFASTERXMLJACKSONCORE-1048302']);
    const r = applyVex(ALL, [doc], { imageRefs: IMAGE_REFS });
    expect(r.suppressed.map((f) => [f.id, f.vex])).toEqual([
      ['CVE-2021-23337', { status: 'fixed', statement: 'Rebuilt from a patched source tree.; response: update', document: 'cyclonedx/bomlink-1.4.cdx.json' }],
      [
        'CVE-2020-25649',
        {
          status: 'not_affected',
          justification: 'code_not_reachable',
          statement: expect.stringMatching(/^Automated dataflow analysis .*; response: will_not_fix$/),
          document: 'cyclonedx/bomlink-1.4.cdx.json',
        },
      ],
    ]);
    expect(r.findings.find((f) => f.id === 'CVE-2023-5678')!.vex?.status).toBe('under_investigation');
    expect(r.problems).toEqual([]);
  });

  it('1.5: nested bom-refs, purl refs, references as aliases, the image component, warnings', () => {
    const doc = loadFixture('cyclonedx/states-1.5.cdx.json');
    expect(doc.problems.map((p) => p.message)).toEqual([
      '1 vulnerabilities have no analysis.state: they are findings, not VEX statements, and were ignored',
    ]);
    // false_positive: lastUpdated; resolved_with_pedigree: no analysis time → metadata.timestamp.
    expect(doc.statements.map((s) => new Date(s.time!.ms).toISOString())).toEqual([
      '2024-05-02T00:00:00.000Z',
      '2024-06-01T00:00:00.000Z',
      '2024-05-03T12:00:00.000Z',
      '2024-06-01T00:00:00.000Z',
      '2024-06-01T00:00:00.000Z',
    ]);
    const r = applyVex(ALL, [doc], { imageRefs: IMAGE_REFS });
    const got = Object.fromEntries([...r.findings, ...r.suppressed].filter((f) => f.vex).map((f) => [`${f.id} ${f.package.name}`, f.vex!.status]));
    expect(got).toEqual({
      'CVE-2021-44906 minimist': 'not_affected', // false_positive, bom-ref nested under "web"
      'CVE-2021-23337 lodash': 'fixed', // statement on the GHSA alias
      'CVE-2021-44228 log4j-core': 'affected',
      'CVE-2023-42363 busybox': 'under_investigation', // affects metadata.component = the image
      'CVE-2023-5678 openssl': 'not_affected', // no justification, no detail: warned
    });
    expect(r.suppressed.find((f) => f.id === 'CVE-2021-44906')!.vex?.statement).toBe('false positive; minimist is only used by the build tooling, which is not in the image.');
    expect(r.problems.map((p) => p.message)).toEqual([expect.stringContaining('vulnerabilities[4]: not_affected without a justification')]);
  });

  it('1.6: affects[].versions limits a statement to exact versions; ranges cover nothing', () => {
    const doc = loadFixture('cyclonedx/versions-1.6.cdx.json');
    expect(doc.problems.map((p) => p.message)).toEqual([
      'vulnerabilities[0]: 1 version range(s) of "minimist" are not evaluated; only exactly listed versions are covered',
    ]);
    const older = finding('CVE-2021-44906', [], 'pkg:npm/minimist@1.2.0');
    const r = applyVex([F.minimist, older, F.lodash], [doc], { imageRefs: IMAGE_REFS });
    expect(r.suppressed.map((f) => [f.package.version, f.vex?.justification])).toEqual([['1.2.5', 'requires_environment']]);
    // the exploitable statement is later but its range is not evaluated; acme-product is no package.
    expect(r.findings.map((f) => f.vex)).toEqual([undefined, undefined]);
  });

  it('an affects ref to nothing known is compared with package ids', () => {
    const doc = parseVexDocument(cdx([{ id: 'CVE-2021-23337', analysis: { state: 'resolved' }, affects: [{ ref: 'npm:lodash@4.17.20' }] }]));
    expect(doc.problems[0]!.message).toContain('neither a component of this BOM nor a purl');
    expect(applyVex([F.lodash], [doc], { imageRefs: [] }).suppressed).toHaveLength(1);
  });

  it('a BOM-Link to a whole BOM names the image when its serial number is one of the image refs', () => {
    const link = 'urn:cdx:b5a1b377-4059-8c5d-8624-365ab34d1ad9/1';
    const doc = parseVexDocument(cdx([{ id: 'CVE-2021-23337', analysis: { state: 'in_triage' }, affects: [{ ref: link }] }]));
    expect(applyVex([F.lodash], [doc], { imageRefs: IMAGE_REFS }).findings[0]!.vex).toBeUndefined();
    const r = applyVex([F.lodash], [doc], { imageRefs: [...IMAGE_REFS, 'urn:uuid:b5a1b377-4059-8c5d-8624-365ab34d1ad9'] });
    expect(r.findings[0]!.vex?.status).toBe('under_investigation');
  });

  it('warns about vulnerabilities without id or affects, and ignores them', () => {
    const doc = parseVexDocument(cdx([{ analysis: { state: 'resolved' }, affects: [{ ref: PURLS.lodash }] }, { id: 'CVE-1', analysis: { state: 'resolved' } }]));
    expect(doc.problems.map((p) => p.message)).toEqual(['vulnerabilities[0]: has no id; it cannot match a finding', 'vulnerabilities[1]: has no affects[]; it applies to nothing']);
    expect(doc.statements.map((s) => s.products.length)).toEqual([0]);
  });
});
