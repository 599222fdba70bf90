// Part 1, the decision bench for one audit location: the plugin pinned to core 0, the load
// generator (load.mjs) pinned to core 1, one run per concurrency level against the same plugin
// process, after an untimed warm-up at 8 clients. Per level: client-side latency and
// decisions/s; the plugin's CPU time per decision (/proc utime+stime of all its threads over
// the level, warm-up included, divided by every answer it gave) and the share of the wall time
// its main thread waited for a core. At the end: its peak RSS, and the audit log verified with
// `portcullis audit verify`, whose record count must equal the answers (one per decision).
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startPlugin, verifyAudit } from './plugin.mjs';
import { authzConfigYaml } from './workload.mjs';

const run = promisify(execFile);
const LOAD = join(import.meta.dirname, 'load.mjs');

/**
 * @param {{ cli: string, work: string, auditDir: string, groupsFile: string, mixFile: string, levels: number[],
 *   durationMs: number, warmupMs: number, prewarmMs: number, nice?: number, profileDir?: string, label: string }} o
 */
export async function decisionBench(o) {
  const dir = join(o.work, `decisions-${o.label}`);
  rmSync(dir, { recursive: true, force: true });
  rmSync(o.auditDir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'authz.yaml');
  const keyFile = join(dir, 'audit.key');
  writeFileSync(config, authzConfigYaml({ groupsFile: o.groupsFile, auditDir: o.auditDir, hmacKeyFile: keyFile }));
  const socket = join(dir, 'plugin.sock');
  const plugin = await startPlugin({ cli: o.cli, config, name: `bench-${o.label}`, socket, cpu: '0', ...(o.nice !== undefined ? { nice: o.nice } : {}), log: join(dir, 'plugin.log'), ...(o.profileDir ? { profileDir: o.profileDir } : {}) });
  const levels = [];
  let answered = 0;
  let peakRssKiB = Number.NaN;
  const loadRun = (c, durationMs, warmupMs) =>
    run(o.nice !== undefined ? 'nice' : 'taskset', [...(o.nice !== undefined ? ['-n', String(o.nice), 'taskset'] : []), '-c', '1', process.execPath, LOAD, '--socket', socket, '--mix', o.mixFile, '--concurrency', String(c), '--duration-ms', String(durationMs), '--warmup-ms', String(warmupMs)], {
      maxBuffer: 16 * 1024 * 1024,
    });
  try {
    // JIT warm-up before any level is timed: a plugin in service has answered many requests.
    if (o.prewarmMs > 0) {
      const w = JSON.parse((await loadRun(8, o.prewarmMs, 0)).stdout);
      answered += w.answered;
      if (w.mismatches || w.errors) throw new Error(`warm-up: ${w.mismatches} wrong answers, ${w.errors} errors: ${JSON.stringify([...w.mismatchExamples, ...w.errorExamples]).slice(0, 1000)}`);
    }
    for (const c of o.levels) {
      const cpu0 = plugin.cpuMs();
      const wait0 = plugin.runqueueWaitMs();
      const wall0 = performance.now();
      const fromUs = Number(process.hrtime.bigint() / 1000n) + o.warmupMs * 1000;
      const { stdout } = await loadRun(c, o.durationMs, o.warmupMs);
      const cpu = plugin.cpuMs() - cpu0;
      const wait = plugin.runqueueWaitMs() - wait0;
      const wall = performance.now() - wall0;
      const windowUs = [fromUs, Number(process.hrtime.bigint() / 1000n)];
      const r = JSON.parse(stdout);
      answered += r.answered;
      levels.push({ ...r, windowUs, pluginCpuMsPerDecision: cpu / r.answered, pluginCpuShare: cpu / wall, pluginWaitShare: wait / wall });
      process.stderr.write(`[bench] ${o.label} c=${c}: ${r.perSecond.toFixed(0)}/s p50 ${r.latency.p50.toFixed(3)} ms p99 ${r.latency.p99.toFixed(3)} ms, plugin CPU ${((cpu / r.answered) * 1000).toFixed(0)} µs/decision (${((cpu / wall) * 100).toFixed(0)}% of core 0, ${((wait / wall) * 100).toFixed(0)}% waiting for it), ${r.mismatches} mismatches, ${r.errors} errors\n`);
    }
  } finally {
    peakRssKiB = plugin.peakRssKiB();
    await plugin.stop();
  }
  const audit = await verifyAudit(o.cli, o.auditDir, keyFile);
  return { label: o.label, auditDir: o.auditDir, levels, peakRssKiB, answered, audit };
}
