// Prints the vulndb benchmark: details first, then the figures against issue 4's targets with
// PASS/FAIL, last, so the end of the log is the answer.
const TARGETS = { matchS: 0.5 };

const MB = 1e6;
const num = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const sec = (ms, d = 2) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(d)} s` : 'n/a');
const mb = (x) => (Number.isFinite(x) ? `${x.toFixed(0)} MB` : 'n/a');
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : Number.NaN);
const fmt = (r) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : 'n/a');

function line(label, value, target, verdict) {
  console.log(`  ${label.padEnd(44)} ${value.padStart(12)}   ${target.padEnd(30)} ${verdict}`);
}

function verdict(ok, measured, why) {
  if (!measured) return `NOT RUN${why ? ` (${why})` : ''}`;
  return ok ? 'PASS' : 'FAIL';
}

function buildRow(name, r) {
  const s = r.ms / 1000;
  const cells = [
    name.padEnd(8),
    String(r.files ?? '').padStart(6),
    num(r.inputBytes / MB, 1).padStart(7),
    num(r.advisories).padStart(7),
    num(s, 1).padStart(6),
    num(r.advisories / s).padStart(7),
    num(r.inputBytes / MB / s, 2).padStart(6),
    mb(r.rssMB).padStart(7),
    num(r.dbBytes / MB, 1).padStart(7),
    num(r.dbBytes / r.advisories).padStart(7),
  ];
  console.log(`  ${cells.join('  ')}`);
}

function printBuild(b) {
  console.log('1. db build from the whole corpus (/work/shared/vulndata), one process per build');
  console.log(`  ${['feed'.padEnd(8), 'files'.padStart(6), 'in MB'.padStart(7), 'advis.'.padStart(7), 'time s'.padStart(6), 'adv/s'.padStart(7), 'MB/s'.padStart(6), 'RSS'.padStart(7), 'DB MB'.padStart(7), 'B/adv'.padStart(7)].join('  ')}`);
  for (const f of b.perFeed) buildRow(f.id, f);
  buildRow('ALL', { ...b, files: b.inputFiles });
  console.log(`  ALL: ${num(b.advisories)} advisories, ${num(b.affected)} affected-package rows, ${b.kev} KEV entries; DB ${num(b.dbBytes / MB, 1)} MB`);
  console.log('  (input = every file in the feed directories; ubuntu is the UCT snapshot as an uncompressed .tar, 87 MB of');
  console.log('   files plus tar headers and the ignored/ tree the feed skips; DB bytes include indexes, KEV and problem rows)');
  if (!b.ok) console.log(`  build failed: ${b.stderr ? b.stderr.slice(-300) : ''}`);
}

function printMatch(m) {
  console.log('');
  console.log('2. matchInventory, 10,000 packages against the whole DB (worst case, then a realistic inventory)');
  if (!m.ok) {
    console.log(`  not run: ${m.error ?? ''}`);
    return;
  }
  const mix = Object.entries(m.mix.count).map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(`  inventory (inventory.mjs, seeded): ${mix}; deb = Ubuntu 20.04 binaries grouped by real source packages;`);
  console.log('  every name is a real advisory package name (worst case: every lookup returns rows); versions taken');
  console.log('  from the advisories: at a fix, just below a fix, introduced / last_affected / listed');
  console.log(`  open ${num(m.openMs, 0)} ms; cold match (fresh process + DB) ${sec(m.coldMs)} wall (${spread(m)}), ${sec(m.coldCpuMs)} CPU of which ${sec(m.coldMainCpuMs)} on the`);
  console.log(`  matching thread (the rest: V8 compiling and collecting garbage on helper threads); warm (same open DB) ${sec(m.warmMs)};`);
  console.log(`  peak RSS ${mb(m.rssMB)} (process: node + DB + inventory + 4 matches); medians of ${m.runs} processes`);
  const types = Object.entries(m.findingsByType).map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(`  findings ${m.findings} on ${m.packagesWithFindings} packages (${types}); ${m.problems} problems`);
  const r = m.real;
  if (r) {
    console.log('  realistic inventory (inventory.mjs --from-sbom): the packages of a real image SBOM copied to 10,000');
    if (!r.ok) console.log(`    not run: ${r.error ?? ''}`);
    else {
      const rmix = Object.entries(r.count).map(([k, v]) => `${k} ${v}`).join(', ');
      console.log(`    ${r.image}: ${r.distinct} distinct packages → ${r.packages} (${rmix}); ${r.skipped} skipped (owned by an OS package, …)`);
      console.log(`    cold ${sec(r.coldMs)} wall (${spread(r)}), ${sec(r.coldCpuMs)} CPU (${sec(r.coldMainCpuMs)} matching thread); warm ${sec(r.warmMs)}; peak RSS ${mb(r.rssMB)}; findings ${r.findings} on ${r.packagesWithFindings} packages`);
    }
  }
  for (const [name, x] of [['worst case', m], ['realistic', r]]) {
    if (!x?.ok) continue;
    console.log(`  findings (${name}): sha256 ${x.check.sha256 ?? 'DIFFERS between the match processes'}; ${CHECK_TEXT[x.check.verdict]}`);
    const b = x.baseline;
    if (b) console.log(`    against BENCH_BASELINE_DIST: ${b.ok ? `${b.after} ours / ${b.before} baseline, ${b.equal ? 'identical' : `${b.onlyBefore} only baseline, ${b.onlyAfter} only ours, ${b.changed} changed: ${JSON.stringify(b.examples.slice(0, 3))}`}; baseline cold ${sec(b.coldMs)} wall, ${sec(b.coldCpuMs)} CPU` : `not run: ${b.error}`}`);
  }
  if (m.profile) {
    console.log(`  CPU profile of one cold match process (${num(m.profile.totalMs, 0)} ms sampled; BENCH_PROFILE=1):`);
    console.log('    self time:');
    for (const [k, v] of m.profile.self.slice(0, 10)) console.log(`      ${num(v, 0).padStart(6)} ms  ${k}`);
    console.log('    inclusive time:');
    for (const [k, v] of m.profile.inclusive.slice(0, 12)) console.log(`      ${num(v, 0).padStart(6)} ms  ${k}`);
  }
}

const CHECK_TEXT = {
  equal: 'equal to the recorded run (expected-findings.json)',
  differs: 'DIFFERENT from the recorded run (expected-findings.json): compare with BENCH_BASELINE_DIST',
  'other-inventory': 'not compared: the inventory is not the recorded one (another corpus or inventory.mjs)',
  'not-recorded': 'nothing recorded to compare with (BENCH_RECORD_FINDINGS=1 records this run)',
};

/** Fastest and slowest cold wall time of the match processes. */
function spread(m) {
  return m.coldSpread ? `${sec(m.coldSpread[0])}–${sec(m.coldSpread[1])} over ${m.runs} runs` : `${m.runs} runs`;
}

function findingsVerdict(x) {
  if (!x?.ok) return 'NOT RUN';
  if (!x.check.deterministic) return 'FAIL';
  if (x.baseline?.ok && !x.baseline.equal) return 'FAIL';
  if (x.check.verdict === 'equal' || x.baseline?.equal) return 'PASS';
  if (x.check.verdict === 'differs') return 'FAIL';
  return 'NOT RUN (nothing to compare with)';
}

function list(items, max = 12) {
  const shown = items.slice(0, max).map((s) => `      ${s}`);
  if (items.length > max) shown.push(`      … ${items.length - max} more`);
  return shown.join('\n');
}

function printE2e(e) {
  console.log('');
  console.log('3. portcullis image beside osv-scanner, offline, the same OSV records, the same docker-archive files');
  const peer = e.peer.missing ? `NOT AVAILABLE: ${e.peer.missing}` : `osv-scanner ${e.peer.version} (${e.peer.bin})`;
  console.log(`  peer: ${peer}`);
  console.log(`  OSV records: ${Object.entries(e.osv.ecosystems).map(([k, v]) => `${k} ${v}`).join(', ')} (${e.osv.records} from /work/shared/vulndata/osv; PyPA YAML → JSON)`);
  console.log(`  osv-scanner reads <work>/osvdb/osv-scanner/<Ecosystem>/all.zip; our DB: db build --feed osv=<those zips>, ${num(e.ourDb.advisories)} advisories in ${sec(e.ourDb.ms, 1)}`);
  for (const img of e.images) {
    console.log('');
    console.log(`  image ${img.name}: ${img.desc}`);
    const row = (n, x) => console.log(`    ${n.padEnd(18)} ${sec(x.ms).padStart(9)}  ${mb(x.rssMB).padStart(7)}  ${x.missing ?? (x.ok === false ? `failed: ${(x.error ?? '').split('\n').filter(Boolean).at(-1) ?? ''}` : `median of ${x.runs}`)}`);
    row('ours, empty cache', img.ours);
    row('ours --no-cache', img.oursNoCache);
    row('osv-scanner', img.theirs);
    const c = img.cmp;
    if (!c) continue;
    console.log('    unique package@version (ours from `portcullis sbom`, osv-scanner from --all-packages):');
    console.log(`      ours ${c.oursPackages}`);
    console.log(`      osv-scanner ${c.theirsPackages}`);
    if (c.unloaded.length) console.log(`    osv-scanner had no records for: ${c.unloaded.join(', ')} (none in these OSV files; our DB has none either)`);
    console.log(`    (package, OSV record) pairs: ours ${c.ours}, osv-scanner ${c.theirs}, equal ${c.equal}`);
    for (const [reason, items] of c.onlyOurs) console.log(`    only ours, ${items.length}: ${reason}\n${list(items)}`);
    for (const [reason, items] of c.onlyTheirs) console.log(`    only osv-scanner, ${items.length}: ${reason}\n${list(items)}`);
    console.log(`    dedupe: our ${c.oursFindings} findings (one per vulnerability per package@version, every file as a location);`);
    console.log(`            osv-scanner prints ${c.theirsRows} (package, record) rows, one per file holding the package`);
    if (c.groupDiffs.length) console.log(`    alias groups differ on the same package:\n${list(c.groupDiffs)}`);
  }
}

export function report({ machine, runs, peerRuns, build, match, e2e, only }) {
  console.log('');
  console.log(`=== vulnerability database benchmark${only ? ` (BENCH_ONLY=${only})` : ''} ===`);
  console.log(`machine: ${machine.cpu}, ${machine.memGB.toFixed(0)} GB RAM, node ${machine.node}; load average at start ${machine.load.map((x) => x.toFixed(1)).join(' ')}, at end ${machine.loadEnd.map((x) => x.toFixed(1)).join(' ')}`);
  console.log(only ? `runs: match ${runs} processes` : `runs: match ${runs} processes, image scans ${runs} (ours) / ${peerRuns} (osv-scanner); db build once`);
  console.log('');
  if (build) printBuild(build);
  printMatch(match);
  if (e2e) printE2e(e2e);

  console.log('');
  console.log('=== results (this run) ===');
  if (build) {
    const bs = build.ms / 1000;
    const per100k = (build.dbBytes / build.advisories) * 1e5;
    line('db build: advisories/s', num(build.advisories / bs), '(no target in issue 4)', build.ok ? '' : 'NOT RUN');
    line('db build: input MB/s', num(build.inputBytes / MB / bs, 2), '(no target)', build.ok ? '' : 'NOT RUN');
    line('db build: peak RSS', mb(build.rssMB), '(no target)', build.ok ? '' : 'NOT RUN');
    line('DB size per 100k advisories', `${num(per100k / MB, 0)} MB`, '(extrapolated: B/adv × 1e5)', build.ok ? '' : 'NOT RUN');
  }
  const cold = match.coldMs / 1000;
  const warm = match.warmMs / 1000;
  line('match 10k worst-case packages, cold', Number.isFinite(cold) ? `${cold.toFixed(3)} s` : 'n/a', `< ${TARGETS.matchS} s`, verdict(cold < TARGETS.matchS, Number.isFinite(cold), match.error));
  line('match 10k worst-case packages, cold CPU', Number.isFinite(match.coldCpuMs) ? `${(match.coldCpuMs / 1000).toFixed(3)} s` : 'n/a', `(user+sys: less load-dependent)`, '');
  line('  of which on the matching thread', Number.isFinite(match.coldMainCpuMs) ? `${(match.coldMainCpuMs / 1000).toFixed(3)} s` : 'n/a', '(the rest: V8 helper threads)', '');
  line('match 10k worst-case packages, warm', Number.isFinite(warm) ? `${warm.toFixed(3)} s` : 'n/a', `< ${TARGETS.matchS} s`, verdict(warm < TARGETS.matchS, Number.isFinite(warm), match.error));
  if (match.ok) line('match findings', String(match.findings), '(count)', '');
  line('match worst-case findings unchanged', match.check?.sha256?.slice(0, 12) ?? 'n/a', '= recorded / = BENCH_BASELINE_DIST', findingsVerdict(match));
  const real = match.real;
  if (real) {
    const rc = real.coldMs / 1000;
    const rw = real.warmMs / 1000;
    line('match 10k real-SBOM packages, cold', Number.isFinite(rc) ? `${rc.toFixed(3)} s` : 'n/a', `< ${TARGETS.matchS} s`, verdict(rc < TARGETS.matchS, Number.isFinite(rc), real.error));
    line('match 10k real-SBOM packages, cold CPU', Number.isFinite(real.coldCpuMs) ? `${(real.coldCpuMs / 1000).toFixed(3)} s` : 'n/a', '(user+sys)', '');
    line('match 10k real-SBOM packages, warm', Number.isFinite(rw) ? `${rw.toFixed(3)} s` : 'n/a', `< ${TARGETS.matchS} s`, verdict(rw < TARGETS.matchS, Number.isFinite(rw), real.error));
    line('match real-SBOM findings unchanged', real.check?.sha256?.slice(0, 12) ?? 'n/a', '= recorded / = BENCH_BASELINE_DIST', findingsVerdict(real));
  }
  if (!e2e) return;
  for (const img of e2e.images) {
    const why = img.theirs.missing ?? (img.theirs.ok === false ? 'osv-scanner failed' : img.ours.ok === false ? 'ours failed' : undefined);
    line(`${img.name}: ours/osv-scanner wall`, fmt(ratio(img.ours.ms, img.theirs.ms)), `(${sec(img.ours.ms)} / ${sec(img.theirs.ms)})`, why ? `NOT RUN (${why})` : '');
    line(`${img.name}: --no-cache/osv-scanner wall`, fmt(ratio(img.oursNoCache.ms, img.theirs.ms)), `(${sec(img.oursNoCache.ms)} / ${sec(img.theirs.ms)})`, why ? `NOT RUN (${why})` : '');
    line(`${img.name}: ours/osv-scanner RSS`, fmt(ratio(img.ours.rssMB, img.theirs.rssMB)), `(${mb(img.ours.rssMB)} / ${mb(img.theirs.rssMB)})`, why ? `NOT RUN (${why})` : '');
    const c = img.cmp;
    const oo = c ? [...c.onlyOurs.values()].reduce((n, x) => n + x.length, 0) : Number.NaN;
    const ot = c ? [...c.onlyTheirs.values()].reduce((n, x) => n + x.length, 0) : Number.NaN;
    const value = c ? `${c.equal}=/${oo}/${ot}` : 'n/a';
    line(`${img.name}: findings equal/ours/theirs`, value, 'only-ours 0, only-theirs 0', verdict(oo === 0 && ot === 0, Boolean(c), why ?? 'no comparison'));
  }
  if (e2e.images.length === 0) console.log('  end-to-end: NOT RUN (no image: see the log above)');
  if (e2e.peer.missing) console.log(`  peer osv-scanner: NOT AVAILABLE: ${e2e.peer.missing}`);
}
