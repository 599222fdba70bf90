// Did the matcher's findings change? A change made for speed must not change one finding. Two
// checks, both cheap (match.mjs hashes its cold match's findings, written as JSON lines):
//  - every match process of a run gives the same findings (the matcher is deterministic);
//  - when the inventory is the one recorded in expected-findings.json (same sha256 of the
//    inventory file, i.e. the same corpus and the same inventory.mjs), the findings hash is the
//    recorded one. Findings are ordered by Intl.Collator, so another ICU (Node) version may
//    order them differently: the check then fails, and `BENCH_BASELINE_DIST` (a build to compare
//    with, finding by finding, through findings-diff.mjs) says whether anything but the order
//    changed. `BENCH_RECORD_FINDINGS=1` records this run's hashes, on purpose, like a golden file.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * @param {string} inventorySha256 sha256 of the inventory file this run matched
 * @param {string[]} digests findingsSha256 of each match process
 * @param {{ inventorySha256: string, findings: number, findingsSha256: string } | undefined} recorded
 * @returns {{ deterministic: boolean, sha256: string | undefined, verdict: 'equal' | 'differs' | 'other-inventory' | 'not-recorded' }}
 */
export function checkFindings(inventorySha256, digests, recorded) {
  const distinct = [...new Set(digests)];
  const sha256 = distinct.length === 1 ? distinct[0] : undefined;
  let verdict = 'not-recorded';
  if (recorded && recorded.inventorySha256 !== inventorySha256) verdict = 'other-inventory';
  else if (recorded) verdict = sha256 === recorded.findingsSha256 ? 'equal' : 'differs';
  return { deterministic: distinct.length === 1, sha256, verdict };
}

export function readRecorded(file) {
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
}

/** Writes `{ [label]: { inventorySha256, findings, findingsSha256 } }` plus when and with what. */
export function writeRecorded(file, entries, about) {
  writeFileSync(file, `${JSON.stringify({ about, ...entries }, null, 2)}\n`);
}
