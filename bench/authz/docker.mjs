// Part 2, what the plugin adds to docker commands. Bench daemons run side by side with the
// same flags: `plain` without a plugin, `authz` with `--authorization-plugin` (audit log on
// the real disk, as deployed), and optionally `authz-tmpfs` (audit log in /dev/shm) to show
// how much of the overhead is the audit log's fdatasync. The plugin processes are not pinned
// (production does not pin them); their socketUser is bound to the admin role, so every
// request is allowed and audited. `GET /containers/json` on a kept-alive connection (what
// `docker ps` asks, without the CLI's start-up), `docker ps` and `docker run --rm` are timed on each
// daemon, the order rotating every round so drift and load spikes hit every variant alike.
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onInterrupt } from './cleanup.mjs';
import { DOCKER, importBusybox, startDockerd } from './dockerd.mjs';
import { startPlugin, verifyAudit } from './plugin.mjs';
import { median, quantile } from './stats.mjs';
import { authzConfigYaml } from './workload.mjs';

const IMAGE = 'portcullis-bench/busybox:1';

/** Wall time of one docker CLI invocation, in ms; rejects with its stderr when it fails. */
function timed(host, args) {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const p = spawn(DOCKER, ['-H', host, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DOCKER_BUILDKIT: '0' } });
    let out = '';
    let err = '';
    p.stdout.on('data', (c) => (out += c));
    p.stderr.on('data', (c) => (err += c));
    p.on('close', (code) => (code === 0 ? resolve({ ms: performance.now() - t, out: out.trim() }) : reject(new Error(`docker ${args.join(' ')}: exit ${code}: ${err.trim().slice(0, 500)}`))));
  });
}

/**
 * One Engine API call on a kept-alive connection, in ms: what the plugin adds to a request
 * without the docker CLI's process start (which is most of a `docker ps` and noisy here).
 */
