import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyVex } from './apply.js';
import { parseVexDocument } from './parse.js';
import { finding, fixturePath, IMAGE_DIGEST, IMAGE_REFS, loadFixture } from './testdata/findings.js';

describe('OpenVEX documents', () => {
  it('reads a go-vex document into statements with inherited times and every identifier', () => {
    const doc = loadFixture('openvex/timeline.openvex.json');
    expect(doc.format).toBe('openvex');
    expect(doc.name).toBe('openvex/timeline.openvex.json');
    expect(doc.problems).toEqual([]);
    expect(doc.statements.map((s) => [s.where, s.status, s.time?.ms])).toEqual([
      ['statements[0]', 'affected', Date.parse('2023-02-01T00:00:00Z')],
      ['statements[1]', 'not_affected', Date.parse('2023-01-01T00:00:00Z')],
      ['statements[2]', 'under_investigation', Date.parse('2023-01-01T00:00:00Z')],
      ['statements[3]', 'fixed', Date.parse('2023-03-01T00:00:00Z')], // the document's
    ]);
  });

  it('keeps products, subcomponents, hashes and identifiers.purl', () => {
    const [withSubs, whole, , byHash] = loadFixture('openvex/image.openvex.json').statements;
    expect(withSubs!.products[0]!.purls[0]).toMatchObject({ type: 'oci', name: 'app', version: IMAGE_DIGEST, qualifiers: { tag: '1.4.2' } });
    expect(withSubs!.products[0]!.subcomponents[0]!.purls[0]).toMatchObject({ type: 'apk', namespace: 'alpine', name: 'busybox', version: '1.36.1-r0' });
    expect(whole!.products[0]!.subcomponents).toEqual([]);
    expect(byHash!.products[0]!.digests).toEqual([IMAGE_DIGEST]);
    expect(byHash!.products[0]!.subcomponents[0]!.purls[0]!.name).toBe('busybox');
  });

  it('reads the unversioned-context draft: string vulnerability and products, statement subcomponents', () => {
    const doc = loadFixture('openvex/legacy-v001.openvex.json');
    expect(doc.statements.map((s) => s.vulnerabilities)).toEqual([['CVE-2023-12345'], ['CVE-2023-42363']]);
    // 2023-01-08T18:02:03.647787998-06:00
    expect(doc.statements[0]!.time).toEqual({ ms: Date.parse('2023-01-09T00:02:03.647Z'), subMsNanos: 787998 });
    const git = finding('CVE-2023-12345', [], 'pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64');
    const gitArm64 = finding('CVE-2023-12345', [], 'pkg:apk/wolfi/git@2.39.0-r1?arch=aarch64');
    const busybox = finding('CVE-2023-42363', [], 'pkg:apk/alpine/busybox@1.36.1-r0?arch=x86_64');
    const r = applyVex([git, gitArm64, busybox], [doc], { imageRefs: IMAGE_REFS });
    expect(r.suppressed.map((f) => [f.package.purl, f.vex?.status])).toEqual([
      [git.package.purl, 'fixed'],
      [busybox.package.purl, 'not_affected'], // product is `registry/…/app@sha256:c1…`: the image
    ]);
    expect(r.findings).toEqual([gitArm64]);
  });

  it('reads the v0.0.2 minimal example (object form, unversioned context)', () => {
    const doc = loadFixture('openvex/legacy-v002.openvex.json');
    expect(doc.statements).toHaveLength(1);
    expect(doc.statements[0]!.products.map((p) => p.purls[0]!.qualifiers)).toEqual([{ arch: 'armv7' }, { arch: 'x86_64' }]);
  });

  it('reads the real Canonical document and suppresses the fixed jammy curl', () => {
    const doc = loadFixture('openvex/ubuntu-CVE-2023-38545.json');
    expect(doc.statements.map((s) => [s.status, s.products.length])).toEqual([
      ['fixed', 149],
      ['affected', 113],
      ['not_affected', 356],
    ]);
    expect(doc.problems).toEqual([]);
    const jammy = finding('CVE-2023-38545', ['UBUNTU-CVE-2023-38545'], 'pkg:deb/ubuntu/curl@7.81.0-1ubuntu1.24?arch=amd64&distro=jammy');
    const xenial = finding('CVE-2023-38545', [], 'pkg:deb/ubuntu/curl@7.47.0-1ubuntu2.19?arch=amd64&distro=xenial');
    // Portcullis' own deb purls say distro=ubuntu-22.04; Canonical's say distro=jammy (README: limits).
    const ours = finding('CVE-2023-38545', [], 'pkg:deb/ubuntu/curl@7.81.0-1ubuntu1.24?arch=amd64&distro=ubuntu-22.04');
    const r = applyVex([jammy, xenial, ours], [doc], { imageRefs: [] });
    expect(r.suppressed.map((f) => f.package.purl)).toEqual([jammy.package.purl]);
    expect(r.suppressed[0]!.vex?.statement).toMatch(/update has been uploaded/);
    expect(r.findings.map((f) => [f.package.purl, f.vex?.status])).toEqual([
      [xenial.package.purl, 'affected'],
      [ours.package.purl, undefined],
    ]);
  });

  const samples = '/work/shared/vulndata/samples/ubuntu/vex';
  it.skipIf(!existsSync(samples))('reads every Ubuntu VEX sample of the shared corpus', () => {
    for (const name of ['CVE-2016-20013.json', 'CVE-2023-38545.json']) {
      const doc = parseVexDocument(readFileSync(`${samples}/${name}`), { path: name });
      expect(doc.statements.length).toBeGreaterThan(0);
      expect(doc.statements.every((s) => s.products.length > 0 && s.time !== undefined)).toBe(true);
    }
  });
});

describe('go-vex agrees', () => {
  // Rows: document, package purl, vulnerability id, go-vex EffectiveStatement status ('-' = none).
  const rows = readFileSync(fixturePath('openvex/go-vex-effective.tsv'), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split('\t') as [string, string, string, string]);

  it('has rows', () => expect(rows.length).toBeGreaterThanOrEqual(10));

  it.each(rows)('%s: %s %s → %s', (file, purl, vuln, expected) => {
    const f = finding(vuln, [], purl);
    const r = applyVex([f], [loadFixture(`openvex/${file}`)], { imageRefs: [] });
    const got = [...r.findings, ...r.suppressed][0]!.vex?.status ?? '-';
    expect(got).toBe(expected);
  });
});
