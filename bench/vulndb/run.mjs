// Vulnerability database benchmark (issue 4, "Performance"), one run, figures printed last:
//  1. `portcullis db build` over the whole real corpus (/work/shared/vulndata): advisories/s,
//     MB/s of input, peak RSS, and DB bytes per advisory (→ per 100k advisories), whole and
//     per feed;
//  2. matchInventory (dist/) over a synthetic 10,000-package inventory made of real advisory
//     package names (inventory.mjs): cold (fresh process and database) and warm;
//  3. `portcullis image` beside `osv-scanner scan image`, both offline on the same OSV records
//     (osv-db.mjs writes osv-scanner's all.zip layout; our DB is built from those very zips),
//     on the same docker-archive files: wall time, peak RSS, and the findings compared.
// Exit 0 even when a target fails (it is a measurement); 2 when the benchmark cannot run.
// Env: BENCH_RUNS (3), BENCH_PEER_RUNS (3), BENCH_SKIP_PEERS=1, BENCH_CLI, BENCH_VULNDATA,
// BENCH_WORK, BENCH_PROFILE=1 (CPU profile of one cold match), BENCH_KEEP=1,
// BENCH_ONLY=match (part 2 alone, on the DB and inventories of an earlier run when present),
// BENCH_BASELINE_DIST=<dist dir> (findings compared finding by finding with that build's),
// BENCH_RECORD_FINDINGS=1 (record this run's findings hashes in expected-findings.json).
import { copyFileSync, createReadStream, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { cpus, homedir, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure, median, run } from '../sbom/measure.mjs';
import { compareFindings, countByEcosystem, groupDifferences, oursFindings, oursInventory, theirsFindings, theirsInventory } from './compare.mjs';
import { checkFindings, readRecorded, writeRecorded } from './findings-check.mjs';
import { diffFindings, sha256 } from './findings-diff.mjs';
import { buildOsvScannerDb } from './osv-db.mjs';
import { summarizeProfile } from './profile.mjs';
import { report } from './report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const work = join(resolve(process.env.BENCH_WORK ?? join(repo, 'bench/.work')), 'vulndb');
const cli = resolve(process.env.BENCH_CLI ?? join(repo, 'dist/src/cli/main.js'));
const dist = resolve(dirname(cli), '../..');
const vulndata = resolve(process.env.BENCH_VULNDATA ?? '/work/shared/vulndata');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PEER_RUNS = Number(process.env.BENCH_PEER_RUNS ?? 3);
const ONLY = process.env.BENCH_ONLY ?? '';
const BASELINE = process.env.BENCH_BASELINE_DIST ? resolve(process.env.BENCH_BASELINE_DIST) : undefined;
const RECORDED = join(here, 'expected-findings.json');
const log = (s) => console.error(`[bench] ${s}`);

/** Each feed's directory as `db build` gets it: the corpus as published (symlinked), except
 * KEV (only the catalog JSON, not its CSV twin) and UCT (the .tar.xz unpacked to a .tar, which
 * is what the ubuntu feed's snapshot download is; it does not read xz). */
const FEEDS = [
  { id: 'alpine', link: 'alpine/secdb-yaml' },
  { id: 'debian', link: 'debian' },
  { id: 'kev', copy: 'kev/known_exploited_vulnerabilities.json' },
  { id: 'nswg', link: 'npm/nodejs-security-wg' },
  { id: 'osv', link: 'osv' },
  { id: 'rubysec', link: 'rubysec' },
  { id: 'ubuntu', unxz: 'ubuntu/uct-full-2021-03-06.tar.xz' },
];

function fail(msg) {
  console.error(`[bench] cannot run: ${msg}`);
  process.exit(2);
}

function tail(s, n = 600) {
  return s.length > n ? `…${s.slice(-n)}` : s;
}

function fresh(prefix) {
  mkdirSync(join(work, 'tmp'), { recursive: true });
  return mkdtempSync(join(work, 'tmp', `${prefix}-`));
}

async function warmPageCache(file) {
  for await (const _ of createReadStream(file, { highWaterMark: 1 << 20 }));
}

async function timed(label, cmd, args, opts, okCodes = [0]) {
  const m = await measure(cmd, args, opts);
  log(`${label}: ${(m.ms / 1000).toFixed(2)} s, ${m.rssMB.toFixed(0)} MB, exit ${m.code}`);
  if (!okCodes.includes(m.code)) log(`${label} stderr: ${tail(m.stderr)}`);
  return { ...m, ok: okCodes.includes(m.code) };
}

function summary(samples) {
  const ok = samples.filter((s) => s.ok);
  if (ok.length === 0) return { ok: false, ms: Number.NaN, rssMB: Number.NaN, error: tail(samples[0]?.stderr ?? 'not run', 300) };
  return { ok: true, ms: median(ok.map((s) => s.ms)), rssMB: Math.max(...ok.map((s) => s.rssMB)), runs: ok.length };
}

/** Bytes and files under a directory (following the top-level symlink). */
function sizeOf(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return { bytes: st.size, files: 1 };
  let bytes = 0;
  let files = 0;
  for (const e of readdirSync(path, { withFileTypes: true })) {
    const s = sizeOf(join(path, e.name));
    bytes += s.bytes;
    files += s.files;
  }
  return { bytes, files };
}

/** Removes a symlink without following it (never deletes or writes into the corpus it points to). */
function unlinkIfSymlink(p) {
  try {
    if (lstatSync(p).isSymbolicLink()) unlinkSync(p);
  } catch {
    // absent
  }
}

async function prepareFeeds() {
  const root = join(work, 'feeds');
  mkdirSync(root, { recursive: true });
  const out = [];
  for (const f of FEEDS) {
    const dir = join(root, f.id);
    unlinkIfSymlink(dir);
    if (f.link) {
      const target = join(vulndata, f.link);
      if (!existsSync(target)) fail(`${target} missing (BENCH_VULNDATA?)`);
      rmSync(dir, { recursive: true, force: true }); // a real directory of ours, from an older layout
      symlinkSync(target, dir);
    } else {
      mkdirSync(dir, { recursive: true });
      // Files are written only into our own work directory, never through a link into the corpus.
      if (!realpathSync(dir).startsWith(realpathSync(work))) fail(`${dir} is not inside ${work}`);
      if (f.copy) copyFileSync(join(vulndata, f.copy), join(dir, f.copy.split('/').at(-1)));
      if (f.unxz) {
        const tar = join(dir, f.unxz.split('/').at(-1).replace(/\.xz$/, ''));
        if (!existsSync(tar)) {
          log(`unpacking ${f.unxz} (xz → tar, once)`);
          const r = await run('sh', ['-c', 'xz -dc "$0" > "$1.part" && mv "$1.part" "$1"', join(vulndata, f.unxz), tar]);
          if (r.code !== 0) fail(`xz -dc ${f.unxz}: ${r.stderr}`);
        }
      }
    }
    out.push({ id: f.id, dir, ...sizeOf(dir) });
  }
  return { root, feeds: out };
}

async function dbStatus(db) {
  const r = await run(process.execPath, [cli, 'db', 'status', '--db', db, '--json']);
  try {
    return JSON.parse(r.stdout);
  } catch {
    return undefined;
  }
}

/** `db build` of the whole corpus, then of each feed alone (for the per-feed bytes and speed). */
async function buildBench(feeds) {
  const wholeDb = join(work, 'full.db');
  const whole = await timed('db build (all feeds)', process.execPath, [cli, 'db', 'build', feeds.root, '--db', wholeDb]);
  const status = whole.ok ? await dbStatus(wholeDb) : undefined;
  const perFeed = [];
  for (const f of feeds.feeds) {
    const db = join(work, `feed-${f.id}.db`);
    const m = await timed(`db build --feed ${f.id}`, process.execPath, [cli, 'db', 'build', '--feed', `${f.id}=${f.dir}`, '--db', db]);
    const st = m.ok ? await dbStatus(db) : undefined;
    const src = st?.sources?.find((s) => s.id === f.id);
    perFeed.push({ id: f.id, ms: m.ms, rssMB: m.rssMB, ok: m.ok, inputBytes: f.bytes, files: f.files, advisories: src?.advisories ?? Number.NaN, kev: src?.kev ?? 0, dbBytes: m.ok ? statSync(db).size : Number.NaN, affected: st?.affected ?? Number.NaN });
    rmSync(db, { force: true });
  }
  return {
    ...whole,
    db: wholeDb,
    dbBytes: whole.ok ? statSync(wholeDb).size : Number.NaN,
    advisories: status?.advisories ?? Number.NaN,
    affected: status?.affected ?? Number.NaN,
    kev: (status?.sources ?? []).reduce((n, s) => n + (s.kev ?? 0), 0),
    sources: status?.sources ?? [],
    inputBytes: feeds.feeds.reduce((n, f) => n + f.bytes, 0),
    inputFiles: feeds.feeds.reduce((n, f) => n + f.files, 0),
    perFeed,
  };
}

/**
 * BENCH_RUNS match processes over one inventory file; medians. Their findings are checked
 * (findings-check.mjs): the same in every process, the recorded ones for the recorded inventory,
 * and with BENCH_BASELINE_DIST the baseline build's, finding by finding.
 */
async function matchRuns(db, inv, label, key) {
  const samples = [];
  const oursOut = join(work, 'tmp', `findings-${key}.jsonl`);
  mkdirSync(dirname(oursOut), { recursive: true });
  for (let i = 0; i < RUNS; i++) {
    const env = { ...process.env, ...(i === 0 && BASELINE ? { BENCH_FINDINGS_OUT: oursOut } : {}) };
    const m = await timed(`match ${label} #${i + 1}`, process.execPath, [join(here, 'match.mjs'), dist, db, inv, '3'], { env });
    if (m.ok) {
      try {
        m.result = JSON.parse(m.stdout.trim().split('\n').at(-1));
      } catch {
        m.ok = false;
      }
    }
    samples.push(m);
    if (!m.ok) break;
  }
  const ok = samples.filter((s) => s.ok);
  if (ok.length === 0) return { ok: false, error: tail(samples[0]?.stderr ?? '', 300) };
  const r = ok[0].result;
  const inventorySha256 = sha256(readFileSync(inv));
  const check = checkFindings(inventorySha256, ok.map((s) => s.result.findingsSha256), readRecorded(RECORDED)[key]);
  log(`match ${label}: findings sha256 ${check.sha256 ?? 'differs between runs'} (${check.verdict})`);
  return {
    ok: true,
    runs: ok.length,
    packages: r.packages,
    openMs: median(ok.map((s) => s.result.openMs)),
    coldMs: median(ok.map((s) => s.result.coldMs)),
    coldCpuMs: median(ok.map((s) => s.result.coldCpuMs)),
    coldMainCpuMs: median(ok.map((s) => s.result.coldMainCpuMs)),
    coldSpread: [Math.min(...ok.map((s) => s.result.coldMs)), Math.max(...ok.map((s) => s.result.coldMs))],
    warmMs: median(ok.flatMap((s) => s.result.warmMs)),
    rssMB: Math.max(...ok.map((s) => s.rssMB)),
    findings: r.findings,
    packagesWithFindings: r.packagesWithFindings,
    findingsByType: r.findingsByType,
    problems: r.problems,
    skipped: r.skipped,
    inventorySha256,
    check,
    baseline: BASELINE ? await baselineDiff(db, inv, label, key, oursOut) : undefined,
  };
}

/** The baseline build's cold match of the same inventory, its findings diffed with ours. */
async function baselineDiff(db, inv, label, key, oursOut) {
  const out = join(work, 'tmp', `findings-${key}-baseline.jsonl`);
  const m = await timed(`match ${label} (baseline ${BASELINE})`, process.execPath, [join(here, 'match.mjs'), BASELINE, db, inv, '0'], { env: { ...process.env, BENCH_FINDINGS_OUT: out } });
  if (!m.ok || !existsSync(out) || !existsSync(oursOut)) return { ok: false, error: tail(m.stderr, 300) };
  const result = JSON.parse(m.stdout.trim().split('\n').at(-1));
  return { ok: true, coldMs: result.coldMs, coldCpuMs: result.coldCpuMs, ...diffFindings(readFileSync(out, 'utf8'), readFileSync(oursOut, 'utf8')) };
}

/**
 * The realistic inventory: the packages of a real image's SBOM (`portcullis sbom`, untimed)
 * copied to 10,000 (inventory.mjs --from-sbom). The image is the one the end-to-end part scans.
 */
async function realisticMatch(db) {
  const inv = join(work, 'inventory-real-10k.json');
  if (ONLY === 'match' && existsSync(inv)) {
    // Match-only runs reuse the realistic inventory of an earlier run (no image, no SBOM).
    log(`realistic inventory: reusing ${inv}`);
    const made = JSON.parse(readFileSync(inv, 'utf8'));
    return { ...(await matchRuns(db, inv, 'real 10k', 'real')), image: 'earlier run', distinct: made.distinct, count: made.count };
  }
  const lang = await languageImage();
  if (!lang) return { ok: false, error: 'no language image to take an SBOM from' };
  const sbom = join(work, 'tmp', 'real-sbom.json');
  mkdirSync(dirname(sbom), { recursive: true });
  const s = await run(process.execPath, [cli, 'sbom', `docker-archive:${lang.path}`, '--format', 'json', '--output', sbom]);
  if (s.code !== 0 || !existsSync(sbom)) return { ok: false, error: `portcullis sbom failed: ${tail(s.stderr, 300)}` };
  const gen = await run(process.execPath, [join(here, 'inventory.mjs'), '--from-sbom', inv, sbom]);
  if (gen.code !== 0) return { ok: false, error: tail(gen.stderr, 300) };
  const made = JSON.parse(gen.stdout);
  return { ...(await matchRuns(db, inv, 'real 10k', 'real')), image: lang.name, distinct: made.distinct, count: made.count };
}

async function matchBench(db) {
  const inv = join(work, 'inventory-10k.json');
  const gen = await run(process.execPath, [join(here, 'inventory.mjs'), db, inv]);
  if (gen.code !== 0) return { ok: false, error: tail(gen.stderr, 300) };
  const mix = JSON.parse(gen.stdout);
  const worst = await matchRuns(db, inv, 'worst 10k', 'worst');
  if (!worst.ok) return { ...worst, mix };
  let profile;
  if (process.env.BENCH_PROFILE === '1') {
    const dir = fresh('prof');
    await run(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, join(here, 'match.mjs'), dist, db, inv, '0'], { env: { ...process.env, BENCH_DIGEST: '0' } });
    const file = readdirSync(dir).find((n) => n.endsWith('.cpuprofile'));
    if (file) profile = summarizeProfile(join(dir, file), 12);
  }
  const real = await realisticMatch(db);
  if (process.env.BENCH_RECORD_FINDINGS === '1') {
    const entry = (m) => (m?.ok && m.check.sha256 ? { inventorySha256: m.inventorySha256, findings: m.findings, findingsSha256: m.check.sha256 } : undefined);
    writeRecorded(RECORDED, { worst: entry(worst), real: entry(real) }, `recorded by bench/vulndb/run.sh on ${new Date().toISOString().slice(0, 10)}, node ${process.version}`);
    log(`recorded the findings hashes in ${RECORDED}`);
  }
  return { ...worst, mix, profile, real };
}

