// Measures `portcullis compliance host + daemon + container --all` on the benchmark daemon,
// the floor (floor.mjs) and, when materialized, docker-bench-security on the same daemon;
// compares the two per check; prints figures last.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { compare, oursByNumber, readPeerLog, renderTable } from './compare.mjs';
import { floor } from './floor.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    cli: { type: 'string' }, host: { type: 'string' }, runs: { type: 'string' }, 'peer-runs': { type: 'string' }, containers: { type: 'string' },
    'peer-dir': { type: 'string' }, 'peer-note': { type: 'string' }, image: { type: 'string' }, work: { type: 'string' },
  },
});
const cli = values.cli ?? join(here, '../../dist/src/cli/main.js');
const host = values.host;
const socket = host.replace(/^unix:\/\//, '');
const runs = Number(values.runs ?? 5);
const peerRuns = Number(values['peer-runs'] ?? 3);
const work = values.work ?? '/tmp';
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (ns) => Number(ns) / 1e6;

/** Runs a command under GNU time: wall clock (ms) and peak RSS (KiB, the largest process of the tree). */
function timed(cmd, args, opts = {}) {
  const rssFile = join(work, 'time.txt');
  const [c, a] = timeBin ? [timeBin, ['-v', '-o', rssFile, cmd, ...args]] : [cmd, args];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(c, a, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...opts });
  const elapsed = ms(process.hrtime.bigint() - t0);
  let rss;
  if (timeBin && existsSync(rssFile)) {
    rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(readFileSync(rssFile, 'utf8'))?.[1]);
    rmSync(rssFile);
  }
  return { r, elapsed, rss };
}

function portcullis(target, extra = []) {
  const args = [cli, 'compliance', target, ...extra, ...(target === 'container' ? ['--all'] : []), '--docker-host', host, '--format', 'json'];
  const { r, elapsed, rss } = timed('node', args);
  if (r.status !== 0) throw new Error(`portcullis compliance ${target} exited ${r.status}: ${r.stderr}`);
  const report = JSON.parse(r.stdout);
  return { elapsed, rss, checks: report.checks.length, results: report.checks.reduce((n, c) => n + c.results.length, 0), report };
}

function full() {
  const parts = ['host', 'daemon', 'container'].map((t) => portcullis(t));
  return { elapsed: parts.reduce((n, p) => n + p.elapsed, 0), rss: Math.max(...parts.map((p) => p.rss ?? 0)), parts };
}

/** docker-bench-security needs its own directory as the working directory (it sources ./functions). */
function peer(sections, log) {
  const script = join(values['peer-dir'], 'docker-bench-security.sh');
  const { r, elapsed, rss } = timed('bash', [script, '-b', '-l', log, '-c', sections], { cwd: values['peer-dir'], env: { ...process.env, DOCKER_HOST: host } });
  if (r.status !== 0) throw new Error(`docker-bench-security exited ${r.status}: ${r.stderr || r.stdout.slice(-2000)}`);
  return { elapsed, rss };
}

full(); // warm the page cache and the daemon
const ours = [];
const oursRss = [];
const floors = [];
let last;
for (let i = 0; i < runs; i++) {
  last = full();
  ours.push(last.elapsed);
  oursRss.push(last.rss);
  const t0 = process.hrtime.bigint();
  await floor(socket);
  floors.push(ms(process.hrtime.bigint() - t0));
}

// The same sections as ours: host (1), daemon (2, 3, 5.1, 6) and containers (5). Section 4 is
// image checks, which the timed portcullis run does not include; it is compared once below.
const TIMED_SECTIONS = 'host_configuration,docker_daemon_configuration,docker_daemon_files,container_runtime,docker_security_operations';
let peerFig;
let cmp;
let peerNote = values['peer-note'] || 'not installed';
if (values['peer-dir']) {
  try {
    const times = [];
    const rss = [];
    for (let i = 0; i < peerRuns; i++) {
      const p = peer(TIMED_SECTIONS, join(work, 'peer.log'));
      times.push(p.elapsed);
      rss.push(p.rss ?? 0);
    }
    // Agreement: the timed run's results plus, untimed, section 4 against `compliance image`.
    const timedLog = readPeerLog(join(work, 'peer.log.json'));
    peer('container_images', join(work, 'peer-images.log'));
    const imageLog = readPeerLog(join(work, 'peer-images.log.json'));
    const image = portcullis('image', [`docker:${values.image}`, '--no-cache']);
    cmp = compare(new Map([...timedLog.results, ...imageLog.results]), oursByNumber([...last.parts.map((p) => p.report), image.report]));
    cmp.version = timedLog.version;
    peerFig = { elapsed: median(times), rss: median(rss) };
  } catch (err) {
    // A peer that cannot run is reported, not fatal: portcullis and the floor are still measured.
    peerNote = `failed: ${String(err.message).slice(0, 300)}`;
  }
}

const results = last.parts.reduce((n, p) => n + p.results, 0);
const checks = last.parts.reduce((n, p) => n + p.checks, 0);
const byStatus = {};
for (const p of last.parts) for (const c of p.report.checks) for (const r of c.results) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
const f = median(floors);
const o = median(ours);
const kib = (k) => (k ? `${(k / 1024).toFixed(0)} MiB` : 'n/a');
if (cmp) console.log(renderTable(cmp));
console.log('');
console.log(`compliance bench: ${values.containers} containers on a second dockerd, ${runs} runs (peer ${peerRuns}), medians, page cache warm`);
console.log(`  portcullis: ${checks} checks, ${results} results (${Object.entries(byStatus).map(([k, v]) => `${v} ${k}`).join(', ')})`);
for (const p of last.parts) console.log(`    compliance ${p.report.target.padEnd(10)} ${p.elapsed.toFixed(0).padStart(7)} ms  peak RSS ${kib(p.rss)} (last run)`);
console.log(`  floor (Engine API + /proc reads only)       ${f.toFixed(0).padStart(7)} ms`);
console.log(`  portcullis host + daemon + container --all  ${o.toFixed(0).padStart(7)} ms   peak RSS ${kib(median(oursRss))}   ${(o / f).toFixed(1)}x the floor (3 processes, each paying Node start-up)`);
if (peerFig) {
  const same = cmp.rows.filter((r) => r.verdict === 'same').length;
  const eq = cmp.rows.filter((r) => r.verdict === 'equivalent').length;
  const differ = cmp.rows.filter((r) => r.verdict === 'differ');
  console.log(`  docker-bench-security ${String(cmp.version).padEnd(6)} sections 1,2,3,5,6  ${peerFig.elapsed.toFixed(0).padStart(7)} ms   peak RSS ${kib(peerFig.rss)}`);
  console.log(`  ours/peer wall-time ratio                   ${(o / peerFig.elapsed).toFixed(3)}   (portcullis is ${(peerFig.elapsed / o).toFixed(1)}x faster; target faster: ${o < peerFig.elapsed ? 'PASS' : 'FAIL'})`);
  console.log(`  agreement: ${same + eq}/${cmp.rows.length} checks both implement (${same} same verdict, ${eq} equivalent); ${differ.length} differ (${differ.filter((r) => r.note === 'UNEXPLAINED').length} unexplained)`);
} else console.log(`  docker-bench-security                       NOT RUN  (${peerNote}); agreement not measured`);
