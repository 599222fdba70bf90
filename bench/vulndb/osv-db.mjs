// Writes osv-scanner's offline database layout, `<out>/osv-scanner/<Ecosystem>/all.zip`, from a
// directory of OSV records (`<src>/<Ecosystem>/**/*.{json,yaml}`, as /work/shared/vulndata/osv
// holds them). JSON records are stored byte for byte; PyPA's YAML records are converted to JSON
// (failsafe schema: every scalar stays a string, so `1.10` is not turned into 1.1). The same
// zips are what our `db build --feed osv=<out>/osv-scanner` reads, so both tools get the very
// same bytes.
//   node bench/vulndb/osv-db.mjs <src> <out>
import { readdirSync, readFileSync, mkdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import YAML from 'yaml';
import { writeZip } from './zip.mjs';

function* files(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (e.isFile() && /\.(json|ya?ml)$/i.test(e.name)) yield p;
  }
}

/** One OSV record as JSON bytes, with its id; throws on a file that is not an OSV record. */
export function recordJson(path, text) {
  const doc = /\.json$/i.test(path) ? JSON.parse(text) : YAML.parse(text, { schema: 'failsafe' });
  if (!doc || typeof doc.id !== 'string' || !Array.isArray(doc.affected ?? [])) throw new Error(`${path}: not an OSV record`);
  return { id: doc.id, json: /\.json$/i.test(path) ? Buffer.from(text) : Buffer.from(`${JSON.stringify(doc, null, 2)}\n`) };
}

/** @returns {{ ecosystems: Record<string, number>, records: number, inputBytes: number, problems: string[] }} */
export function buildOsvScannerDb(src, out) {
  const result = { ecosystems: {}, records: 0, inputBytes: 0, problems: [] };
  for (const eco of readdirSync(src).sort()) {
    if (!statSync(join(src, eco)).isDirectory()) continue;
    const entries = [];
    const seen = new Set();
    for (const path of files(join(src, eco))) {
      const text = readFileSync(path, 'utf8');
      result.inputBytes += Buffer.byteLength(text);
      try {
        const { id, json } = recordJson(path, text);
        if (seen.has(id)) throw new Error(`duplicate id ${id}`);
        seen.add(id);
        entries.push([`${id}.json`, json]);
      } catch (err) {
        result.problems.push(`${relative(src, path)}: ${err.message}`);
      }
    }
    const dir = join(out, 'osv-scanner', eco);
    mkdirSync(dir, { recursive: true });
    writeZip(join(dir, 'all.zip'), entries);
    result.ecosystems[eco] = entries.length;
    result.records += entries.length;
  }
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [src, out] = process.argv.slice(2);
  if (!src || !out) {
    console.error('usage: node osv-db.mjs <src> <out>');
    process.exit(2);
  }
  console.log(JSON.stringify(buildOsvScannerDb(src, out)));
}
