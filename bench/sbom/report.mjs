// Prints the benchmark's figures: details first, then ratios against the targets with
// PASS/FAIL, last, so the end of the log is the answer.
const TARGETS = {
  floor: 1.3, // ours cold ≤ 1.3 × the zlib floor
  peers: 1.0, // faster than Syft and Trivy
  rssMB: 200, // peak RSS of ours
  second: 0.1, // warm / shared-layers run ≤ 10 % of the cold run
};

const sec = (ms) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : 'n/a');
const mb = (x) => (Number.isFinite(x) ? `${x.toFixed(0)} MB` : 'n/a');
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : Number.NaN);
const fmt = (r) => (Number.isFinite(r) ? `${r.toFixed(3)}×` : 'n/a');

function verdict(value, ok, why) {
  if (!Number.isFinite(value)) return `NOT RUN${why ? ` (${why})` : ''}`;
  return ok ? 'PASS' : 'FAIL';
}

function line(label, value, target, pass, why) {
  console.log(`  ${label.padEnd(28)} ${value.padStart(10)}   target ${target.padEnd(10)} ${verdict(Number.parseFloat(value), pass, why)}`);
}

function why(x) {
  if (x.missing) return x.missing;
  if (x.ok === false) return `failed: ${x.error?.split('\n').filter(Boolean).at(-1) ?? ''}`;
  return undefined;
}

function diff(a, b) {
  if (!a || !b) return '';
  const names = (s) => new Set([...s].map((k) => k.split(':')[0]));
  const [na, nb] = [names(a), names(b)];
  const only = (x, y) => [...x].filter((n) => !y.has(n)).sort();
  const [oa, ob] = [only(na, nb), only(nb, na)];
  const show = (xs) => (xs.length ? `${xs.length} (${xs.slice(0, 8).join(', ')}${xs.length > 8 ? ', …' : ''})` : '0');
  return `only ours: ${show(oa)}; only peer: ${show(ob)}`;
}

/** name@version sets: how many, and which keys only one side has. */
function keyDiff(a, b, nameA, nameB) {
  if (!a || !b) return '';
  const only = (x, y) => [...x].filter((k) => !y.has(k)).sort();
  const show = (xs) => (xs.length ? `${xs.length} (${xs.slice(0, 6).join(', ')}${xs.length > 6 ? ', …' : ''})` : '0');
  return `only ${nameA}: ${show(only(a, b))}; only ${nameB}: ${show(only(b, a))}`;
}

const sameSet = (a, b) => Boolean(a && b && a.size === b.size && [...b].every((k) => a.has(k)));

const TRUTH_SOURCE = {
  npm: 'npm ls --all over the copied tree',
  pypi: 'importlib.metadata over site-/dist-packages',
  maven: 'pom.properties, else the bytes in a Maven repository layout',
  golang: 'go version -m',
};

function langDetails(lang) {
  const cold = lang.ours.cold ?? { ms: Number.NaN, rssMB: Number.NaN };
  const row = (name, x, note = '') =>
    console.log(`  ${name.padEnd(24)} ${sec(x.ms).padStart(9)}  ${mb(x.rssMB).padStart(7)}  ${note || why(x) || ''}`);
  console.log('');
  console.log('=== application image (node_modules, pip packages, jars, Go binaries) ===');
  console.log(`image: ${lang.ref}`);
  const st = lang.floor.stats;
  if (st) console.log(`layers: ${st.layers}, compressed ${(st.compressedBytes / 2 ** 20).toFixed(1)} MiB, uncompressed ${(st.uncompressedBytes / 2 ** 20).toFixed(1)} MiB`);
  console.log(`files under the application's node_modules: ${lang.files ?? 'n/a'}`);
  row('floor (zlib gunzip)', lang.floor);
  row('ours cold', cold, why(lang.ours) ?? why(cold));
  row(`syft ${lang.syft.version ?? ''}`.trim(), lang.syft);
  row(`trivy ${lang.trivy.version ?? ''}`.trim(), lang.trivy);
  if (lang.pairs.length > 0) {
    // Floor and ours alternate, so each pair saw about the same load on a shared machine.
    const spread = (xs) => `${xs.map((r) => r.toFixed(3)).join(', ')} (min ${Math.min(...xs).toFixed(3)}, max ${Math.max(...xs).toFixed(3)})`;
    console.log(`  ours/floor per run, wall time: ${spread(lang.pairs.map((p) => p.wall))}`);
    console.log(`  ours/floor per run, CPU time (user+sys): ${spread(lang.pairs.map((p) => p.cpu))}`);
  }
  if (lang.trivy.input) console.log("  (trivy runs with --skip-files '**/*.jar': it reports no maven packages)");

  const { keys, truth } = lang;
  const n = (s) => (s ? String(s.size) : 'n/a');
  console.log('packages per ecosystem (unique name@version; npm: under /srv/node-app/node_modules/):');
  console.log(`  ${'type'.padEnd(7)} ${'truth'.padStart(6)} ${'ours'.padStart(6)} ${'syft'.padStart(6)} ${'trivy'.padStart(6)}   truth from`);
  for (const type of Object.keys(TRUTH_SOURCE)) {
    const cells = [truth.keys[type], keys.ours?.[type], keys.syft?.[type], keys.trivy?.[type]].map((x) => n(x).padStart(6));
    console.log(`  ${type.padEnd(7)} ${cells.join(' ')}   ${TRUTH_SOURCE[type]}`);
  }
  const t = truth.notes;
  if (t.pypiDirs) console.log(`  pypi read from: ${t.pypiDirs.map((d) => `/${d}`).join(', ')}`);
  if (t.mavenArchives !== undefined) {
    const unknown = t.mavenUnidentified ?? [];
    console.log(`  maven: ${t.mavenArchives} archives (nested included), ${t.mavenFromRepository ?? 0} named by a Maven repository, ${unknown.length} by neither${unknown.length ? ` (${unknown.slice(0, 3).join(', ')})` : ''}`);
  }
  if (t.goBinaries !== undefined) console.log(`  golang: ${t.goBinaries} Go binaries`);
  for (const type of Object.keys(TRUTH_SOURCE)) {
    for (const tool of ['ours', 'syft', 'trivy']) {
      const got = keys[tool]?.[type];
      if (got && truth.keys[type] && !sameSet(got, truth.keys[type])) console.log(`  ${type} ${tool} vs truth: ${keyDiff(got, truth.keys[type], tool, 'truth')}`);
    }
  }
}

