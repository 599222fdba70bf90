// Authorization plugin benchmark (issue 7, Performance): decision latency and throughput of
// `portcullis authz serve` with 1, 8 and 64 concurrent clients, with the audit log on the
// disk and on tmpfs, beside the disk's fdatasync floor; then what the plugin adds to
// `docker ps` and `docker run` on a real dockerd. Figures are printed last.
//   node bench/authz/run.mjs --cli dist/src/cli/main.js [--levels 1,8,64] [--duration-ms 10000]
//     [--warmup-ms 1000] [--prewarm-ms 5000] [--ps-runs 100] [--api-runs 300] [--run-runs 20]
//     [--skip-docker] [--skip-docker-tmpfs] [--profile auto|1|0] [--nice=-10]
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { installInterruptHandlers, onInterrupt } from './cleanup.mjs';
import { decisionBench } from './decisions.mjs';
import { dockerOverhead } from './docker.mjs';
import { auditProtocolFloor, fsyncFloor } from './fsync-floor.mjs';
import { profileReport } from './profile.mjs';
import { printReport, THROUGHPUT_TARGET } from './report.mjs';
import { groupsYaml, SCENARIOS, writeMix } from './workload.mjs';

const { values } = parseArgs({
  options: {
    cli: { type: 'string' },
    work: { type: 'string' },
    levels: { type: 'string', default: '1,8,64' },
    'duration-ms': { type: 'string', default: '10000' },
    'warmup-ms': { type: 'string', default: '1000' },
    'prewarm-ms': { type: 'string', default: '5000' },
    'ps-runs': { type: 'string', default: '100' },
    'run-runs': { type: 'string', default: '20' },
    'api-runs': { type: 'string', default: '300' },
    'skip-docker': { type: 'boolean', default: false },
    'skip-docker-tmpfs': { type: 'boolean', default: false },
    profile: { type: 'string', default: 'auto' },
    // Decision bench only: run the plugin and the load generator at this nice level (e.g. -10)
    // to see the figures when they win their cores on a shared machine. Off by default.
    nice: { type: 'string' },
  },
});
const repo = resolve(import.meta.dirname, '../..');
const cli = resolve(values.cli ?? join(repo, 'dist/src/cli/main.js'));
const work = resolve(values.work ?? join(repo, 'bench/.work/authz'));
const shm = `/dev/shm/portcullis-bench-authz-${process.pid}`;
const levels = values.levels.split(',').map(Number);
const durationMs = Number(values['duration-ms']);
const warmupMs = Number(values['warmup-ms']);

installInterruptHandlers();
onInterrupt(() => rmSync(shm, { recursive: true, force: true }));
mkdirSync(work, { recursive: true });
const groupsFile = join(work, 'groups.yaml');
writeFileSync(groupsFile, groupsYaml());
const mixFile = join(work, 'mix.json');
const mix = writeMix(mixFile);
const machine = {
  cores: cpus().length,
  loadStart: loadavg()[0],
  node: process.version,
  dockerd: (() => {
    try {
      return execFileSync('dockerd', ['--version'], { encoding: 'utf8' }).trim();
    } catch {
      return 'dockerd missing';
    }
  })(),
};

const diskAudit = join(work, 'audit-disk');
const result = { nice: values.nice, machine, mix: { exchanges: mix.length, denied: mix.filter((m) => !m.allow).length, scenarios: SCENARIOS }, levels, durationMs, warmupMs };
try {
  process.stderr.write('[bench] fdatasync floor on the audit disk and on tmpfs\n');
  result.floor = { disk: fsyncFloor(join(work, 'floor')), tmpfs: fsyncFloor(join(shm, 'floor')), auditPattern: await auditProtocolFloor(join(work, 'floor')) };
  const common = { cli, work, groupsFile, mixFile, levels, durationMs, warmupMs, prewarmMs: Number(values['prewarm-ms']), ...(values.nice !== undefined ? { nice: Number(values.nice) } : {}) };
  result.disk = await decisionBench({ ...common, auditDir: diskAudit, label: 'disk' });
  result.tmpfs = await decisionBench({ ...common, auditDir: join(shm, 'audit'), label: 'tmpfs' });
  if (!values['skip-docker']) {
    process.stderr.write('[bench] docker ps / docker run with and without the plugin\n');
    result.docker = await dockerOverhead({ cli, work, groupsFile, psRuns: Number(values['ps-runs']), apiRuns: Number(values['api-runs']), runRuns: Number(values['run-runs']), tmpfs: !values['skip-docker-tmpfs'] });
  }
  const best = Math.max(...result.tmpfs.levels.map((l) => l.perSecond));
  if (values.profile === '1' || (values.profile === 'auto' && best <= THROUGHPUT_TARGET)) {
    // A separate run: the profiler's own cost stays out of the figures above.
    process.stderr.write('[bench] CPU profile of the plugin (tmpfs audit, highest concurrency)\n');
    const profileDir = join(work, 'profile');
    rmSync(profileDir, { recursive: true, force: true });
    mkdirSync(profileDir, { recursive: true });
    const prof = await decisionBench({ ...common, levels: [Math.max(...levels)], auditDir: join(shm, 'audit-profile'), label: 'profile', profileDir });
    result.profile = { ...profileReport(profileDir, prof.levels[0].windowUs), level: prof.levels[0] };
  }
} finally {
  rmSync(shm, { recursive: true, force: true });
  if (!process.env.BENCH_KEEP) rmSync(diskAudit, { recursive: true, force: true });
}
machine.loadEnd = loadavg()[0];
writeFileSync(join(work, 'result.json'), JSON.stringify(result, null, 1));
printReport(result);
