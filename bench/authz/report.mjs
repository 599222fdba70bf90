// Prints the bench's tables, then its figures against issue 7's targets, last. A missed target
// prints FAIL; the exit code stays 0 (a benchmark is a measurement).

export const P99_TARGET_MS = 2;
export const THROUGHPUT_TARGET = 5000;
export const PS_OVERHEAD_TARGET = 1.05;

const ms = (v) => (Number.isFinite(v) ? v.toFixed(v < 10 ? 2 : 1) : 'n/a');
const mib = (kib) => `${(kib / 1024).toFixed(0)} MiB`;
const pad = (s, n) => String(s).padStart(n);
const verdict = (ok) => (ok ? 'PASS' : 'FAIL');

function levelRows(b) {
  return b.levels.map(
    (l) =>
      `  ${b.label.padEnd(6)} ${pad(l.concurrency, 7)} ${pad(l.perSecond.toFixed(0), 12)} ${pad(ms(l.latency.p50), 8)} ${pad(ms(l.latency.p99), 8)} ${pad(ms(l.latency.max), 8)} ${pad((l.pluginCpuMsPerDecision * 1000).toFixed(0), 11)} µs ${pad((l.pluginCpuShare * 100).toFixed(0), 7)}% ${pad((l.pluginWaitShare * 100).toFixed(0), 9)}%`,
  );
}

const bestOf = (b) => b.levels.reduce((a, l) => (l.perSecond > a.perSecond ? l : a));
/** The level where a decision cost the least CPU (batching amortises the audit log's fixed costs). */
const leanestOf = (b) => b.levels.reduce((a, l) => (l.pluginCpuMsPerDecision < a.pluginCpuMsPerDecision ? l : a));
const clients = (c) => `${pad(c, 2)} client${c === 1 ? ' ' : 's'}`;

