import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, formatError, PortcullisError, toPortcullisError } from './errors.js';

const ROOT = join(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return d.name === 'testdata' ? [] : sources(p);
    return d.name.endsWith('.ts') && !d.name.endsWith('.test.ts') ? [p] : [];
  });
}

describe('error catalogue', () => {
  it('is documented row by row in docs/errors.md', () => {
    const doc = readFileSync(join(ROOT, 'docs/errors.md'), 'utf8');
    for (const [code, { exit, cause }] of Object.entries(ERROR_CATALOGUE)) {
      expect(doc).toContain(`| \`${code}\` | ${exit} | ${cause} |`);
    }
  });

  it('has every code the product raises or records', () => {
    const used = new Set<string>();
    for (const file of sources(join(ROOT, 'src'))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:PortcullisError|problem)\(\s*'([A-Z_]+)'/g)) used.add(m[1] as string);
      for (const m of text.matchAll(/\bcode: '([A-Z][A-Z_]+)'/g)) if (!/^E[A-Z]+$/.test(m[1] as string)) used.add(m[1] as string); // skip Node errno codes
    }
    const unknown = [...used].filter((c) => !Object.hasOwn(ERROR_CATALOGUE, c));
    expect(unknown).toEqual([]);
    expect(used.size).toBeGreaterThan(10);
  });

  it('formats codes with their context and wraps foreign errors', () => {
    const e = new PortcullisError('LAYER_CORRUPT', 'bad tar', { layer: 'sha256:ab', entry: 'etc/x', path: undefined });
    expect(formatError(e)).toBe('[LAYER_CORRUPT] bad tar (layer sha256:ab, entry etc/x)');
    expect(e.exitCode).toBe(3);
    const wrapped = toPortcullisError(new Error('boom'), 'DAEMON_ERROR');
    expect(wrapped.code).toBe('DAEMON_ERROR');
    expect(toPortcullisError(e)).toBe(e);
  });
});
