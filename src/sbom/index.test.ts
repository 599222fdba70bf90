import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Inventory } from '../catalog/inventory.js';
import { isPortcullisError } from '../core/errors.js';
import { encodeSbom, SBOM_FORMATS, type SbomFormat } from './index.js';

const load = (name: string): Inventory =>
  JSON.parse(readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8')) as Inventory;

const GOLDEN: Record<SbomFormat, string> = {
  cyclonedx: 'golden-small.cdx.json',
  'spdx-json': 'golden-small.spdx.json',
  json: 'golden-small.native.json',
};

/** Reverses every list an encoder should sort, keeping the inventory's meaning. */
function shuffled(inv: Inventory): Inventory {
  return {
    ...inv,
    packages: [...inv.packages].reverse(),
    relationships: [...inv.relationships].reverse(),
  };
}

describe('encodeSbom', () => {
  it('lists cyclonedx first (the default) and dispatches every format', () => {
    expect(SBOM_FORMATS[0]).toBe('cyclonedx');
    expect([...SBOM_FORMATS].sort()).toEqual(['cyclonedx', 'json', 'spdx-json']);
    const inv = load('inventory-small.json');
    expect(JSON.parse(encodeSbom(inv, 'cyclonedx')).bomFormat).toBe('CycloneDX');
    expect(JSON.parse(encodeSbom(inv, 'spdx-json')).spdxVersion).toBe('SPDX-2.3');
    expect(JSON.parse(encodeSbom(inv, 'json')).schema).toBe('portcullis-sbom/1');
  });

  it('rejects an unknown format with a coded USAGE error', () => {
    let caught: unknown;
    try {
      encodeSbom(load('inventory-small.json'), 'xml' as SbomFormat);
    } catch (err) {
      caught = err;
    }
    expect(isPortcullisError(caught, 'USAGE')).toBe(true);
  });

  it.each(SBOM_FORMATS)('%s is pretty JSON with one trailing newline', (format) => {
    const text = encodeSbom(load('inventory-realistic.json'), format);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.endsWith('\n\n')).toBe(false);
    expect(text).toContain('\n  "');
  });

  it.each(SBOM_FORMATS)('%s deterministic output is byte-stable, whatever the input order', (format) => {
    const inv = load('inventory-realistic.json');
    const a = encodeSbom(inv, format, { deterministic: true });
    const b = encodeSbom(load('inventory-realistic.json'), format, { deterministic: true });
    const c = encodeSbom(shuffled(inv), format, { deterministic: true });
    expect(b).toBe(a);
    expect(c).toBe(a);
  });

  it('deterministic document ids change with the content', () => {
    const inv = load('inventory-small.json');
    const other: Inventory = { ...inv, packages: inv.packages.slice(1) };
    const serial = (i: Inventory) => JSON.parse(encodeSbom(i, 'cyclonedx', { deterministic: true })).serialNumber;
    const ns = (i: Inventory) => JSON.parse(encodeSbom(i, 'spdx-json', { deterministic: true })).documentNamespace;
    expect(serial(other)).not.toBe(serial(inv));
    expect(ns(other)).not.toBe(ns(inv));
  });

  it('non-deterministic document ids are fresh every time', () => {
    const inv = load('inventory-small.json');
    const serials = new Set(Array.from({ length: 5 }, () => JSON.parse(encodeSbom(inv, 'cyclonedx')).serialNumber));
    const spaces = new Set(Array.from({ length: 5 }, () => JSON.parse(encodeSbom(inv, 'spdx-json')).documentNamespace));
    expect(serials.size).toBe(5);
    expect(spaces.size).toBe(5);
  });

  it.each(SBOM_FORMATS)('%s encodes 10,000 packages with 100 files each in bounded time', (format) => {
    const inv = load('inventory-realistic.json');
    const files = Array.from({ length: 100 }, (_, i) => `/usr/lib/f${i}`);
    const packages = Array.from({ length: 10_000 }, (_, i) => {
      const base = inv.packages[i % inv.packages.length]!;
      return { ...base, id: `${base.id}#${i}`, name: `${base.name}-${i}`, files };
    });
    const relationships = packages.slice(1).map((p, i) => ({ from: p.id, to: packages[i]!.id, type: 'depends-on' as const }));
    const started = Date.now();
    const text = encodeSbom({ ...inv, packages, relationships }, format, { deterministic: true });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(text.length).toBeGreaterThan(1_000_000);
  });

  // Golden files change only on purpose: UPDATE_GOLDEN=1 npx vitest run src/sbom
  it.each(SBOM_FORMATS)('%s matches its golden file (deterministic)', (format) => {
    const url = new URL(`./testdata/${GOLDEN[format]}`, import.meta.url);
    const text = encodeSbom(load('inventory-small.json'), format, { deterministic: true });
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(url, text);
    expect(existsSync(url), 'golden file missing: run with UPDATE_GOLDEN=1').toBe(true);
    expect(text).toBe(readFileSync(url, 'utf8'));
  });
});