export function printReport(r) {
  const m = r.machine;
  const out = [];
  const all = [r.disk, r.tmpfs].filter(Boolean);
  out.push('');
  out.push(`authz bench: plugin (portcullis authz serve) pinned to core 0, load generator on core 1, keep-alive HTTP on a unix socket${r.nice !== undefined ? `; both at nice ${r.nice}` : ''}`);
  out.push(`  mix: ${r.mix.exchanges} AuthZ exchanges replayed from dockerd captures (${r.mix.scenarios.length} user scenarios, ${r.mix.denied} of them denied), ${r.durationMs / 1000} s per level after ${r.warmupMs / 1000} s warm-up`);
  out.push(`  machine: ${m.cores} cores, load average ${m.loadStart.toFixed(1)} at start, ${m.loadEnd.toFixed(1)} at end (shared with other work); node ${m.node}; ${m.dockerd}`);
  out.push(`  fdatasync floor (append ${r.floor.disk.bytes} B + fdatasync, ${r.floor.disk.n}×): disk p50 ${ms(r.floor.disk.p50)} ms p99 ${ms(r.floor.disk.p99)} ms; tmpfs p50 ${ms(r.floor.tmpfs.p50)} ms p99 ${ms(r.floor.tmpfs.p99)} ms`);
  const ap = r.floor.auditPattern;
  out.push(`  audit-pattern floor on disk (append + fdatasync, HEAD slot + fdatasync beside the next, ${ap.n}×): p50 ${ms(ap.p50)} ms p99 ${ms(ap.p99)} ms`);
  out.push('');
  out.push('  audit  clients  decisions/s   p50 ms   p99 ms   max ms  plugin CPU/decision  CPU used  CPU waited');
  for (const b of all) out.push(...levelRows(b));
  const answers = all.flatMap((b) => b.levels);
  const sum = (k) => answers.reduce((a, l) => a + l[k], 0);
  out.push(`  answers: ${sum('mismatches')} mismatches, ${sum('errors')} errors; ${sum('denied')} of ${sum('completed')} timed answers denied (${((sum('denied') / sum('completed')) * 100).toFixed(1)}%), the mix expects ${sum('expectedDenied')}`);
  for (const b of all) out.push(`  audit log (${b.label}): ${b.audit.records} records for ${b.answered} answers, ${b.audit.ok ? 'verified' : `NOT verified ${b.audit.error ?? ''}`}; plugin peak RSS ${mib(b.peakRssKiB)}`);
  const d = r.docker;
  if (d) {
    const names = Object.keys(d.ps);
    out.push('');
    out.push(`  docker (${d.docker}; ${d.api.plain.samples} × GET /containers/json kept alive, ${d.ps.plain.samples} × ps, ${d.run.plain.samples} × ${d.mode === 'run' ? 'run --rm --network none busybox true' : 'create + rm'}, interleaved; medians)`);
    out.push(`    ${''.padEnd(14)}${names.map((n) => pad(n, 13)).join('')}`);
    out.push(`    ${'API call'.padEnd(14)}${names.map((n) => pad(`${ms(d.api[n].median)} ms`, 13)).join('')}`);
    out.push(`    ${'docker ps'.padEnd(14)}${names.map((n) => pad(`${ms(d.ps[n].median)} ms`, 13)).join('')}`);
    out.push(`    ${(d.mode === 'run' ? 'docker run' : 'create + rm').padEnd(14)}${names.map((n) => pad(`${ms(d.run[n].median)} ms`, 13)).join('')}`);
    if (d.note) out.push(`    note: ${d.note}`);
    for (const [phase, per] of Object.entries(d.plugins ?? {})) {
      const parts = Object.entries(per).map(([n, v]) => `${n} ${v.decisions} decisions, CPU ${v.cpuUsPerDecision.toFixed(0)} µs and run-queue wait ${v.waitUsPerDecision.toFixed(0)} µs per decision`);
      out.push(`    plugin during ${phase.padEnd(3)}: ${parts.join('; ')}`);
    }
    for (const a of d.audit ?? []) out.push(`    audit log (${a.name}): ${a.records} records, ${a.ok ? 'verified' : `NOT verified ${a.error ?? ''}`}`);
  }
  const p = r.profile;
  if (p) {
    out.push('');
    out.push(`  CPU profile (tmpfs audit, ${r.levels.at(-1)} clients; ${ms(p.busyMs)} ms busy): self time by area`);
    for (const [area, t] of p.areas.slice(0, 14)) out.push(`    ${pad(((t / p.busyMs) * 100).toFixed(1), 5)}%  ${area}`);
    out.push('  top functions by self time');
    for (const [f, t] of p.functions.self.slice(0, 12)) out.push(`    ${pad(((t / p.busyMs) * 100).toFixed(1), 5)}%  ${f}`);
  }

  out.push('');
  out.push('figures (targets from issue 7):');
  // One line per figure: a label in a fixed column, then the value and its verdict.
  const fig = (label, value, rest = '') => out.push(`  ${label.padEnd(52)} ${pad(value, 10)}   ${rest}`.trimEnd());
  for (const b of all) {
    for (const l of b.levels) {
      const v = l.latency.p99;
      fig(`decision p99, ${clients(l.concurrency)}, audit on ${b.label}`, `${ms(v)} ms`, `${(v / P99_TARGET_MS).toFixed(2)}× the target (< ${P99_TARGET_MS} ms): ${verdict(v < P99_TARGET_MS)}`);
    }
  }
  for (const b of all) {
    const l = bestOf(b);
    fig(`decisions/s, best level (${clients(l.concurrency)}), audit on ${b.label}`, `${l.perSecond.toFixed(0)}/s`, `${(l.perSecond / THROUGHPUT_TARGET).toFixed(2)}× the target (> ${THROUGHPUT_TARGET}/s): ${verdict(l.perSecond > THROUGHPUT_TARGET)}`);
  }
  for (const b of all) {
    const l = leanestOf(b);
    fig(`decisions/s a whole core allows (CPU time, ${b.label})`, `${(1000 / l.pluginCpuMsPerDecision).toFixed(0)}/s`, `${(l.pluginCpuMsPerDecision * 1000).toFixed(0)} µs CPU per decision at ${l.concurrency} clients; the plugin got ${(l.pluginCpuShare * 100).toFixed(0)}% of core 0`);
  }
  fig('fdatasync floor on the audit disk, p99', `${ms(r.floor.disk.p99)} ms`, `${(r.floor.disk.p99 / P99_TARGET_MS).toFixed(2)}× the p99 target by itself (p50 ${ms(r.floor.disk.p50)} ms; audit pattern p99 ${ms(r.floor.auditPattern.p99)} ms)`);
  if (d) {
    const run = d.mode === 'run' ? 'docker run' : 'docker create+rm';
    const ratio = (k, v) => (d[k][v] ? d[k][v].median / d[k].plain.median : Number.NaN);
    fig('API call (2 decisions), with plugin − without', `${ms(d.api.authz.median - d.api.plain.median)} ms`, `${ratio('api', 'authz').toFixed(2)}×${d.api['authz-tmpfs'] ? `; tmpfs audit +${ms(d.api['authz-tmpfs'].median - d.api.plain.median)} ms` : ''}`);
    fig('docker ps, with plugin / without', ratio('ps', 'authz').toFixed(3), `target ≤ ${PS_OVERHEAD_TARGET.toFixed(2)} (≤ 5% added): ${verdict(ratio('ps', 'authz') <= PS_OVERHEAD_TARGET)}`);
    if (d.ps['authz-tmpfs']) fig('docker ps, with plugin (audit on tmpfs) / without', ratio('ps', 'authz-tmpfs').toFixed(3));
    fig(`${run}, with plugin / without`, ratio('run', 'authz').toFixed(3), '(no target)');
    if (d.run['authz-tmpfs']) fig(`${run}, with plugin (audit on tmpfs) / without`, ratio('run', 'authz-tmpfs').toFixed(3));
  }
  fig('plugin peak RSS (VmHWM)', mib(Math.max(...all.map((b) => b.peakRssKiB), ...(d?.pluginPeakRssKiB ?? []))), `${all.map((b) => `${b.label} ${mib(b.peakRssKiB)}`).join(', ')}${d ? `; under dockerd ${d.pluginPeakRssKiB.map(mib).join(' / ')}` : ''}`);
  const clean = sum('mismatches') === 0 && sum('errors') === 0 && all.every((b) => b.audit.ok && b.audit.records === b.answered);
  fig('answers checked', clean ? 'all right' : 'PROBLEMS', clean ? 'every answer as the policy says, one verified audit record per answer' : 'see above');
  console.log(out.join('\n'));
}