function findTool(name) {
  for (const p of [join(homedir(), 'go/bin', name), `/usr/local/bin/${name}`, `/usr/bin/${name}`]) if (existsSync(p)) return p;
  return undefined;
}

/** The images both tools read, as docker-archive files (what osv-scanner's --archive takes). */
async function prepareImages() {
  const images = [];
  const demoOci = join(repo, 'examples/images/demo.oci.tar');
  const demo = join(work, 'demo.docker.tar');
  if (existsSync(demoOci)) {
    if (!existsSync(demo) || statSync(demo).mtimeMs < statSync(demoOci).mtimeMs) {
      log('converting examples/images/demo.oci.tar to a docker-archive (skopeo copy)');
      const r = await run('skopeo', ['copy', '-q', `oci-archive:${demoOci}`, `docker-archive:${demo}.part:portcullis-example/demo:1`]);
      rmSync(demo, { force: true });
      if (r.code === 0) await run('mv', [`${demo}.part`, demo]);
      else log(`skopeo copy failed: ${tail(r.stderr, 300)}`);
    }
    if (existsSync(demo)) images.push({ name: 'demo', desc: 'examples/images/demo.oci.tar (distroless Debian 12, npm app, Go binary)', path: demo });
  }
  const lang = await languageImage();
  if (lang) images.push(lang);
  return images;
}

