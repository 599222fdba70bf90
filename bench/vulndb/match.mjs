// Times matchInventory (the product's own code, from dist/) over the synthetic inventory, in a
// process of its own so /usr/bin/time sees its peak RSS. The first match runs on a freshly
// opened database (nothing parsed or cached in the process: what one `portcullis image` pays);
// the next ones reuse the open database (what a long-running server pays).
//   node bench/vulndb/match.mjs <dist dir> <db> <inventory.json> [warm runs]
// Prints one JSON line: { openMs, coldMs, coldCpuMs, coldMainCpuMs, warmMs[], findings,
// findingsSha256, problems, skipped, packages }. coldCpuMs counts every thread of the process
// (V8 compiles and collects garbage on helper threads); coldMainCpuMs only the thread that runs
// the match (Linux /proc; absent elsewhere). findingsSha256: sha256 of the cold match's findings
// as JSON lines (the file below), to check that a change for speed changed no finding.
// BENCH_DIGEST=0 skips the hash (the profiled run: its profile then shows the match alone).
// BENCH_FINDINGS_OUT=<file> also writes the cold match's findings (whole objects, one JSON line
// each) so two builds can be compared finding for finding (`findings-diff.mjs`).
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { findingsLines, findingsSha256 } from './findings-diff.mjs';

const [dist, dbPath, invPath, warmRuns = '3'] = process.argv.slice(2);
if (!dist || !dbPath || !invPath) {
  console.error('usage: node match.mjs <dist dir> <db> <inventory.json> [warm runs]');
  process.exit(2);
}
const { VulnDb } = await import(pathToFileURL(join(dist, 'src/vulndb/db/open.js')).href);
const { matchInventory } = await import(pathToFileURL(join(dist, 'src/match/match.js')).href);

const inv = JSON.parse(readFileSync(invPath, 'utf8'));
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

/** CPU time of this thread (the one that runs the match) in ms, from /proc (Linux), else NaN. */
function mainThreadCpuMs() {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in ticks of 1/100 s
  } catch {
    return Number.NaN;
  }
}

let t0 = process.hrtime.bigint();
const db = VulnDb.open(dbPath);
const openMs = ms(t0);
t0 = process.hrtime.bigint();
// CPU time beside wall time: on a shared machine the wall time includes waiting for a core.
const cpu0 = process.cpuUsage();
const main0 = mainThreadCpuMs();
const first = matchInventory(inv, db);
const coldMs = ms(t0);
const cpu = process.cpuUsage(cpu0);
const coldCpuMs = (cpu.user + cpu.system) / 1000;
const coldMainCpuMs = mainThreadCpuMs() - main0;
const warmMs = [];
for (let i = 0; i < Number(warmRuns); i++) {
  t0 = process.hrtime.bigint();
  const again = matchInventory(inv, db);
  warmMs.push(ms(t0));
  if (again.findings.length !== first.findings.length) throw new Error('a second match gave a different number of findings');
}
db.close();
if (process.env.BENCH_FINDINGS_OUT) {
  // 1,000 findings per write: the whole file as one string would add ~70 MB to the peak RSS.
  const fd = openSync(process.env.BENCH_FINDINGS_OUT, 'w');
  for (let i = 0; i < first.findings.length; i += 1000) writeSync(fd, findingsLines(first.findings.slice(i, i + 1000)));
  closeSync(fd);
}

const packagesWithFindings = new Set(first.findings.map((f) => f.package.id)).size;
const byType = {};
for (const f of first.findings) byType[f.package.type] = (byType[f.package.type] ?? 0) + 1;
console.log(
  JSON.stringify({
    packages: inv.packages.length,
    openMs,
    coldMs,
    coldCpuMs,
    coldMainCpuMs,
    warmMs,
    findings: first.findings.length,
    findingsSha256: process.env.BENCH_DIGEST === '0' ? undefined : findingsSha256(first.findings),
    packagesWithFindings,
    findingsByType: byType,
    problems: first.problems.length,
    skipped: first.skipped.length,
  }),
);
