// SBOM benchmark: portcullis vs the decompression floor, Syft and Trivy on one realistic
// multi-layer image (see image/Dockerfile), cold and warm cache, plus a second image that
// shares every layer, and an application image (image/Dockerfile.lang: > 20,000
// node_modules files, pip-installed Python packages, a Spring Boot fat jar, Go binaries)
// whose packages per ecosystem are checked against the ecosystems' own tools.
// All figures come from this one run; ratios and PASS/FAIL print last.
// Exit 0 even when a target fails (it is a measurement); 2 when the benchmark cannot run.
// Env: BENCH_RUNS (default 3), BENCH_PEER_RUNS (default 1), BENCH_SKIP_PEERS=1, BENCH_CLI,
// BENCH_KEEP=1 (keep the SBOMs in bench/.work/tmp), BENCH_ONLY=lang (the application image only).
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { debKeysOfFile, langKeysOfFile, npmLsKeys } from './count.mjs';
import { measure, median, run } from './measure.mjs';
import { report } from './report.mjs';
import { ALL_BUT_TIME, sameFiles } from './same.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const work = resolve(process.env.BENCH_WORK ?? join(repo, 'bench/.work'));
const cli = resolve(process.env.BENCH_CLI ?? join(repo, 'dist/src/cli/main.js'));
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PEER_RUNS = Number(process.env.BENCH_PEER_RUNS ?? 1);
const log = (s) => console.error(`[bench] ${s}`);

const images = {
  app1: { tag: 'portcullis-bench/app:1', oci: join(work, 'app1.oci.tar'), dockerGz: join(work, 'app1.docker-gz.tar') },
  app2: { tag: 'portcullis-bench/app:2', oci: join(work, 'app2.oci.tar'), dockerGz: join(work, 'app2.docker-gz.tar') },
  lang1: { tag: 'portcullis-bench/lang:1', oci: join(work, 'lang1.oci.tar'), dockerGz: join(work, 'lang1.docker-gz.tar') },
};
/** The application image's Node.js app: its path in the image and the host tree it was copied from. */
const NODE_APP = { dir: '/srv/node-app', host: join(work, 'lang-ctx', 'node-app') };
/** What the application image holds per ecosystem, written by build-image.sh (lang-truth.py). */
const LANG_TRUTH = join(work, 'lang1.truth.json');

function fail(msg) {
  console.error(`[bench] cannot run: ${msg}`);
  process.exit(2);
}

function findTool(name) {
  for (const p of [join(homedir(), 'go/bin', name), `/usr/local/bin/${name}`, `/usr/bin/${name}`]) if (existsSync(p)) return p;
  return undefined;
}

/** Reads the archive once so every tool starts with the same warm page cache. */
async function warmPageCache(file) {
  for await (const _ of createReadStream(file, { highWaterMark: 1 << 20 }));
}

function fresh(prefix) {
  mkdirSync(join(work, 'tmp'), { recursive: true });
  return mkdtempSync(join(work, 'tmp', `${prefix}-`));
}

function tail(s, n = 800) {
  return s.length > n ? `…${s.slice(-n)}` : s;
}

async function timed(label, cmd, args, opts) {
  const m = await measure(cmd, args, opts);
  log(`${label}: ${(m.ms / 1000).toFixed(2)} s (cpu ${(m.cpuMs / 1000).toFixed(2)} s), ${m.rssMB.toFixed(0)} MB, exit ${m.code}`);
  if (m.code !== 0) log(`${label} stderr: ${tail(m.stderr)}`);
  return m;
}

function summary(samples) {
  const ok = samples.filter((s) => s.code === 0);
  if (ok.length === 0) return { ok: false, ms: Number.NaN, rssMB: Number.NaN, error: tail(samples[0]?.stderr ?? '', 300) };
  return { ok: true, ms: median(ok.map((s) => s.ms)), cpuMs: median(ok.map((s) => s.cpuMs)), rssMB: Math.max(...ok.map((s) => s.rssMB)), runs: ok.length };
}

async function floor(archive, label = 'floor') {
  const samples = [];
  for (let i = 0; i < RUNS; i++) samples.push(await timed(`${label} #${i + 1}`, process.execPath, [join(here, 'floor.mjs'), archive]));
  const stats = samples[0]?.code === 0 ? JSON.parse(samples[0].stdout) : undefined;
  return { ...summary(samples), stats };
}