function apiCall(agent, socketPath, path) {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const req = request({ socketPath, path, agent }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t) : reject(new Error(`GET ${path}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

/** `docker run --rm … true` where runc can start containers; else `docker create` + `docker rm`. */
async function runMode(d) {
  try {
    await timed(d.host, ['run', '--rm', '--network', 'none', IMAGE, 'true']);
    return { mode: 'run', note: '' };
  } catch (err) {
    return { mode: 'create+rm', note: `docker run failed here (${err.message.slice(0, 200)}); timed docker create + docker rm instead` };
  }
}

async function oneRun(d, mode) {
  if (mode === 'run') return (await timed(d.host, ['run', '--rm', '--network', 'none', IMAGE, 'true'])).ms;
  const c = await timed(d.host, ['create', '--network', 'none', IMAGE, 'true']);
  const r = await timed(d.host, ['rm', c.out]);
  return c.ms + r.ms;
}

/** Records in an audit directory so far (newlines in its log files). */
function auditLines(dir) {
  let n = 0;
  for (const f of readdirSync(dir)) {
    if (!/^audit-\d+\.jsonl$/.test(f)) continue;
    const b = readFileSync(join(dir, f));
    for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) n++;
  }
  return n;
}

/** The plugins' decisions, CPU time and run-queue wait over one phase, per plugin. */
async function metered(plugins, fn) {
  const snap = () => plugins.map((p) => ({ decisions: auditLines(p.auditDir), cpu: p.plugin.cpuMs(), wait: p.plugin.runqueueWaitMs() }));
  const before = snap();
  const value = await fn();
  const after = snap();
  const perPlugin = Object.fromEntries(
    plugins.map((p, i) => {
      const decisions = after[i].decisions - before[i].decisions;
      return [p.name, { decisions, cpuUsPerDecision: ((after[i].cpu - before[i].cpu) * 1000) / decisions, waitUsPerDecision: ((after[i].wait - before[i].wait) * 1000) / decisions }];
    }),
  );
  return { value, perPlugin };
}

/** N rounds over the daemons, the starting daemon rotating; samples per daemon name. */
async function interleaved(daemons, n, fn) {
  const samples = Object.fromEntries(daemons.map((d) => [d.name, []]));
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < daemons.length; k++) {
      const d = daemons[(i + k) % daemons.length];
      samples[d.name].push(await fn(d));
    }
  }
  return samples;
}

/**
 * @param {{ cli: string, work: string, groupsFile: string, apiRuns: number, psRuns: number, runRuns: number, tmpfs: boolean }} o
 */
export async function dockerOverhead(o) {
  const base = join(o.work, 'docker');
  const shm = `/dev/shm/portcullis-bench-authz-docker-${process.pid}`;
  rmSync(base, { recursive: true, force: true });
  mkdirSync(base, { recursive: true });
  const plugins = [];
  const daemons = [];
  const sockets = [];
  const audits = [];
  let result;
  const forget = onInterrupt(() => {
    for (const s of sockets) if (existsSync(s)) unlinkSync(s);
    rmSync(shm, { recursive: true, force: true });
  });
  try {
    const variants = [{ name: 'plain' }, { name: 'authz', auditDir: join(base, 'authz-audit') }, ...(o.tmpfs ? [{ name: 'authz-tmpfs', auditDir: join(shm, 'audit') }] : [])];
    for (const v of variants) {
      const flags = [];
      if (v.auditDir) {
        const pluginName = `portcullis-bench-${v.name}-${process.pid}`;
        const config = join(base, `${v.name}.yaml`);
        writeFileSync(config, authzConfigYaml({ groupsFile: o.groupsFile, auditDir: v.auditDir, hmacKeyFile: join(base, `${v.name}.key`) }));
        sockets.push(`/run/docker/plugins/${pluginName}.sock`);
        audits.push({ name: v.name, dir: v.auditDir, key: join(base, `${v.name}.key`) });
        // The default socket, /run/docker/plugins/<name>.sock, is where dockerd looks the plugin up.
        plugins.push({ name: v.name, auditDir: v.auditDir, plugin: await startPlugin({ cli: o.cli, config, name: pluginName, log: join(base, `${v.name}-plugin.log`) }) });
        flags.push(`--authorization-plugin=${pluginName}`);
      }
      const d = await startDockerd(join(base, v.name), v.name, flags);
      daemons.push(d);
      await importBusybox(d, base, IMAGE);
    }
    const { mode, note } = await runMode(daemons[0]);
    // Warm-up: the CLI binary, dockerd's and the plugin's code paths, the page cache.
    await interleaved(daemons, 3, async (d) => (await timed(d.host, ['ps'])).ms);
    await interleaved(daemons, 2, (d) => oneRun(d, mode));
    const agents = new Map(daemons.map((d) => [d.name, new Agent({ keepAlive: true, maxSockets: 1 })]));
    const api = (d) => apiCall(agents.get(d.name), d.socket, '/v1.41/containers/json');
    await interleaved(daemons, 200, api);
    const apiMs = await metered(plugins, () => interleaved(daemons, o.apiRuns, api));
    for (const a of agents.values()) a.destroy();
    const ps = await metered(plugins, () => interleaved(daemons, o.psRuns, async (d) => (await timed(d.host, ['ps'])).ms));
    const runs = await metered(plugins, () => interleaved(daemons, o.runRuns, (d) => oneRun(d, mode)));
    const summary = (m) => Object.fromEntries(Object.entries(m.value).map(([k, v]) => [k, { median: median(v), p90: quantile(Float64Array.from(v).sort(), 0.9), samples: v.length }]));
    result = {
      docker: DOCKER,
      mode,
      note,
      api: summary(apiMs),
      ps: summary(ps),
      run: summary(runs),
      plugins: { api: apiMs.perPlugin, ps: ps.perPlugin, run: runs.perPlugin },
      pluginPeakRssKiB: plugins.map((p) => p.plugin.peakRssKiB()),
    };
  } finally {
    for (const d of daemons) await d.stop().catch(() => undefined);
    for (const p of plugins) await p.plugin.stop().catch(() => undefined);
    for (const s of sockets) if (existsSync(s)) unlinkSync(s);
    // Every request dockerd asked about is on record, and the chain verifies.
    if (result) result.audit = await Promise.all(audits.map(async (a) => ({ name: a.name, ...(await verifyAudit(o.cli, a.dir, a.key)) })));
    rmSync(shm, { recursive: true, force: true });
    if (!process.env.BENCH_KEEP) rmSync(base, { recursive: true, force: true });
    forget();
  }
  return result;
}