function langResults(lang) {
  const cold = lang.ours.cold ?? { ms: Number.NaN, rssMB: Number.NaN };
  const oursWhy = why(lang.ours) ?? why(cold);
  console.log('  application image:');
  const rFloor = ratio(cold.ms, lang.floor.ms);
  const rSyft = ratio(cold.ms, lang.syft.ms);
  const rTrivy = ratio(cold.ms, lang.trivy.ms);
  line('lang ours/floor', fmt(rFloor), `≤ ${TARGETS.floor}×`, rFloor <= TARGETS.floor, oursWhy);
  const rCpu = ratio(cold.cpuMs, lang.floor.cpuMs);
  console.log(`  ${'lang ours/floor CPU time'.padEnd(28)} ${fmt(rCpu).padStart(10)}   (user+sys medians, for a loaded machine; not the target)`);
  line('lang ours/syft', fmt(rSyft), `< ${TARGETS.peers}×`, rSyft < TARGETS.peers, oursWhy ?? why(lang.syft));
  line('lang ours/trivy', fmt(rTrivy), `< ${TARGETS.peers}×`, rTrivy < TARGETS.peers, oursWhy ?? why(lang.trivy));
  line('lang ours peak RSS', mb(cold.rssMB), `≤ ${TARGETS.rssMB} MB`, cold.rssMB <= TARGETS.rssMB, oursWhy);
  const files = lang.files ?? Number.NaN;
  line('node_modules files', String(files), '≥ 20000', files >= 20000, 'tree not found');
  for (const type of Object.keys(TRUTH_SOURCE)) {
    const truth = lang.truth.keys[type];
    // The image must really hold every ecosystem: an empty truth is a broken build.
    const got = lang.keys.ours?.[type]?.size ?? Number.NaN;
    const ok = Boolean(truth && truth.size > 0) && sameSet(lang.keys.ours?.[type], truth);
    line(`lang ours ${type} = truth`, String(got), `= ${truth?.size ?? '?'}`, ok, oursWhy ?? (truth ? undefined : 'no truth'));
  }
  for (const peer of ['syft', 'trivy']) {
    const counts = Object.keys(TRUTH_SOURCE).map((type) => `${type} ${lang.keys[peer]?.[type]?.size ?? 'n/a'}`);
    console.log(`  ${`lang ${peer} (for comparison)`.padEnd(28)} ${counts.join(', ')}`);
  }
}