/** Ours: per iteration a fresh cache: cold app1, then app2 (shares app1's layers), then warm app1. */
async function ours(ref1, ref2) {
  if (!existsSync(cli)) return { missing: `${cli} not found (run npm run build)` };
  const cold = [];
  const shared = [];
  const warm = [];
  let out1;
  let same;
  for (let i = 0; i < RUNS; i++) {
    const cache = fresh('cache');
    const env = { ...process.env, PORTCULLIS_CACHE_DIR: cache };
    out1 = join(cache, '..', `ours-app1-${i}.json`);
    const out2 = join(cache, '..', `ours-app2-${i}.json`);
    const outWarm = join(cache, '..', `ours-app1-warm-${i}.json`);
    const sbom = (ref, out) => [cli, 'sbom', ref, '--format', 'json', '-o', out];
    cold.push(await timed(`ours cold #${i + 1}`, process.execPath, sbom(ref1, out1), { env }));
    if (cold.at(-1).code !== 0) break;
    shared.push(await timed(`ours shared-layers #${i + 1}`, process.execPath, sbom(ref2, out2), { env }));
    warm.push(await timed(`ours warm #${i + 1}`, process.execPath, sbom(ref1, outWarm), { env }));
    rmSync(cache, { recursive: true, force: true });
    // A cached scan must not change the answer: warm = cold in every field but the scan
    // time; app:2 only adds a layer no cataloger wants, so its packages are app:1's.
    if (i === 0) same = { warm: sameFiles(out1, outWarm, ALL_BUT_TIME), shared: sameFiles(out1, out2, ['os', 'packages', 'relationships']) };
  }
  return { cold: summary(cold), shared: summary(shared), warm: summary(warm), sbom: out1, same };
}

/**
 * The floor and ours cold (fresh cache each run) on one image, alternating, so that both
 * see the same load on a shared machine; each pair's ratio is kept to show the spread.
 */
async function floorAndOurs(archive, ref, label) {
  const floors = [];
  const cold = [];
  const pairs = [];
  let out;
  for (let i = 0; i < RUNS; i++) {
    floors.push(await timed(`${label} floor #${i + 1}`, process.execPath, [join(here, 'floor.mjs'), archive]));
    if (!existsSync(cli)) continue;
    const cache = fresh('cache');
    out = join(cache, '..', `ours-${label}-${i}.json`);
    cold.push(await timed(`ours ${label} cold #${i + 1}`, process.execPath, [cli, 'sbom', ref, '--format', 'json', '-o', out], { env: { ...process.env, PORTCULLIS_CACHE_DIR: cache } }));
    rmSync(cache, { recursive: true, force: true });
    if (cold.at(-1).code !== 0) break;
    if (floors.at(-1).code === 0) pairs.push({ wall: cold.at(-1).ms / floors.at(-1).ms, cpu: cold.at(-1).cpuMs / floors.at(-1).cpuMs });
  }
  const stats = floors[0]?.code === 0 ? JSON.parse(floors[0].stdout) : undefined;
  const ours = existsSync(cli) ? { cold: summary(cold), sbom: out } : { missing: `${cli} not found (run npm run build)` };
  return { floor: { ...summary(floors), stats }, ours, pairs };
}