/**
 * The language-package image: the test suite's Debian app image (portcullis-test/app-languages,
 * newest tag) saved once per image id; else bench/sbom's node image archive when it was built.
 */
async function languageImage() {
  const ls = await run('docker', ['images', 'portcullis-test/app-languages', '--format', '{{.CreatedAt}}\t{{.Repository}}:{{.Tag}}\t{{.ID}}']);
  const newest = ls.code === 0 ? ls.stdout.split('\n').filter(Boolean).sort().at(-1) : undefined;
  if (newest) {
    const [, tag, id] = newest.split('\t');
    const path = join(work, 'app-languages.docker.tar');
    const idFile = `${path}.id`;
    if (!existsSync(path) || !existsSync(idFile) || readFileSync(idFile, 'utf8') !== id) {
      log(`docker save ${tag} (once per image id)`);
      rmSync(path, { force: true });
      const r = await run('docker', ['save', tag, '-o', `${path}.part`]);
      if (r.code !== 0) {
        log(`docker save failed: ${tail(r.stderr, 300)}`);
        return undefined;
      }
      await run('mv', [`${path}.part`, path]);
      writeFileSync(idFile, id);
    }
    return { name: 'app-languages', desc: `${tag} (Debian 12: python3-requests/jinja2/cryptography, ruby-rack, skopeo, pip urllib3 1.26.5, gem rack 2.1.4, npm app)`, path };
  }
  const lang = join(work, '..', 'lang1.docker.tar');
  if (existsSync(lang)) return { name: 'lang', desc: 'portcullis-bench/lang:1 from bench/sbom (Debian 12; 566 npm packages, a pip venv, a Spring Boot fat jar, Go binaries)', path: lang };
  log('no language image: run `npx vitest run test/e2e/sbom-languages.test.ts` (builds portcullis-test/app-languages) or bench/sbom/build-image.sh');
  return undefined;
}

