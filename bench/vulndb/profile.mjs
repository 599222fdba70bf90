// Summarizes a V8 .cpuprofile (node --cpu-prof): the functions with the most self time and the
// most inclusive time, so a failed matching target comes with where its time went. Frames in
// dist/ are named by their TypeScript source line through the build's source maps.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Decodes one Base64 VLQ segment of a source map's `mappings` into its numbers. */
export function decodeVlq(segment) {
  const out = [];
  let value = 0;
  let shift = 0;
  for (const ch of segment) {
    const digit = B64.indexOf(ch);
    if (digit < 0) throw new Error(`bad VLQ digit ${ch}`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    out.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return out;
}

/**
 * `(line, column)` (0-based, generated file) → `{ source, line }` (1-based) from a source map v3:
 * the last mapping at or before the column on that line. https://sourcemaps.info/spec.html
 */
export function sourceMapLookup(map) {
  const lines = map.mappings.split(';');
  const decoded = [];
  let src = 0;
  let srcLine = 0;
  let srcCol = 0;
  for (const line of lines) {
    let col = 0;
    const segs = [];
    for (const seg of line.split(',')) {
      if (!seg) continue;
      const v = decodeVlq(seg);
      col += v[0];
      if (v.length >= 4) {
        src += v[1];
        srcLine += v[2];
        srcCol += v[3];
        segs.push([col, src, srcLine]);
      }
    }
    decoded.push(segs);
  }
  return (line, column) => {
    const segs = decoded[line] ?? [];
    let hit;
    for (const s of segs) if (s[0] <= column) hit = s;
    hit ??= segs[0];
    return hit ? { source: map.sources[hit[1]], line: hit[2] + 1 } : undefined;
  };
}

const maps = new Map();
function mapped(url, line, column) {
  if (!url.startsWith('file://')) return undefined;
  const file = fileURLToPath(url);
  if (!maps.has(file)) {
    let lookup;
    try {
      if (existsSync(`${file}.map`)) lookup = sourceMapLookup(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
    } catch {
      lookup = undefined;
    }
    maps.set(file, lookup);
  }
  const hit = maps.get(file)?.(line, column);
  if (!hit) return undefined;
  // `../../../src/match/match.ts` → `src/match/match.ts`
  return `${hit.source.replace(/^(\.\.\/)+/, '')}:${hit.line}`;
}

function label(node) {
  const f = node.callFrame;
  const where = mapped(f.url, f.lineNumber, f.columnNumber) ?? (f.url ? `${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}` : '');
  return `${f.functionName || '(anonymous)'} ${where}`.trim();
}

/** @returns {{ totalMs: number, self: [string, number][], inclusive: [string, number][] }} times in ms, largest first */
export function summarizeProfile(path, top = 15) {
  const prof = JSON.parse(readFileSync(path, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const hits = new Map();
  prof.samples.forEach((id, i) => hits.set(id, (hits.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
  const self = new Map();
  const incl = new Map();
  let total = 0;
  for (const [id, us] of hits) {
    total += us;
    const name = label(byId.get(id));
    self.set(name, (self.get(name) ?? 0) + us);
    // Inclusive: count each distinct frame once per sample stack (recursion is not double-counted).
    const seen = new Set();
    for (let x = id; x !== undefined; x = parent.get(x)) {
      const n = label(byId.get(x));
      if (seen.has(n)) continue;
      seen.add(n);
      incl.set(n, (incl.get(n) ?? 0) + us);
    }
  }
  const topOf = (m) =>
    [...m]
      .filter(([k]) => !/^\((root|program|idle)\)/.test(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => [k, v / 1000]);
  return { totalMs: total / 1000, self: topOf(self), inclusive: topOf(incl) };
}
