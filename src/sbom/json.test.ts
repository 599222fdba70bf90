import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Inventory } from '../catalog/inventory.js';
import type { Package } from '../core/package.js';
import { encodeSbom } from './index.js';
import { jsonSafe } from './json.js';
import { NativeSbomSchema } from './json-schema.js';

const load = (name: string): Inventory =>
  JSON.parse(readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8')) as Inventory;

const encodeParse = (inv: Inventory) => {
  const raw: unknown = JSON.parse(encodeSbom(inv, 'json', { deterministic: true }));
  return { raw, doc: NativeSbomSchema.parse(raw) };
};

describe('native JSON (portcullis-sbom/1)', () => {
  const inv = load('inventory-realistic.json');
  const { raw, doc } = encodeParse(inv);

  it('parses with NativeSbomSchema and round-trips without losing or adding a field', () => {
    // zod drops keys it does not know: equality proves every field we write is declared.
    expect(doc).toEqual(raw);
    expect(doc.schema).toBe('portcullis-sbom/1');
    expect(doc.tool).toEqual({ name: 'portcullis', version: '0.1.0' });
    expect(doc.createdAt).toBe(inv.createdAt);
  });

  it('keeps the fields end-to-end tests read, with the inventory values', () => {
    expect(doc.packages).toHaveLength(inv.packages.length);
    for (const pkg of inv.packages) {
      const found = doc.packages.filter((p) => p.id === pkg.id);
      expect(found, pkg.id).toHaveLength(1);
      const p = found[0]!;
      expect(p.name).toBe(pkg.name);
      expect(p.version).toBe(pkg.version);
      expect(p.arch).toBe(pkg.arch);
      expect(p.epoch).toBe(pkg.epoch);
      expect(p.source?.name).toBe(pkg.source?.name);
      expect(p.source?.version).toBe(pkg.source?.version);
      expect(p.layer?.index).toBe(pkg.layer?.index);
      expect(p.layer?.diffId).toBe(pkg.layer?.diffId);
      expect(p.purl).toBe(pkg.purl);
      expect(p.licenses).toEqual(pkg.licenses);
      expect(p.locations).toEqual(pkg.locations);
      expect(p.files).toEqual(pkg.files);
    }
  });

  it('sorts packages by type, name, version, arch and keeps image, OS, layers and problems', () => {
    const keys = doc.packages.map((p) => [p.type, p.name, p.version, p.arch ?? ''].join('\u0000'));
    expect(keys).toEqual([...keys].sort());
    expect(doc.image).toMatchObject({
      reference: inv.image.reference,
      source: 'docker-archive',
      tags: inv.image.tags,
      manifestDigest: inv.image.manifestDigest,
      configDigest: inv.image.configDigest,
      os: 'linux',
      architecture: 'amd64',
    });
    expect(doc.os).toEqual(inv.os);
    expect(doc.layers).toEqual(inv.layers);
    expect(doc.problems).toEqual(inv.problems);
    expect(doc.catalogers).toEqual(inv.catalogers);
    expect(doc.relationships).toHaveLength(inv.relationships.length);
  });

  it('never copies the image environment (it may hold secrets)', () => {
    const withSecret: Inventory = { ...inv, image: { ...inv.image, config: { ...inv.image.config, env: ['API_TOKEN=hunter2'] } } };
    expect(encodeSbom(withSecret, 'json')).not.toContain('hunter2');
  });

  it('writes os: null when no OS was detected', () => {
    expect(encodeParse({ ...inv, os: undefined }).doc.os).toBeNull();
  });
});

describe('native JSON on hostile metadata', () => {
  it('turns any metadata into JSON values: bigint, buffers, cycles, NaN, deep nesting', () => {
    const cycle: Record<string, unknown> = { name: 'loop' };
    cycle.self = cycle;
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 1000; i++) deep = { deep };
    const pkg: Package = {
      ...load('inventory-small.json').packages[0]!,
      metadata: { big: 2n ** 70n, buf: Buffer.from('hi'), cycle, nan: Number.NaN, fn: () => 1, deep, when: new Date(0), list: [1, undefined, 'x'] },
    };
    const { raw, doc } = encodeParse({ ...load('inventory-small.json'), packages: [pkg] });
    expect(doc).toEqual(raw);
    const meta = doc.packages[0]!.metadata!;
    expect(meta.big).toBe('1180591620717411303424');
    expect(meta.buf).toBe('aGk=');
    expect(meta.cycle).toEqual({ name: 'loop' });
    expect(meta).not.toHaveProperty('nan');
    expect(meta).not.toHaveProperty('fn');
    expect(meta.when).toBe('1970-01-01T00:00:00.000Z');
    expect(meta.list).toEqual([1, null, 'x']);
    expect(JSON.stringify(meta.deep).length).toBeLessThan(200);
  });

  it('jsonSafe keeps plain JSON as it is, with sorted keys', () => {
    expect(jsonSafe({ b: 1, a: [true, null, 's'] })).toEqual({ a: [true, null, 's'], b: 1 });
    expect(Object.keys(jsonSafe({ b: 1, a: 2 }) as object)).toEqual(['a', 'b']);
  });
});
