import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Inventory } from '../catalog/inventory.js';
import { buildCycloneDx, cdxLicenses } from './cyclonedx.js';
import { classifyLicenses } from './licenses.js';

const load = (name: string): Inventory =>
  JSON.parse(readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8')) as Inventory;

interface Component {
  type: string;
  'bom-ref': string;
  name: string;
  version?: string;
  purl?: string;
  licenses?: unknown[];
  properties?: { name: string; value: string }[];
}
interface Bom {
  serialNumber: string;
  metadata: { timestamp?: string; tools: { components: Component[] }; component: Component; properties: Component['properties'] };
  components: Component[];
  dependencies: { ref: string; dependsOn?: string[] }[];
}

const bomOf = (inv: Inventory, deterministic = true): Bom => buildCycloneDx(inv, { deterministic }) as unknown as Bom;
const props = (c: Component, name: string): string[] =>
  (c.properties ?? []).filter((p) => p.name === `portcullis:${name}`).map((p) => p.value);

describe('CycloneDX encoder, realistic inventory', () => {
  const inv = load('inventory-realistic.json');
  const bom = bomOf(inv);
  const libraries = bom.components.filter((c) => c.type === 'library');

  it('has 20+ packages across deb, rpm and apk, each exactly once with its purl and introducing layer', () => {
    expect(inv.packages.length).toBeGreaterThanOrEqual(20);
    expect(new Set(inv.packages.map((p) => p.type))).toEqual(new Set(['deb', 'rpm', 'apk', 'npm']));
    expect(libraries).toHaveLength(inv.packages.length);
    for (const pkg of inv.packages) {
      const found = libraries.filter((c) => c['bom-ref'] === pkg.id);
      expect(found, pkg.id).toHaveLength(1);
      const c = found[0]!;
      expect(c.name).toBe(pkg.name);
      expect(c.version).toBe(pkg.version);
      expect(c.purl).toBe(pkg.purl);
      expect(props(c, 'package:type')).toEqual([pkg.type]);
      expect(props(c, 'package:foundBy')).toEqual([pkg.foundBy]);
      expect(props(c, 'layer:diffID')).toEqual([pkg.layer!.diffId]);
      expect(props(c, 'layer:index')).toEqual([String(pkg.layer!.index)]);
      expect(props(c, 'location:0:path')).toEqual([pkg.locations[0]!.path]);
      expect(props(c, 'package:sourceName')).toEqual(pkg.source ? [pkg.source.name] : []);
      expect(props(c, 'package:epoch')).toEqual(pkg.epoch !== undefined ? [String(pkg.epoch)] : []);
      // File lists stay out of the BOM; only their count goes in.
      expect(JSON.stringify(c)).not.toContain('/usr/share/doc/');
      expect(props(c, 'package:fileCount')).toEqual(pkg.files ? [String(pkg.files.length)] : []);
    }
  });

  it('has unique bom-refs, and every dependency ref resolves to one', () => {
    const refs = [bom.metadata.component['bom-ref'], ...bom.components.map((c) => c['bom-ref'])];
    expect(new Set(refs).size).toBe(refs.length);
    const known = new Set(refs);
    const depRefs = bom.dependencies.map((d) => d.ref);
    expect(new Set(depRefs).size).toBe(depRefs.length);
    for (const d of bom.dependencies) {
      expect(known.has(d.ref), d.ref).toBe(true);
      for (const on of d.dependsOn ?? []) expect(known.has(on), on).toBe(true);
    }
    // Every component is declared in the graph, leaves as empty elements.
    expect(new Set(depRefs)).toEqual(known);
  });

  it('describes the image as a container and the OS as an operating-system that holds OS packages', () => {
    const image = bom.metadata.component;
    expect(image).toMatchObject({ type: 'container', name: 'registry.example.test:5000/team/app', version: '1.4.2' });
    expect(props(image, 'image:id')).toEqual([inv.image.configDigest]);
    expect(props(image, 'image:manifestDigest')).toEqual([inv.image.manifestDigest]);
    expect(props(image, 'image:repoDigest')).toEqual(inv.image.repoDigests);
    expect(props(image, 'image:architecture')).toEqual(['amd64']);
    const os = bom.components.filter((c) => c.type === 'operating-system');
    expect(os).toMatchObject([{ name: 'debian', version: '12' }]);
    const osDeps = bom.dependencies.find((d) => d.ref === os[0]!['bom-ref'])!.dependsOn!;
    const osPackages = inv.packages.filter((p) => ['deb', 'rpm', 'apk'].includes(p.type)).map((p) => p.id);
    expect([...osDeps].sort()).toEqual([...osPackages].sort());
    const imageDeps = bom.dependencies.find((d) => d.ref === image['bom-ref'])!.dependsOn!;
    expect(imageDeps).toEqual([os[0]!['bom-ref'], 'npm:lodash@4.17.21'].sort());
    expect(bom.metadata.tools.components).toEqual([{ type: 'application', name: 'portcullis', version: '0.1.0' }]);
    expect(bom.metadata.timestamp).toBe('2026-11-23T12:00:00Z');
    expect(bom.metadata.properties).toEqual([
      ...inv.catalogers.map((c) => ({ name: 'portcullis:scan:cataloger', value: `${c.id}@${c.version}` })),
      { name: 'portcullis:scan:problemCount', value: '1' },
    ]);
  });

  it('maps depends-on relationships, records owned-by as a property and drops dangling ones', () => {
    const bash = bom.dependencies.find((d) => d.ref === 'deb:bash@5.2.15-2+b7:amd64')!;
    expect(bash.dependsOn).toEqual(['deb:libc6@2.36-9+deb12u8:amd64']);
    const lodash = libraries.find((c) => c.name === 'lodash')!;
    expect(props(lodash, 'package:ownedBy')).toEqual(['deb:bash@5.2.15-2+b7:amd64']);
    expect(JSON.stringify(bom.dependencies)).not.toContain('does-not-exist');
  });

  it('writes SPDX ids, expressions and names as CycloneDX allows', () => {
    const lic = (name: string, type = 'deb') =>
      libraries.find((c) => c.name === name && props(c, 'package:type')[0] === type)!.licenses;
    expect(lic('libc6')).toEqual([
      { license: { id: 'LGPL-2.1-or-later' } },
      { license: { id: 'GPL-2.0-or-later' } },
      { license: { name: 'public-domain' } },
    ]);
    expect(lic('rust-std-static', 'rpm')).toEqual([{ expression: 'Apache-2.0 OR MIT' }]);
    expect(lic('ca-certificates', 'rpm')).toEqual([{ expression: 'MIT AND GPL-2.0-or-later' }]);
    expect(lic('openssl-libs', 'rpm')).toEqual([{ license: { id: 'Apache-2.0' } }]);
    expect(lic('tzdata')).toBeUndefined();
    expect(lic('libgcc-s1')).toEqual([
      { license: { name: 'GPL-3.0-or-later WITH GCC-exception-3.1' } },
      { license: { name: 'GFDL-1.2+' } },
      { license: { name: 'Artistic' } },
    ]);
  });
});

describe('cdxLicenses', () => {
  it('combines several SPDX expressions into one, parenthesising compound parts', () => {
    expect(cdxLicenses(classifyLicenses(['MIT OR ISC', 'Zlib']))).toEqual([{ expression: '(MIT OR ISC) AND Zlib' }]);
    expect(cdxLicenses(classifyLicenses(['MIT', 'ISC']))).toEqual([{ license: { id: 'MIT' } }, { license: { id: 'ISC' } }]);
    expect(cdxLicenses([])).toBeUndefined();
  });
});

describe('CycloneDX serial numbers', () => {
  it('are RFC 4122-shaped; deterministic ones are version 8 and stable', () => {
    const inv = load('inventory-small.json');
    const a = bomOf(inv).serialNumber;
    expect(a).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(bomOf(inv).serialNumber).toBe(a);
    expect(bomOf(inv, false).serialNumber).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(bomOf(inv, false).serialNumber).not.toBe(a);
  });

  it('a timestamp that is not RFC 3339 is left out rather than written invalid', () => {
    const inv = { ...load('inventory-small.json'), createdAt: 'yesterday' };
    expect(bomOf(inv).metadata.timestamp).toBeUndefined();
  });
});