/** The truth for the application's npm packages: `npm ls --all` over the very tree that was copied into the image. */
async function npmTruth() {
  if (!existsSync(join(NODE_APP.host, 'node_modules'))) return undefined;
  // `run` keeps only the tail of stdout; npm ls prints megabytes.
  const r = spawnSync('npm', ['ls', '--all', '--json'], { cwd: NODE_APP.host, encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
  try {
    return npmLsKeys(JSON.parse(r.stdout));
  } catch {
    return undefined;
  }
}

/** Counts the regular files under node_modules in the image's application layer. */
function nodeModulesFiles() {
  const r = spawnSync('find', [join(NODE_APP.host, 'node_modules'), '-type', 'f', '-printf', '.'], { encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
  return r.status === 0 ? r.stdout.length : undefined;
}

/** The truth per ecosystem: npm ls for npm, lang-truth.py's reading of the image for the rest. */
async function langTruth() {
  let file;
  try {
    file = JSON.parse(readFileSync(LANG_TRUTH, 'utf8'));
  } catch {
    file = {};
  }
  const set = (xs) => (Array.isArray(xs) ? new Set(xs) : undefined);
  return {
    keys: { npm: await npmTruth(), pypi: set(file.pypi), maven: set(file.maven), golang: set(file.golang) },
    notes: {
      pypiDirs: file.pypiDirs,
      mavenArchives: file.mavenArchives,
      mavenFromRepository: file.mavenFromRepository?.length,
      mavenUnidentified: file.mavenUnidentified,
      goBinaries: file.goBinaries?.length,
    },
  };
}

/** The application image: floor, ours cold, Syft, Trivy, and each tool's packages per ecosystem against the truth. */
async function langImage(transport, skipPeers) {
  const img = images.lang1;
  const path = transport === 'oci-archive' ? img.oci : await ensureDockerGz(img);
  const ref = `${transport}:${path}`;
  await warmPageCache(path);
  log(`application image ${ref} (${(statSync(path).size / 2 ** 20).toFixed(0)} MiB)`);
  const { floor: f, ours: o, pairs } = await floorAndOurs(path, ref, 'lang');
  const s = skipPeers ? { missing: 'skipped (BENCH_SKIP_PEERS=1)' } : await syft(ref, 'lang syft');
  const t = skipPeers ? { missing: 'skipped (BENCH_SKIP_PEERS=1)' } : await trivy(transport === 'docker-archive' ? path : await ensureDockerGz(img), 'lang trivy');
  const prefixes = { npm: `${NODE_APP.dir}/node_modules/` };
  const keys = {
    ours: o.sbom ? langKeysOfFile(o.sbom, prefixes) : undefined,
    syft: s.sbom ? langKeysOfFile(s.sbom, prefixes) : undefined,
    trivy: t.sbom ? langKeysOfFile(t.sbom, prefixes) : undefined,
  };
  return { ref, floor: f, ours: o, pairs, syft: s, trivy: t, keys, truth: await langTruth(), files: nodeModulesFiles() };
}

/** A Go binary's module version from its build info (go-installed binaries print none). */
async function moduleVersion(bin, module) {
  const info = await run('go', ['version', '-m', bin]).catch(() => ({ stdout: '' }));
  const line = info.stdout.split('\n').find((l) => l.split('\t')[2] === module);
  return line?.split('\t')[3] ?? '?';
}

async function syft(ref, label = 'syft') {
  const bin = findTool('syft');
  if (!bin) return { missing: 'syft not installed (go install github.com/anchore/syft/cmd/syft@<version> failed or not run)' };
  const version = await moduleVersion(bin, 'github.com/anchore/syft');
  const samples = [];
  let out;
  for (let i = 0; i < PEER_RUNS; i++) {
    out = join(fresh('syft'), 'syft.json');
    const env = { ...process.env, SYFT_CHECK_FOR_APP_UPDATE: 'false', TMPDIR: dirname(out) };
    samples.push(await timed(`${label} #${i + 1}`, bin, ['scan', ref, '-q', '-o', `syft-json=${out}`], { env }));
  }
  return { ...summary(samples), version, sbom: out };
}

async function trivy(archive, label = 'trivy') {
  const bin = findTool('trivy');
  if (!bin) return { missing: 'trivy not installed (its module build failed or was not run)' };
  const version = await moduleVersion(bin, 'github.com/aquasecurity/trivy');
  const samples = [];
  let out;
  for (let i = 0; i < PEER_RUNS; i++) {
    const dir = fresh('trivy');
    out = join(dir, 'trivy.cdx.json');
    // --format cyclonedx turns vulnerability scanning off, so no DB is needed; an empty
    // --cache-dir makes it a cold run like ours. Its jar analyzer needs the Java DB, which
    // cannot be downloaded here, so jars are skipped (reported beside the figures).
    const args = ['image', '--input', archive, '--format', 'cyclonedx', '--output', out, '--cache-dir', join(dir, 'cache'),
      '--skip-db-update', '--skip-java-db-update', '--offline-scan', '--skip-files', '**/*.jar', '--timeout', '60m', '--quiet'];
    samples.push(await timed(`${label} #${i + 1}`, bin, args));
  }
  return { ...summary(samples), version, sbom: out, input: `docker-archive:${archive}` };
}

/** The truth: what dpkg itself says is installed in the image. */
async function dpkgTruth(tag) {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own field syntax.
  const format = '${db:Status-Abbrev} ${binary:Package}\\n';
  const r = await run('docker', ['run', '--rm', '--network', 'none', '--entrypoint', 'dpkg-query', tag, '-W', '-f', format]);
  if (r.code !== 0) return undefined;
  return r.stdout.split('\n').filter((l) => l.startsWith('ii ')).length;
}

/** The gzip docker-archive of an image, made once from its `docker save` archive. */
async function ensureDockerGz(img) {
  const plain = img.oci.replace('.oci.tar', '.docker.tar');
  if (existsSync(img.dockerGz) && statSync(img.dockerGz).mtimeMs >= statSync(plain).mtimeMs) return img.dockerGz;
  log(`writing ${img.dockerGz} (once)`);
  const part = `${img.dockerGz}.part`;
  const res = await run(process.execPath, [join(here, 'gzip-docker-archive.mjs'), plain, part]);
  if (res.code !== 0) fail(`gzip-docker-archive: ${res.stderr}`);
  renameSync(part, img.dockerGz);
  await warmPageCache(img.dockerGz);
  return img.dockerGz;
}

/** Chooses the compressed input form our CLI accepts: oci-archive, else a gzip docker-archive. */
async function chooseInput(probe) {
  if (!existsSync(cli)) return 'oci-archive';
  const cache = fresh('probe');
  const r = await run(process.execPath, [cli, 'sbom', `oci-archive:${probe.oci}`, '--format', 'json', '-o', join(cache, 'probe.json')], {
    env: { ...process.env, PORTCULLIS_CACHE_DIR: cache },
  });
  rmSync(cache, { recursive: true, force: true });
  if (r.code === 0) return 'oci-archive';
  log(`our CLI does not read oci-archive (exit ${r.code}); falling back to a gzip docker-archive for every tool`);
  for (const img of Object.values(images)) if (existsSync(img.oci)) await ensureDockerGz(img);
  return 'docker-archive';
}

/** The Debian image: floor, ours cold/shared/warm, Syft, Trivy, and deb packages against dpkg. */
async function debianImage(transport, skipPeers) {
  const path1 = transport === 'oci-archive' ? images.app1.oci : images.app1.dockerGz;
  const path2 = transport === 'oci-archive' ? images.app2.oci : images.app2.dockerGz;
  const ref1 = `${transport}:${path1}`;
  const ref2 = `${transport}:${path2}`;
  await warmPageCache(path1);
  await warmPageCache(path2);

  log(`input ${ref1} (${(statSync(path1).size / 2 ** 20).toFixed(0)} MiB), ${RUNS} runs each (peers ${PEER_RUNS})`);
  const f = await floor(path1);
  const o = await ours(ref1, ref2);
  const s = skipPeers ? { missing: 'skipped (BENCH_SKIP_PEERS=1)' } : await syft(ref1);
  // Trivy reads a docker-archive or an OCI layout directory, not an oci-archive file: it
  // gets the same image as a docker-archive with gzip layers (a single file, as for us).
  const t = skipPeers ? { missing: 'skipped (BENCH_SKIP_PEERS=1)' } : await trivy(transport === 'docker-archive' ? path1 : await ensureDockerGz(images.app1));
  const truth = await dpkgTruth(images.app1.tag);

  const debs = {
    ours: o.sbom ? debKeysOfFile(o.sbom) : undefined,
    syft: s.sbom ? debKeysOfFile(s.sbom) : undefined,
    trivy: t.sbom ? debKeysOfFile(t.sbom) : undefined,
  };
  return { ref: ref1, floor: f, ours: o, syft: s, trivy: t, truth, debs };
}

async function main() {
  const only = process.env.BENCH_ONLY;
  if (only !== undefined && only !== 'lang') fail(`BENCH_ONLY=${only}: only "lang" (the application image) is known`);
  const wanted = only === 'lang' ? { lang1: images.lang1 } : images;
  for (const img of Object.values(wanted)) if (!existsSync(img.oci)) fail(`${img.oci} missing: run bench/sbom/build-image.sh`);
  if (!existsSync('/usr/bin/time')) fail('/usr/bin/time missing: apt-get install -y time');
  rmSync(join(work, 'tmp'), { recursive: true, force: true });

  const transport = await chooseInput(only === 'lang' ? images.lang1 : images.app2);
  const skipPeers = process.env.BENCH_SKIP_PEERS === '1';
  const debian = only === 'lang' ? undefined : await debianImage(transport, skipPeers);
  const lang = await langImage(transport, skipPeers);
  report({ debian, lang });
  // SBOMs and caches are large and would be linted as part of bench/; BENCH_KEEP=1 keeps them.
  if (process.env.BENCH_KEEP !== '1') rmSync(join(work, 'tmp'), { recursive: true, force: true });
}

await main();
