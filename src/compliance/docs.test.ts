import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatedDocs } from './docs-catalogue.js';
import { MANUAL_CHECKS } from './registry.js';

/** docs/compliance/*.md are generated from check metadata; this keeps the committed files in sync. */
const DIR = new URL('../../docs/compliance/', import.meta.url);

describe('generated compliance docs', () => {
  const docs = generatedDocs();
  if (process.env.PORTCULLIS_UPDATE_DOCS === '1') {
    mkdirSync(DIR, { recursive: true });
    for (const [file, text] of docs) writeFileSync(new URL(file, DIR), text);
  }

  it.each([...docs.keys()])('%s matches the check metadata (regenerate with PORTCULLIS_UPDATE_DOCS=1)', (file) => {
    expect(readFileSync(new URL(file, DIR), 'utf8')).toBe(docs.get(file));
  });

  it('lists every manual recommendation with the reason it is manual', () => {
    const all = [...docs.values()].join('\n');
    for (const m of MANUAL_CHECKS) expect(all).toContain(`| ${m.id} | ${m.title} |`);
  });
});
