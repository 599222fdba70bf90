/**
 * Validates our CycloneDX and SPDX output against the official JSON schemas (vendored in
 * testdata/schemas/, see the README there), for a realistic inventory, a small one and a
 * hostile one.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ErrorObject } from 'ajv';
import { describe, expect, it } from 'vitest';
import { cyclonedxErrors, spdxErrors } from '../../test/helpers/json-schemas.js';
import type { Inventory } from '../catalog/inventory.js';
import type { Package } from '../core/package.js';
import { encodeSbom } from './index.js';
import { parseSpdxExpression } from './licenses.js';

const loadInventory = (name: string): Inventory =>
  JSON.parse(readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8')) as Inventory;

function expectValid(errorsOf: (doc: unknown) => ErrorObject[], doc: unknown): void {
  const errors = errorsOf(doc);
  expect(errors, JSON.stringify(errors.slice(0, 5), null, 1)).toEqual([]);
}

/** Packages and image facts meant to break naive encoders; none should break ours. */
function hostileInventory(): Inventory {
  const base = loadInventory('inventory-realistic.json');
  const layer = base.layers[1]!;
  const odd = (over: Partial<Package> & { id: string; name: string; version: string }): Package => ({
    type: 'deb',
    licenses: [],
    purl: `pkg:deb/debian/${encodeURIComponent(over.name)}@${encodeURIComponent(over.version)}`,
    foundBy: 'dpkg@1',
    locations: [{ path: '/var/lib/dpkg/status', layerDiffId: layer.diffId }],
    layer: { ...layer, createdBy: 'RUN echo "a\nb\u0000c" \t > /x' },
    ...over,
  });
  const long = 'x'.repeat(10_000);
  const packages: Package[] = [
    ...base.packages,
    odd({ id: 'deb:lib✓ünïcødé@1.0-ü', name: 'lib✓ünïcødé', version: '1.0-ü', licenses: ['Lizenz für alle ✓'] }),
    odd({ id: 'deb:my package@1 2', name: 'my package', version: '1 2', licenses: ['', '   '], purl: 'pkg:deb/debian/my package@1 2' }),
    odd({ id: 'npm:@scope/na/me@1.0.0@beta', type: 'npm', name: '@scope/na/me', version: '1.0.0@beta', licenses: ['MIT AND'] }),
    odd({ id: `deb:${long}@${long}`, name: long, version: long, licenses: [long, `(${'('.repeat(5000)}MIT`] }),
    odd({ id: 'deb:empty@', name: '', version: '', purl: '', licenses: [], locations: [] }),
    // Same id twice: references must still be unique.
    odd({ id: 'deb:dup@1', name: 'dup', version: '1', licenses: ['GPL-2+'] }),
    odd({ id: 'deb:dup@1', name: 'dup', version: '1', arch: 'i386', licenses: ['Apache-2.0 OR MIT', 'free text'] }),
    odd({ id: 'deb:meta@1', name: 'meta', version: '1', metadata: { n: 10n, nan: Number.NaN, nested: { a: [1, { b: 2 }] }, s: 'v' } }),
  ];
  const { layer: _drop, ...noLayer } = odd({ id: 'deb:nolayer@1', name: 'nolayer', version: '1' });
  packages.push(noLayer);
  return {
    ...base,
    createdAt: 'not a timestamp',
    image: { ...base.image, tags: [], reference: 'dir:/tmp/ünï côdé/ro@t', manifestDigest: undefined as unknown as string },
    os: { id: '', versionId: '', source: '/etc/os-release' },
    packages,
    relationships: [
      ...base.relationships,
      { from: 'deb:dup@1', to: 'deb:my package@1 2', type: 'depends-on' },
      { from: 'deb:dup@1', to: 'deb:dup@1', type: 'contains' },
      { from: 'deb:meta@1', to: 'deb:lib✓ünïcødé@1.0-ü', type: 'built-from' },
      { from: 'deb:meta@1', to: 'deb:nolayer@1', type: 'owned-by' },
    ],
  };
}

interface SpdxDoc {
  documentNamespace: string;
  packages: { SPDXID: string; licenseDeclared: string; externalRefs?: { referenceLocator: string }[] }[];
  relationships: { spdxElementId: string; relatedSpdxElement: string }[];
  hasExtractedLicensingInfos?: { licenseId: string }[];
}

