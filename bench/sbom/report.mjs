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

/** name@version sets: how many, and which names only one side has. */
function npmDiff(a, b) {
  if (!a || !b) return '';
  const only = (x, y) => [...x].filter((k) => !y.has(k)).sort();
  const show = (xs) => (xs.length ? `${xs.length} (${xs.slice(0, 6).join(', ')}${xs.length > 6 ? ', …' : ''})` : '0');
  return `only ours: ${show(only(a, b))}; only other: ${show(only(b, a))}`;
}

function nodeDetails(node) {
  const cold = node.ours.cold ?? { ms: Number.NaN, rssMB: Number.NaN };
  const row = (name, x, note = '') =>
    console.log(`  ${name.padEnd(24)} ${sec(x.ms).padStart(9)}  ${mb(x.rssMB).padStart(7)}  ${note || why(x) || ''}`);
  console.log('');
  console.log('=== node_modules image ===');
  console.log(`image: ${node.ref}`);
  const st = node.floor.stats;
  if (st) console.log(`layers: ${st.layers}, compressed ${(st.compressedBytes / 2 ** 20).toFixed(1)} MiB, uncompressed ${(st.uncompressedBytes / 2 ** 20).toFixed(1)} MiB`);
  console.log(`files under the application's node_modules: ${node.files ?? 'n/a'}`);
  row('floor (zlib gunzip)', node.floor);
  row('ours cold', cold, why(node.ours) ?? why(cold));
  row(`syft ${node.syft.version ?? ''}`.trim(), node.syft);
  row(`trivy ${node.trivy.version ?? ''}`.trim(), node.trivy);
  const n = (k) => (node.npm[k] ? String(node.npm[k].size) : 'n/a');
  console.log('npm packages under the application node_modules (unique name@version):');
  console.log(`  npm ls --all: ${n('truth')}; ours ${n('ours')}, syft ${n('syft')}, trivy ${n('trivy')}`);
  if (node.npm.ours && node.npm.truth) console.log(`  ours vs npm ls: ${npmDiff(node.npm.ours, node.npm.truth)}`);
  if (node.npm.ours && node.npm.syft) console.log(`  ours vs syft: ${npmDiff(node.npm.ours, node.npm.syft)}`);
  if (node.npm.ours && node.npm.trivy) console.log(`  ours vs trivy: ${npmDiff(node.npm.ours, node.npm.trivy)}`);
}

function nodeResults(node) {
  const cold = node.ours.cold ?? { ms: Number.NaN, rssMB: Number.NaN };
  const oursWhy = why(node.ours) ?? why(cold);
  console.log('  node_modules image:');
  const rFloor = ratio(cold.ms, node.floor.ms);
  const rSyft = ratio(cold.ms, node.syft.ms);
  const rTrivy = ratio(cold.ms, node.trivy.ms);
  line('node ours/floor', fmt(rFloor), `≤ ${TARGETS.floor}×`, rFloor <= TARGETS.floor, oursWhy);
  line('node ours/syft', fmt(rSyft), `< ${TARGETS.peers}×`, rSyft < TARGETS.peers, oursWhy ?? why(node.syft));
  line('node ours/trivy', fmt(rTrivy), `< ${TARGETS.peers}×`, rTrivy < TARGETS.peers, oursWhy ?? why(node.trivy));
  line('node ours peak RSS', mb(cold.rssMB), `≤ ${TARGETS.rssMB} MB`, cold.rssMB <= TARGETS.rssMB, oursWhy);
  const files = node.files ?? Number.NaN;
  line('node_modules files', String(files), '≥ 20000', files >= 20000, 'tree not found');
  const got = node.npm.ours?.size ?? Number.NaN;
  const truth = node.npm.truth?.size;
  const same = node.npm.ours && node.npm.truth && got === truth && [...node.npm.truth].every((k) => node.npm.ours.has(k));
  line('node ours npm vs npm ls', String(got), `= ${truth ?? '?'}`, Boolean(same), oursWhy);
  for (const peer of ['syft', 'trivy']) {
    const size = node.npm[peer]?.size;
    console.log(`  ${`node ${peer} npm vs npm ls`.padEnd(28)} ${String(size ?? 'n/a').padStart(10)}   (a peer's count, for comparison)`);
  }
}

export function report({ ref, floor, ours, syft, trivy, truth, debs, node }) {
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

  const rFloor = ratio(cold.ms, floor.ms);
  const rSyft = ratio(cold.ms, syft.ms);
  const rTrivy = ratio(cold.ms, trivy.ms);
  const rWarm = ratio(warm.ms, cold.ms);
  const rShared = ratio(shared.ms, cold.ms);
  const rss = Math.max(cold.rssMB, warm.rssMB, shared.rssMB);
  const peerWhy = (p) => oursWhy ?? why(p);

  if (node) nodeDetails(node);

  console.log('');
  console.log('=== results (this run) ===');
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
  if (node) nodeResults(node);
  console.log(`  peak RSS: floor ${mb(floor.rssMB)}, ours cold ${mb(cold.rssMB)}, warm ${mb(warm.rssMB)}, shared ${mb(shared.rssMB)}, syft ${mb(syft.rssMB)}, trivy ${mb(trivy.rssMB)}`);
  for (const [name, p] of [['syft', syft], ['trivy', trivy]]) if (p.missing) console.log(`  peer ${name}: NOT AVAILABLE: ${p.missing}`);
}
