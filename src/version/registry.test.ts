import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCHEMES, schemeById } from './registry.js';

const here = new URL('./', import.meta.url).pathname;
const folders = readdirSync(here).filter((f) => statSync(`${here}${f}`).isDirectory());

describe('version scheme registry', () => {
  it('is sorted by id and has no duplicates', () => {
    const ids = SCHEMES.map((s) => s.id);
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('lists exactly one scheme per folder, with the folder name as id', () => {
    expect(SCHEMES.map((s) => s.id)).toEqual([...folders].sort());
    for (const s of SCHEMES) expect(existsSync(`${here}${s.id}/index.ts`), s.id).toBe(true);
  });

  it('every scheme links its spec and has a fixture and a test', () => {
    for (const s of SCHEMES) {
      expect(s.specs.length, s.id).toBeGreaterThan(0);
      for (const url of s.specs) expect(url, s.id).toMatch(/^https:\/\//);
      expect(readdirSync(`${here}${s.id}/testdata`).some((f) => f.endsWith('.tsv')), s.id).toBe(true);
      expect(existsSync(`${here}${s.id}/${s.id}.test.ts`), s.id).toBe(true);
    }
  });

  it('every scheme is documented in README.md', () => {
    const readme = readFileSync(`${here}README.md`, 'utf8');
    for (const s of SCHEMES) expect(readme, s.id).toContain(`| ${s.id} |`);
  });

  it('finds schemes by id', () => {
    expect(schemeById('deb')?.id).toBe('deb');
    expect(schemeById('nope')).toBeUndefined();
    expect(schemeById('__proto__')).toBeUndefined();
  });
});
