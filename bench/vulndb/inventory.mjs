// A synthetic but realistic 10,000-package inventory for the matching benchmark, made from a
// built database: every package name is a real one taken from the advisories (worst case for
// the matcher: every lookup returns rows), in a mix of ecosystems plus Ubuntu 20.04 binary
// packages grouped under their real source packages. Versions come from the advisories' own
// range events and version lists: at a fix (usually not affected), just below a fix (affected),
// at an `introduced` / `last_affected` / listed version (affected). Deterministic (seeded).
//   node bench/vulndb/inventory.mjs <db> <out.json>
// The realistic one: the packages of real image SBOMs (`portcullis sbom … --format json`),
// copied with distinct ids and paths until there are 10,000 (most have no advisory at all):
//   node bench/vulndb/inventory.mjs --from-sbom <out.json> <sbom.json>...
import { readFileSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';

/** Packages per ecosystem (10,000 in all). `deb` counts binary packages. */
export const MIX = { deb: 3500, npm: 2000, PyPI: 1500, Go: 1500, 'crates.io': 800, RubyGems: 700 };
/** The distro the deb packages belong to: the Ubuntu release current in the corpus (UCT, 2021-03). */
export const DISTRO = { ecosystem: 'Ubuntu:20.04', os: { id: 'ubuntu', versionId: '20.04', versionCodename: 'focal', source: '/etc/os-release' } };
const TYPES = { npm: 'npm', PyPI: 'pypi', Go: 'golang', 'crates.io': 'cargo', RubyGems: 'gem' };
const BINARY_SUFFIXES = ['', '-common', '-data', '-bin'];

/** mulberry32: a small seeded PRNG, so the inventory is the same on every run and machine. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A version just below `v`: its last non-zero number decremented (`1.2.3` → `1.2.2`,
 * `0.7.0` → `0.6.0`, `2.7.17-1ubuntu1.1` → `2.7.17-1ubuntu1.0`), or undefined when `v` has none.
 */
export function below(v) {
  const nums = [...v.matchAll(/\d+/g)];
  for (let i = nums.length - 1; i >= 0; i--) {
    const m = nums[i];
    const n = BigInt(m[0]);
    if (n === 0n) continue;
    const dec = (n - 1n).toString();
    return v.slice(0, m.index) + dec + v.slice(m.index + m[0].length);
  }
  return undefined;
}

/** Versions worth testing for one affected entry (strings from the advisory itself). */
export function candidateVersions(affected) {
  const out = [];
  for (const r of affected.ranges ?? []) {
    for (const e of r.events ?? []) {
      if (e.fixed) {
        out.push(e.fixed);
        const b = below(e.fixed);
        if (b) out.push(b);
      }
      if (e.introduced && e.introduced !== '0') out.push(e.introduced);
      if (e.last_affected) out.push(e.last_affected);
    }
  }
  const listed = affected.versions ?? [];
  if (listed.length > 0) out.push(listed[Math.floor(listed.length / 2)], listed[listed.length - 1]);
  return out;
}

function shuffled(xs, rnd) {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Picks a version for `name` from its affected entries; `fallback` when none has a usable one. */
function pickVersion(rows, rnd, fallback) {
  const cands = rows.flatMap((r) => candidateVersions(JSON.parse(r.doc)));
  return cands.length > 0 ? cands[Math.floor(rnd() * cands.length)] : fallback;
}

export function makeInventory(dbPath, { mix = MIX, seed = 42 } = {}) {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  const rnd = prng(seed);
  const names = db.prepare('SELECT DISTINCT name FROM affected WHERE ecosystem = ? ORDER BY name');
  const rows = db.prepare('SELECT doc FROM affected WHERE ecosystem = ? AND name = ?');
  const packages = [];
  try {
    // Distro: binaries grouped by their source package, 1–4 per source, all at the source's version.
    const sources = shuffled(names.all(DISTRO.ecosystem).map((r) => r.name), rnd);
    let pass = 0;
    while (packages.length < mix.deb && sources.length > 0) {
      for (const src of sources) {
        if (packages.length >= mix.deb) break;
        const version = pickVersion(rows.all(DISTRO.ecosystem, src), rnd, '1.0-1ubuntu1');
        const k = 1 + Math.floor(rnd() * BINARY_SUFFIXES.length);
        for (const suffix of BINARY_SUFFIXES.slice(0, k)) {
          if (packages.length >= mix.deb) break;
          const name = `${src}${suffix}${pass ? `-p${pass}` : ''}`;
          packages.push({
            id: `deb:${name}@${version}:amd64`,
            type: 'deb',
            name,
            version,
            arch: 'amd64',
            source: { name: src, version },
            licenses: [],
            purl: `pkg:deb/ubuntu/${encodeURIComponent(name)}@${encodeURIComponent(version)}?arch=amd64&distro=ubuntu-20.04`,
            foundBy: 'bench-synthetic',
            locations: [{ path: '/var/lib/dpkg/status' }],
          });
        }
      }
      pass++;
    }
    // Language packages: names cycled (several copies of a name at different versions, as
    // node_modules trees and monorepos have) until the ecosystem's share is filled.
    for (const [eco, type] of Object.entries(TYPES)) {
      const pool = shuffled(names.all(eco).map((r) => r.name), rnd);
      for (let i = 0; i < (mix[eco] ?? 0) && pool.length > 0; i++) {
        const name = pool[i % pool.length];
        let version = pickVersion(rows.all(eco, name), rnd, '1.0.0');
        if (eco === 'Go' && !version.startsWith('v')) version = `v${version}`;
        const path = `/srv/app/${eco}/${i}/${name}`;
        packages.push({
          id: `${type}:${name}@${version}#${path}`,
          type,
          name,
          version,
          licenses: [],
          purl: `pkg:${type}/${encodeURIComponent(name)}@${encodeURIComponent(version)}`,
          foundBy: 'bench-synthetic',
          locations: [{ path }],
        });
      }
    }
  } finally {
    db.close();
  }
  const count = {};
  for (const p of packages) count[p.type] = (count[p.type] ?? 0) + 1;
  return { os: DISTRO.os, distroEcosystem: DISTRO.ecosystem, packages, relationships: [], count };
}

/**
 * `size` packages from real SBOMs: every package of each SBOM in turn, then again as copy 1, 2, …
 * (id suffixed `#copyN`, each location under `/copyN`, its ownership relationships copied too:
 * as many images' worth of the same software, each copy a package of its own). OS and distro
 * are the first SBOM's.
 */
export function realisticInventory(sboms, size = 10000) {
  const source = sboms.flatMap((s) => (s.packages ?? []).map((p) => ({ p, sbom: s })));
  if (source.length === 0) throw new Error('the SBOMs have no packages');
  const owned = new Map();
  for (const s of sboms) for (const r of s.relationships ?? []) if (r.type === 'owned-by') owned.set(r.from, r);
  const packages = [];
  const relationships = [];
  for (let i = 0; packages.length < size; i++) {
    const copy = Math.floor(i / source.length);
    const { p } = source[i % source.length];
    const tag = (id) => (copy === 0 ? id : `${id}#copy${copy}`);
    packages.push({ ...p, id: tag(p.id), locations: (p.locations ?? []).map((l) => ({ ...l, path: copy === 0 ? l.path : `/copy${copy}${l.path}` })) });
    const r = owned.get(p.id);
    if (r) relationships.push({ ...r, from: tag(r.from), to: tag(r.to) });
  }
  const kept = new Set(packages.map((p) => p.id));
  const count = {};
  for (const p of packages) count[p.type] = (count[p.type] ?? 0) + 1;
  return { os: sboms[0].os, packages, relationships: relationships.filter((r) => kept.has(r.to)), count, distinct: source.length };
}

if (import.meta.url === `file://${process.argv[1]}` && process.argv[2] === '--from-sbom') {
  const [out, ...sboms] = process.argv.slice(3);
  if (!out || sboms.length === 0) {
    console.error('usage: node inventory.mjs --from-sbom <out.json> <sbom.json>...');
    process.exit(2);
  }
  const inv = realisticInventory(sboms.map((f) => JSON.parse(readFileSync(f, 'utf8'))));
  writeFileSync(out, JSON.stringify(inv));
  console.log(JSON.stringify({ packages: inv.packages.length, distinct: inv.distinct, count: inv.count }));
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const [db, out] = process.argv.slice(2);
  if (!db || !out) {
    console.error('usage: node inventory.mjs <db> <out.json>');
    process.exit(2);
  }
  const inv = makeInventory(db);
  writeFileSync(out, JSON.stringify(inv));
  console.log(JSON.stringify({ packages: inv.packages.length, count: inv.count }));
}