async function osvScannerVersion(bin) {
  const r = await run(bin, ['--version']);
  return /osv-scanner version: (\S+)/.exec(r.stdout)?.[1] ?? '?';
}

async function e2eImage(img, ourDb, osvDbRoot, osvBin) {
  await warmPageCache(img.path);
  log(`image ${img.name}: ${img.path} (${(statSync(img.path).size / 2 ** 20).toFixed(0)} MiB)`);
  const ref = `docker-archive:${img.path}`;
  const ours = [];
  const noCache = [];
  let oursOut;
  for (let i = 0; i < RUNS; i++) {
    const dir = fresh(`ours-${img.name}`);
    oursOut = join(dir, 'scan.json');
    // An empty layer cache each run: a user's first scan (the default writes the cache);
    // osv-scanner caches nothing. Then the same scan with --no-cache (nothing written).
    const env = { ...process.env, PORTCULLIS_CACHE_DIR: join(dir, 'cache') };
    const args = [cli, 'image', ref, '--db', ourDb, '--offline', '--format', 'json'];
    ours.push(await timed(`ours ${img.name} #${i + 1}`, process.execPath, [...args, '-o', oursOut], { env }));
    if (!ours.at(-1).ok) break;
    noCache.push(await timed(`ours --no-cache ${img.name} #${i + 1}`, process.execPath, [...args, '--no-cache', '-o', join(dir, 'scan-no-cache.json')], { env }));
  }
  // Our inventory (not timed), to say why a finding is only osv-scanner's.
  const sbomDir = fresh(`sbom-${img.name}`);
  const sbomOut = join(sbomDir, 'sbom.json');
  const sb = await run(process.execPath, [cli, 'sbom', ref, '--format', 'json', '-o', sbomOut], { env: { ...process.env, PORTCULLIS_CACHE_DIR: join(sbomDir, 'cache') } });
  const theirs = [];
  let theirsOut;
  if (osvBin) {
    for (let i = 0; i < PEER_RUNS; i++) {
      theirsOut = join(fresh(`osv-${img.name}`), 'osv.json');
      // Exit 1 means "vulnerabilities found"; 128+ are errors.
      const args = ['scan', 'image', '--archive', '--offline', '--format', 'json', '--all-packages', '--output', theirsOut, img.path];
      theirs.push(await timed(`osv-scanner ${img.name} #${i + 1}`, osvBin, args, { env: { ...process.env, OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY: osvDbRoot } }, [0, 1]));
      if (!theirs.at(-1).ok) break;
    }
  }
  const read = (f) => (f && existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : undefined);
  const oursDoc = ours.some((s) => s.ok) ? read(oursOut) : undefined;
  const theirsDoc = theirs.some((s) => s.ok) ? read(theirsOut) : undefined;
  const oursSbom = sb.code === 0 ? read(sbomOut) : undefined;
  let cmp;
  if (oursDoc && theirsDoc) {
    const o = oursFindings(oursDoc);
    const t = theirsFindings(theirsDoc);
    const oInv = oursSbom ? oursInventory(oursSbom) : undefined;
    const tInv = theirsInventory(theirsDoc);
    const c = compareFindings(o, t, oInv, tInv);
    const oursPackages = oInv ? `${oInv.keys.size} (${countByEcosystem(oInv.keys)})` : 'n/a';
    const theirsPackages = `${tInv.keys.size} (${countByEcosystem(tInv.keys)})`;
    const unloaded = [...new Set([...(theirs.at(-1)?.stderr ?? '').matchAll(/could not load db for (\S+) ecosystem/g)].map((m) => m[1]))];
    cmp = { ...c, ours: o.records.size, theirs: t.records.size, oursFindings: o.findings, theirsRows: t.rows, groupDiffs: groupDifferences(o, t), oursPackages, theirsPackages, unloaded };
  }
  return { ...img, ours: summary(ours), oursNoCache: summary(noCache), theirs: osvBin ? summary(theirs) : { missing: 'osv-scanner not installed' }, cmp };
}

