import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Inventory } from '../catalog/inventory.js';
import { buildSpdx } from './spdx.js';

const load = (name: string): Inventory =>
  JSON.parse(readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8')) as Inventory;

interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo?: string;
  licenseDeclared: string;
  externalRefs?: { referenceCategory: string; referenceType: string; referenceLocator: string }[];
  sourceInfo?: string;
  comment?: string;
  primaryPackagePurpose: string;
}
interface SpdxDoc {
  documentNamespace: string;
  creationInfo: { created: string; creators: string[] };
  packages: SpdxPackage[];
  relationships: { spdxElementId: string; relatedSpdxElement: string; relationshipType: string; comment?: string }[];
  hasExtractedLicensingInfos?: { licenseId: string; extractedText: string }[];
}

const docOf = (inv: Inventory, deterministic = true): SpdxDoc => buildSpdx(inv, { deterministic }) as unknown as SpdxDoc;
describe('SPDX encoder, realistic inventory', () => {
  const inv = load('inventory-realistic.json');
  const doc = docOf(inv);

  // Id syntax, uniqueness, relationship resolution and LicenseRefs: schemas.test.ts, for every fixture.
  it('lists every package once with its purl, introducing layer and database location', () => {
    const libraries = doc.packages.filter((p) => p.primaryPackagePurpose === 'LIBRARY');
    expect(libraries).toHaveLength(inv.packages.length);
    for (const pkg of inv.packages) {
      const found = libraries.filter((p) => p.externalRefs?.[0]?.referenceLocator === pkg.purl);
      expect(found, pkg.id).toHaveLength(1);
      const p = found[0]!;
      expect(p.SPDXID.startsWith(`SPDXRef-Package-${pkg.type}-`)).toBe(true);
      expect(p).toMatchObject({ name: pkg.name, versionInfo: pkg.version });
      expect(p.externalRefs).toEqual([{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: pkg.purl }]);
      expect(p.comment).toContain(`introduced by layer ${pkg.layer!.index} (${pkg.layer!.diffId})`);
      expect(p.sourceInfo).toContain(pkg.locations[0]!.path);
    }
  });

  it('describes the image, which contains the OS and every package', () => {
    const image = doc.packages.find((p) => p.primaryPackagePurpose === 'CONTAINER')!;
    const os = doc.packages.find((p) => p.primaryPackagePurpose === 'OPERATING_SYSTEM')!;
    expect(os).toMatchObject({ name: 'debian', versionInfo: '12' });
    expect(doc.relationships).toContainEqual({ spdxElementId: 'SPDXRef-DOCUMENT', relatedSpdxElement: image.SPDXID, relationshipType: 'DESCRIBES' });
    const contained = doc.relationships.filter((r) => r.spdxElementId === image.SPDXID && r.relationshipType === 'CONTAINS');
    expect(contained).toHaveLength(inv.packages.length + 1);
    expect(doc.creationInfo).toMatchObject({ created: '2026-11-23T12:00:00Z', creators: ['Tool: portcullis-0.1.0'] });
  });

  it('makes binaries GENERATED_FROM one shared source package per source', () => {
    const sources = doc.packages.filter((p) => p.primaryPackagePurpose === 'SOURCE');
    const opensslDeb = sources.filter((s) => s.name === 'openssl' && s.versionInfo === '3.0.15-1~deb12u1');
    expect(opensslDeb).toHaveLength(1);
    const generated = doc.relationships.filter((r) => r.relationshipType === 'GENERATED_FROM' && r.relatedSpdxElement === opensslDeb[0]!.SPDXID);
    expect(generated).toHaveLength(1); // libssl3 only; the openssl binary has no source field here
    const shadow = sources.find((s) => s.name === 'shadow')!;
    expect(doc.relationships.filter((r) => r.relatedSpdxElement === shadow.SPDXID)).toHaveLength(2); // login, passwd
  });

  it('maps inventory relationships and drops dangling ones', () => {
    const byName = (n: string) => doc.packages.find((p) => p.name === n && p.SPDXID.startsWith('SPDXRef-Package-'))!.SPDXID;
    expect(doc.relationships).toContainEqual({ spdxElementId: byName('bash'), relatedSpdxElement: byName('libc6'), relationshipType: 'DEPENDS_ON' });
    expect(doc.relationships).toContainEqual(expect.objectContaining({ spdxElementId: byName('lodash'), relatedSpdxElement: byName('bash'), relationshipType: 'OTHER' }));
    expect(JSON.stringify(doc)).not.toContain('does-not-exist');
  });

  it('declares licenses as SPDX expressions, with free text as extracted LicenseRefs', () => {
    const lic = (name: string) => doc.packages.find((p) => p.name === name)!.licenseDeclared;
    expect(lic('rust-std-static')).toBe('Apache-2.0 OR MIT');
    expect(lic('busybox')).toBe('GPL-2.0-only');
    expect(lic('tzdata')).toBe('NOASSERTION');
    expect(lic('libgcc-s1')).toMatch(/^GPL-3\.0-or-later WITH GCC-exception-3\.1 AND GFDL-1\.2\+ AND LicenseRef-Artistic-[0-9a-f]{8}$/);
    const glibc = lic('glibc');
    expect(glibc).toMatch(/^LicenseRef-LGPLv2-and-LGPLv2-with-exceptions-[A-Za-z0-9.-]+$/);
    const info = doc.hasExtractedLicensingInfos!.find((e) => e.licenseId === glibc)!;
    expect(info.extractedText).toBe(inv.packages.find((p) => p.name === 'glibc')!.licenses[0]);
  });

  it('uses a fresh namespace per run unless deterministic', () => {
    expect(docOf(inv).documentNamespace).toBe(doc.documentNamespace);
    expect(docOf(inv, false).documentNamespace).not.toBe(docOf(inv, false).documentNamespace);
  });
});