/** The SPDX rules the JSON schema cannot check: id syntax, uniqueness, resolution, licenses. */
function checkSpdxSemantics(doc: SpdxDoc): void {
  const all = doc.packages.map((p) => p.SPDXID);
  expect(new Set(all).size).toBe(all.length);
  for (const id of all) expect(id).toMatch(/^SPDXRef-[A-Za-z0-9.-]+$/);
  const known = new Set(['SPDXRef-DOCUMENT', ...all]);
  for (const r of doc.relationships) {
    expect(known.has(r.spdxElementId), r.spdxElementId).toBe(true);
    expect(known.has(r.relatedSpdxElement), r.relatedSpdxElement).toBe(true);
  }
  const extracted = new Set((doc.hasExtractedLicensingInfos ?? []).map((e) => e.licenseId));
  for (const p of doc.packages) {
    for (const ref of p.externalRefs ?? []) expect(ref.referenceLocator).not.toMatch(/\s/);
    if (p.licenseDeclared === 'NOASSERTION') continue;
    // A valid SPDX expression, in canonical form, whose LicenseRefs are all declared.
    expect(parseSpdxExpression(p.licenseDeclared), p.licenseDeclared).toBe(p.licenseDeclared);
    for (const ref of p.licenseDeclared.match(/LicenseRef-[A-Za-z0-9.-]+/g) ?? []) expect(extracted.has(ref), ref).toBe(true);
  }
  expect(doc.documentNamespace).toMatch(/^https:\/\/[^#\s]+$/);
}

interface Bom {
  metadata: { component: { 'bom-ref': string } };
  components: { 'bom-ref': string }[];
  dependencies: { ref: string; dependsOn?: string[] }[];
}

/** CycloneDX references: unique, and every dependency edge names one. */
function checkCycloneDxRefs(bom: Bom): void {
  const refs = [bom.metadata.component['bom-ref'], ...bom.components.map((c) => c['bom-ref'])];
  expect(new Set(refs).size).toBe(refs.length);
  const known = new Set(refs);
  for (const d of bom.dependencies) {
    expect(known.has(d.ref), d.ref).toBe(true);
    for (const on of d.dependsOn ?? []) expect(known.has(on), on).toBe(true);
  }
}

const inventories: [string, () => Inventory][] = [
  ['realistic', () => loadInventory('inventory-realistic.json')],
  ['small', () => loadInventory('inventory-small.json')],
  ['hostile', hostileInventory],
  ['no OS, no packages', () => ({ ...loadInventory('inventory-small.json'), os: undefined, packages: [], relationships: [] })],
];

describe.each(inventories)('%s inventory', (_name, make) => {
  for (const deterministic of [false, true]) {
    it(`CycloneDX validates against the official 1.6 schema (deterministic: ${deterministic})`, () => {
      const doc = JSON.parse(encodeSbom(make(), 'cyclonedx', { deterministic })) as Record<string, unknown>;
      expectValid(cyclonedxErrors, doc);
      // The vendored schema no longer requires `version` (see README): we check it here.
      expect(doc.version).toBe(1);
      expect(doc.specVersion).toBe('1.6');
      checkCycloneDxRefs(doc as unknown as Bom);
    });

    it(`SPDX validates against the official 2.3 schema (deterministic: ${deterministic})`, () => {
      const doc: unknown = JSON.parse(encodeSbom(make(), 'spdx-json', { deterministic }));
      expectValid(spdxErrors, doc);
      checkSpdxSemantics(doc as SpdxDoc);
    });
  }
});

describe('the validators are not vacuous', () => {
  it('rejects broken CycloneDX and SPDX documents', () => {
    const cdx = JSON.parse(encodeSbom(loadInventory('inventory-small.json'), 'cyclonedx')) as Record<string, unknown>;
    expect(cyclonedxErrors({ ...cdx, serialNumber: 'urn:uuid:not-a-uuid' })).not.toEqual([]);
    expect(cyclonedxErrors({ ...cdx, components: [{ type: 'library', name: 'x', licenses: [{ license: { id: 'NOT-SPDX' } }] }] })).not.toEqual([]);
    const doc = JSON.parse(encodeSbom(loadInventory('inventory-small.json'), 'spdx-json')) as Record<string, unknown>;
    expect(spdxErrors({ ...doc, packages: [{ SPDXID: 'SPDXRef-x', name: 'x' }] })).not.toEqual([]);
    expect(spdxErrors({ ...doc, relationships: [{ spdxElementId: 'a', relatedSpdxElement: 'b', relationshipType: 'OWNED_BY' }] })).not.toEqual([]);
  });
});

/**
 * Second opinion from the reference tools of both standards, when installed (they are PyPI
 * packages, not Debian ones): `pip install spdx-tools 'cyclonedx-python-lib[json-validation]'`.
 * spdx-tools also checks what the SPDX schema cannot (SPDXID syntax, license expressions,
 * relationship targets); cyclonedx-python-lib validates against CycloneDX's strict schema.
 */
const python = process.env.PYTHON ?? 'python3';
const hasPeers =
  spawnSync('pyspdxtools', ['--help']).status === 0 &&
  spawnSync(python, ['-c', 'import cyclonedx.validation.json']).status === 0;

describe.skipIf(!hasPeers)('cross-check with spdx-tools and cyclonedx-python-lib', () => {
  const CDX_CHECK = [
    'import sys',
    'from cyclonedx.validation.json import JsonStrictValidator',
    'from cyclonedx.schema import SchemaVersion',
    'err = JsonStrictValidator(SchemaVersion.V1_6).validate_str(open(sys.argv[1]).read())',
    'print(err or "")',
    'sys.exit(1 if err else 0)',
  ].join('\n');

  it.each(inventories)('%s inventory passes both tools', (_name, make) => {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-sbom-'));
    try {
      const spdxFile = join(dir, 'doc.spdx.json');
      const cdxFile = join(dir, 'doc.cdx.json');
      writeFileSync(spdxFile, encodeSbom(make(), 'spdx-json'));
      writeFileSync(cdxFile, encodeSbom(make(), 'cyclonedx'));
      const spdxRun = spawnSync('pyspdxtools', ['-i', spdxFile], { encoding: 'utf8' });
      expect(spdxRun.status, spdxRun.stderr).toBe(0);
      // pyspdxtools exits 0 even for invalid documents; it reports them on stderr.
      expect(spdxRun.stderr).toBe('');
      const cdxRun = spawnSync(python, ['-c', CDX_CHECK, cdxFile], { encoding: 'utf8' });
      expect(cdxRun.status, cdxRun.stdout + cdxRun.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
