// Compares the findings two builds gave for one inventory (files written by match.mjs with
// BENCH_FINDINGS_OUT): a matcher or database change made for speed must not change a finding.
// Compares whole finding objects, and names the fields that differ (id, package, fixed versions,
// severity, …) for the first few differences.
//   node bench/vulndb/findings-diff.mjs <before.jsonl> <after.jsonl>
// Prints one JSON line { before, after, equal, onlyBefore, onlyAfter, changed, examples };
// exit 0 when identical, 1 when they differ, 2 when it cannot run.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Findings as match.mjs writes them: one JSON line each, in the matcher's order. */
export function findingsLines(findings) {
  return findings.map((f) => `${JSON.stringify(f)}\n`).join('');
}

export function sha256(text) {
  return createHash('sha256').update(text).digest('hex');
}

/** sha256 of `findingsLines(findings)`, one finding at a time (no 30 MB string in the heap). */
export function findingsSha256(findings) {
  const h = createHash('sha256');
  for (const f of findings) h.update(`${JSON.stringify(f)}\n`);
  return h.digest('hex');
}

/** `package id  finding id` → the finding's JSON text, from one JSONL file's text. */
export function indexFindings(text) {
  const out = new Map();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const f = JSON.parse(line);
    const key = `${f.package?.id}\t${f.id}`;
    if (out.has(key)) throw new Error(`two findings with the key ${key}`);
    out.set(key, line);
  }
  return out;
}

/** Top-level fields whose JSON differs between two findings. */
function changedFields(a, b) {
  const x = JSON.parse(a);
  const y = JSON.parse(b);
  return [...new Set([...Object.keys(x), ...Object.keys(y)])].filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k])).sort();
}

export function diffFindings(beforeText, afterText, examples = 5) {
  const before = indexFindings(beforeText);
  const after = indexFindings(afterText);
  const onlyBefore = [...before.keys()].filter((k) => !after.has(k));
  const onlyAfter = [...after.keys()].filter((k) => !before.has(k));
  const changed = [...before.keys()].filter((k) => after.has(k) && after.get(k) !== before.get(k));
  return {
    before: before.size,
    after: after.size,
    equal: onlyBefore.length === 0 && onlyAfter.length === 0 && changed.length === 0,
    onlyBefore: onlyBefore.length,
    onlyAfter: onlyAfter.length,
    changed: changed.length,
    examples: [
      ...onlyBefore.slice(0, examples).map((k) => ({ key: k, only: 'before' })),
      ...onlyAfter.slice(0, examples).map((k) => ({ key: k, only: 'after' })),
      ...changed.slice(0, examples).map((k) => ({ key: k, fields: changedFields(before.get(k), after.get(k)) })),
    ],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [a, b] = process.argv.slice(2);
  if (!a || !b) {
    console.error('usage: node findings-diff.mjs <before.jsonl> <after.jsonl>');
    process.exit(2);
  }
  const d = diffFindings(readFileSync(a, 'utf8'), readFileSync(b, 'utf8'));
  console.log(JSON.stringify(d));
  process.exit(d.equal ? 0 : 1);
}
