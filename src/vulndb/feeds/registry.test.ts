import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FEEDS, FEEDS, feedById } from './registry.js';

const DIR = import.meta.dirname;

describe('feed registry', () => {
  it('lists every feed folder once, sorted, each documented with id = folder', () => {
    const folders = readdirSync(DIR, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(DIR, d.name, 'index.ts')))
      .map((d) => d.name)
      .sort();
    expect(FEEDS.map((f) => f.id)).toEqual(folders);
    for (const f of FEEDS) {
      expect(f.version).toMatch(/^\d+/);
      expect(f.license.length).toBeGreaterThan(3);
      expect(f.baseUrl).toMatch(/^https:\/\//);
      expect(readFileSync(join(DIR, f.id, 'README.md'), 'utf8').length).toBeGreaterThan(200);
    }
    for (const id of DEFAULT_FEEDS) expect(feedById(id)?.id).toBe(id);
  });

  it('parses an empty directory without records or exceptions', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-feed-'));
    try {
      for (const f of FEEDS) {
        let records = 0;
        const sink = { advisory: () => records++, kev: () => records++, epss: () => records++, problem: () => undefined };
        await f.parse(dir, sink);
        expect(records, f.id).toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