async function e2eBench() {
  const osvDbRoot = join(work, 'osvdb');
  rmSync(osvDbRoot, { recursive: true, force: true });
  const osv = buildOsvScannerDb(join(vulndata, 'osv'), osvDbRoot);
  log(`osv-scanner offline DB: ${JSON.stringify(osv.ecosystems)} (${osv.problems.length} problems)`);
  const ourDb = join(work, 'osv-only.db');
  const build = await timed('db build --feed osv=<osv-scanner zips>', process.execPath, [cli, 'db', 'build', '--feed', `osv=${join(osvDbRoot, 'osv-scanner')}`, '--db', ourDb]);
  const st = build.ok ? await dbStatus(ourDb) : undefined;
  const skipPeers = process.env.BENCH_SKIP_PEERS === '1';
  const osvBin = skipPeers ? undefined : findTool('osv-scanner');
  const version = osvBin ? await osvScannerVersion(osvBin) : undefined;
  const images = await prepareImages();
  const results = [];
  for (const img of images) results.push(await e2eImage(img, ourDb, osvDbRoot, osvBin));
  return {
    osv,
    ourDb: { ...build, advisories: st?.advisories ?? Number.NaN },
    peer: osvBin ? { bin: osvBin, version } : { missing: skipPeers ? 'skipped (BENCH_SKIP_PEERS=1)' : 'osv-scanner not installed (go build of github.com/google/osv-scanner/v2 failed or was not run)' },
    images: results,
  };
}