function debianDetails({ ref, floor, ours, syft, trivy, truth, debs }) {
  const cold = ours.cold ?? { ms: Number.NaN, rssMB: Number.NaN };
  const warm = ours.warm ?? { ms: Number.NaN, rssMB: Number.NaN };
  const shared = ours.shared ?? { ms: Number.NaN, rssMB: Number.NaN };
  const oursWhy = why(ours) ?? why(cold);
  const st = floor.stats;

  console.log('');
  console.log('=== SBOM benchmark ===');
  console.log(`image: ${ref}`);
  if (st) {
    console.log(
      `layers: ${st.layers}, compressed ${(st.compressedBytes / 2 ** 20).toFixed(1)} MiB, uncompressed ${(st.uncompressedBytes / 2 ** 20).toFixed(1)} MiB`,
    );
  }
  console.log('');
  console.log('times (median) and peak RSS (max over runs):');
  const row = (name, x, note = '') =>
    console.log(`  ${name.padEnd(24)} ${sec(x.ms).padStart(9)}  ${mb(x.rssMB).padStart(7)}  ${note || why(x) || ''}`);
  row('floor (zlib gunzip)', floor);
  row('ours cold', cold, oursWhy);
  row('ours warm (same image)', warm, oursWhy);
  row('ours shared layers', shared, oursWhy);
  row(`syft ${syft.version ?? ''}`.trim(), syft);
  row(`trivy ${trivy.version ?? ''}`.trim(), trivy);
  if (trivy.input && trivy.input !== ref) console.log(`  (trivy reads ${trivy.input}: same image, gzip layers; it cannot open an oci-archive file)`);
  if (trivy.input) console.log("  (trivy runs with --skip-files '**/*.jar': its jar analyzer needs the Java DB, which cannot be downloaded here)");

  console.log('');
  console.log('deb packages (sanity):');
  console.log(`  dpkg-query in the image (ii): ${truth ?? 'n/a'}`);
  const count = (k) => (debs[k] ? String(debs[k].size) : 'n/a');
  console.log(`  ours ${count('ours')}, syft ${count('syft')}, trivy ${count('trivy')}`);
  if (debs.ours && debs.syft) console.log(`  ours vs syft: ${diff(debs.ours, debs.syft)}`);
  if (debs.ours && debs.trivy) console.log(`  ours vs trivy: ${diff(debs.ours, debs.trivy)}`);
}

function debianResults({ floor, ours, syft, trivy, truth, debs }) {
  const cold = ours.cold ?? { ms: Number.NaN, rssMB: Number.NaN };
  const warm = ours.warm ?? { ms: Number.NaN, rssMB: Number.NaN };
  const shared = ours.shared ?? { ms: Number.NaN, rssMB: Number.NaN };
  const oursWhy = why(ours) ?? why(cold);
  const rFloor = ratio(cold.ms, floor.ms);
  const rSyft = ratio(cold.ms, syft.ms);
  const rTrivy = ratio(cold.ms, trivy.ms);
  const rWarm = ratio(warm.ms, cold.ms);
  const rShared = ratio(shared.ms, cold.ms);
  const rss = Math.max(cold.rssMB, warm.rssMB, shared.rssMB);
  const peerWhy = (p) => oursWhy ?? why(p);
  line('ours/floor', fmt(rFloor), `≤ ${TARGETS.floor}×`, rFloor <= TARGETS.floor, oursWhy);
  line('ours/syft', fmt(rSyft), `< ${TARGETS.peers}×`, rSyft < TARGETS.peers, peerWhy(syft));
  line('ours/trivy', fmt(rTrivy), `< ${TARGETS.peers}×`, rTrivy < TARGETS.peers, peerWhy(trivy));
  line('warm/cold', fmt(rWarm), `≤ ${TARGETS.second}×`, rWarm <= TARGETS.second, oursWhy);
  line('shared-layers/cold', fmt(rShared), `≤ ${TARGETS.second}×`, rShared <= TARGETS.second, oursWhy);
  line('ours peak RSS', mb(rss), `≤ ${TARGETS.rssMB} MB`, rss <= TARGETS.rssMB, oursWhy);
  if (ours.same) {
    for (const [name, label] of [['warm', 'warm output = cold'], ['shared', 'shared-layers pkgs = cold']]) {
      const r = ours.same[name];
      console.log(`  ${label.padEnd(28)} ${String(r.same).padStart(10)}   target ${'true'.padEnd(10)} ${r.same ? 'PASS' : `FAIL (${r.diff})`}`);
    }
  }
  const oursDebs = debs.ours?.size ?? Number.NaN;
  line('ours debs vs dpkg', String(oursDebs), `= ${truth ?? '?'}`, oursDebs === truth, oursWhy);
}

/** Details first, then ratios against the targets; either image may be absent (BENCH_ONLY). */
export function report({ debian, lang }) {
  if (debian) debianDetails(debian);
  if (lang) langDetails(lang);
  console.log('');
  console.log('=== results (this run) ===');
  if (debian) debianResults(debian);
  if (lang) langResults(lang);
  const rss = (x) => mb(x?.rssMB);
  if (debian) {
    const o = debian.ours;
    console.log(`  peak RSS: floor ${rss(debian.floor)}, ours cold ${rss(o.cold)}, warm ${rss(o.warm)}, shared ${rss(o.shared)}, syft ${rss(debian.syft)}, trivy ${rss(debian.trivy)}`);
  }
  if (lang) console.log(`  peak RSS (application image): floor ${rss(lang.floor)}, ours cold ${rss(lang.ours.cold)}, syft ${rss(lang.syft)}, trivy ${rss(lang.trivy)}`);
  const peers = debian ?? lang;
  for (const name of ['syft', 'trivy']) if (peers[name].missing) console.log(`  peer ${name}: NOT AVAILABLE: ${peers[name].missing}`);
}
