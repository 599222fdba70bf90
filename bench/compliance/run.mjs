// Measures `portcullis compliance host + daemon + container --all` on the benchmark daemon,
// the floor (floor.mjs) and, when installed, docker-bench-security; prints figures last.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { floor } from './floor.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ options: { cli: { type: 'string' }, host: { type: 'string' }, runs: { type: 'string' }, containers: { type: 'string' }, peer: { type: 'string' }, 'peer-note': { type: 'string' } } });
const cli = values.cli ?? join(here, '../../dist/src/cli/main.js');
const host = values.host;
const socket = host.replace(/^unix:\/\//, '');
const runs = Number(values.runs ?? 5);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (ns) => Number(ns) / 1e6;

function portcullis(target) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('node', [cli, 'compliance', target, ...(target === 'container' ? ['--all'] : []), '--docker-host', host, '--format', 'json'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const elapsed = ms(process.hrtime.bigint() - t0);
  if (r.status !== 0) throw new Error(`portcullis compliance ${target} exited ${r.status}: ${r.stderr}`);
  const report = JSON.parse(r.stdout);
  return { elapsed, checks: report.checks.length, results: report.checks.reduce((n, c) => n + c.results.length, 0), report };
}

function full() {
  const parts = ['host', 'daemon', 'container'].map(portcullis);
  return { elapsed: parts.reduce((n, p) => n + p.elapsed, 0), parts };
}

full(); // warm the page cache and the daemon
const ours = [];
const floors = [];
let last;
for (let i = 0; i < runs; i++) {
  last = full();
  ours.push(last.elapsed);
  const t0 = process.hrtime.bigint();
  await floor(socket);
  floors.push(ms(process.hrtime.bigint() - t0));
}

let peerLine;
if (values.peer) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    spawnSync(values.peer, ['-c', 'host_configuration,docker_daemon_configuration,docker_daemon_files,container_runtime,docker_security_operations'], { env: { ...process.env, DOCKER_HOST: host }, encoding: 'utf8' });
    times.push(ms(process.hrtime.bigint() - t0));
  }
  const p = median(times);
  peerLine = `  docker-bench-security                       ${p.toFixed(0).padStart(7)} ms   portcullis is ${(p / median(ours)).toFixed(1)}x faster   target: faster: ${median(ours) < p ? 'PASS' : 'FAIL'}`;
} else peerLine = `  docker-bench-security                       NOT RUN  (${values['peer-note'] || 'not installed'}); agreement not measured`;

const results = last.parts.reduce((n, p) => n + p.results, 0);
const checks = last.parts.reduce((n, p) => n + p.checks, 0);
const byStatus = {};
for (const p of last.parts) for (const c of p.report.checks) for (const r of c.results) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
const f = median(floors);
const o = median(ours);
console.log('');
console.log(`compliance bench: ${values.containers} containers on a second dockerd, ${runs} runs, medians, page cache warm`);
console.log(`  portcullis: ${checks} checks, ${results} results (${Object.entries(byStatus).map(([k, v]) => `${v} ${k}`).join(', ')})`);
for (const p of last.parts) console.log(`    compliance ${p.report.target.padEnd(10)} ${p.elapsed.toFixed(0).padStart(7)} ms (last run)`);
console.log(`  floor (Engine API + /proc reads only)       ${f.toFixed(0).padStart(7)} ms`);
console.log(`  portcullis host + daemon + container --all  ${o.toFixed(0).padStart(7)} ms   ${(o / f).toFixed(1)}x the floor (3 processes, each paying Node start-up)`);
console.log(peerLine);
