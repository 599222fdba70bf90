import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CompareResult } from './types.js';

/** One row of a comparison fixture: the native tool's verdict on `a` vs `b`. */
export interface FixtureRow {
  readonly file: string;
  readonly line: number;
  readonly a: string;
  readonly b: string;
  readonly expected: CompareResult;
}

/**
 * Parse a comparison fixture: `A<TAB>B<TAB>-1|0|1` per line, `#` comments. Fixtures are
 * produced by the native tools (scripts/fixtures/versions/generate.sh) or, where none runs
 * here, transcribed from the spec's own test vectors (the file header says which).
 */
export function parseFixture(text: string, file = '<fixture>'): FixtureRow[] {
  const rows: FixtureRow[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw === '' || raw.startsWith('#')) return;
    const cols = raw.split('\t');
    const [a, b, r] = cols;
    if (cols.length !== 3 || a === undefined || b === undefined || (r !== '-1' && r !== '0' && r !== '1')) {
      throw new Error(`${file}:${i + 1}: expected A<TAB>B<TAB>-1|0|1, got ${JSON.stringify(raw)}`);
    }
    rows.push({ file, line: i + 1, a, b, expected: Number(r) as CompareResult });
  });
  return rows;
}

/** All rows of every `.tsv` in a scheme's testdata folder. */
export function loadFixtures(dir: string): FixtureRow[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.tsv'))
    .sort()
    .flatMap((f) => parseFixture(readFileSync(join(dir, f), 'utf8'), f));
}