function machine() {
  const c = cpus();
  return { cpu: `${c.length} × ${c[0]?.model ?? '?'}`, memGB: totalmem() / 2 ** 30, node: process.version, load: loadavg() };
}

/** BENCH_ONLY=match: the whole-corpus DB of an earlier run when this build reads it, else a new one. */
async function existingDb(feeds) {
  const db = join(work, 'full.db');
  if (existsSync(db) && (await dbStatus(db))) {
    log(`database: reusing ${db}`);
    return db;
  }
  const m = await timed('db build (all feeds)', process.execPath, [cli, 'db', 'build', feeds.root, '--db', db]);
  return m.ok ? db : undefined;
}

async function main() {
  if (!existsSync(cli)) fail(`${cli} missing: npm run build`);
  if (!existsSync('/usr/bin/time')) fail('/usr/bin/time missing: apt-get install -y time');
  if (!existsSync(vulndata)) fail(`${vulndata} missing (BENCH_VULNDATA)`);
  mkdirSync(work, { recursive: true });
  rmSync(join(work, 'tmp'), { recursive: true, force: true });
  const m0 = machine();
  const feeds = await prepareFeeds();
  if (ONLY === 'match') {
    const db = await existingDb(feeds);
    const match = db ? await matchBench(db) : { ok: false, error: 'the database build failed' };
    report({ machine: { ...m0, loadEnd: loadavg() }, runs: RUNS, peerRuns: PEER_RUNS, match, only: 'match' });
  } else {
    const build = await buildBench(feeds);
    const match = build.ok ? await matchBench(build.db) : { ok: false, error: 'the database build failed' };
    const e2e = await e2eBench();
    report({ machine: { ...m0, loadEnd: loadavg() }, runs: RUNS, peerRuns: PEER_RUNS, build, match, e2e });
  }
  if (process.env.BENCH_KEEP !== '1') rmSync(join(work, 'tmp'), { recursive: true, force: true });
}

await main();
