// Policy evaluation benchmark: 50 rules (every criterion family, CEL included, with
// exceptions) over an input with 1,000 findings, evaluated many times in-process with
// evaluatePolicy, the function the CLI, the authz plugin and admission call. Wall time by
// process.hrtime.bigint; figures are printed last. Target: <= 1 ms per evaluation.
//   node bench/policy/run.mjs [--iterations 2000] [--findings 1000]
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { compilePolicies, evaluatePolicy, parsePolicyInput } from '../../dist/src/policy/index.js';
import { benchCase } from './case.mjs';

const { values } = parseArgs({ options: { iterations: { type: 'string' }, findings: { type: 'string' }, warmup: { type: 'string' } } });
const ITER = Number(values.iterations ?? 2000);
const N = Number(values.findings ?? 1000);
const WARMUP = Number(values.warmup ?? 200);
const TARGET_MS = 1;

const { input: rawInput, policyText, rules, exceptions } = benchCase(N);
const input = parsePolicyInput(rawInput);

const t0 = process.hrtime.bigint();
const compiled = compilePolicies([{ file: 'bench.yaml', text: policyText }]);
const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
if (compiled.diagnostics.length) throw new Error(JSON.stringify(compiled.diagnostics, null, 1));

let last;
for (let i = 0; i < WARMUP; i++) last = evaluatePolicy(compiled.policies, input, 'deploy');
const times = new Float64Array(ITER);
const cpu0 = process.cpuUsage();
const start = process.hrtime.bigint();
for (let i = 0; i < ITER; i++) {
  const a = process.hrtime.bigint();
  last = evaluatePolicy(compiled.policies, input, 'deploy');
  times[i] = Number(process.hrtime.bigint() - a) / 1e6;
}
const totalMs = Number(process.hrtime.bigint() - start) / 1e6;
const cpu = process.cpuUsage(cpu0);
const cpuMs = (cpu.user + cpu.system) / 1000 / ITER;
times.sort();
const q = (p) => times[Math.min(ITER - 1, Math.floor(p * ITER))];
const mean = totalMs / ITER;
const matchedRules = last.rules.filter((r) => r.matched).length;

console.log('');
console.log(`policy bench: ${rules.length} rules, ${exceptions.length} exceptions, ${N} findings, ${ITER} evaluations after ${WARMUP} warm-up (node ${process.version})`);
console.log(`  machine: load average ${loadavg()[0].toFixed(1)} on ${(await import('node:os')).cpus().length} cores (wall time includes waiting for a core; CPU time does not)`);
console.log(`  verdict ${last.verdict}, ${matchedRules} rules matched, ${last.expiredExceptions.length} expired exceptions`);
console.log(`  load + compile (once)        ${loadMs.toFixed(2).padStart(8)} ms`);
console.log(`  evaluation median            ${q(0.5).toFixed(3).padStart(8)} ms`);
console.log(`  evaluation p99               ${q(0.99).toFixed(3).padStart(8)} ms`);
console.log(`  evaluation CPU time (mean)   ${cpuMs.toFixed(3).padStart(8)} ms`);
console.log(`  evaluation mean              ${mean.toFixed(3).padStart(8)} ms   target: <= ${TARGET_MS} ms: ${mean <= TARGET_MS ? 'PASS' : 'FAIL'}`);
