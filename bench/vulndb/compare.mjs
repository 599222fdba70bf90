// Compares the findings of `portcullis image --format json` and `osv-scanner scan image
// --format json --all-packages` on the same image and the same OSV records.
//
// The unit is (ecosystem, package name, version, OSV record id): both tools read the same
// records, so each record either matched a package or did not. Our findings name their records
// in `evidence[].advisory`; osv-scanner lists them as `vulnerabilities[].id`. Names are
// compared normalized (PEP 503 for PyPI, lower case for npm), Go versions without their `v`.
// Each difference gets the reason this script can establish from the two inventories (ours from
// `portcullis sbom --format json` of the same image, theirs from --all-packages).

const ECOSYSTEM_OF_TYPE = { npm: 'npm', pypi: 'PyPI', golang: 'Go', cargo: 'crates.io', gem: 'RubyGems', maven: 'Maven', composer: 'Packagist', nuget: 'NuGet' };

export function normName(ecosystem, name) {
  if (ecosystem === 'PyPI') return name.toLowerCase().replace(/[-_.]+/g, '-');
  if (ecosystem === 'npm' || ecosystem === 'Packagist' || ecosystem === 'NuGet') return name.toLowerCase();
  return name;
}

export function normVersion(ecosystem, version) {
  return ecosystem === 'Go' && /^v\d/.test(version) ? version.slice(1) : version;
}

/** `eco|name|version`: a package as both tools can name it. */
export function pkgKey(ecosystem, name, version) {
  return `${ecosystem}|${normName(ecosystem, name)}|${normVersion(ecosystem, version)}`;
}

function ecosystemOfPackage(p, os) {
  if (ECOSYSTEM_OF_TYPE[p.type]) return ECOSYSTEM_OF_TYPE[p.type];
  if (p.type === 'deb' && os?.id === 'debian') return `Debian:${String(os.versionId ?? '').split('.')[0]}`;
  return p.type;
}

/** Our scan document → record keys `pkg|RECORD`, and findings (alias groups) per package. */
export function oursFindings(doc) {
  const records = new Set();
  const groups = new Map();
  for (const f of doc.findings ?? []) {
    const eco = ecosystemOfPackage(f.package, doc.os);
    // Distro-source findings are keyed by the binary package osv-scanner also lists.
    const pk = pkgKey(eco, f.package.name, f.package.version);
    for (const e of f.evidence ?? []) records.add(`${pk}|${e.advisory}`);
    groups.set(pk, (groups.get(pk) ?? 0) + 1);
  }
  return { records, groups, findings: doc.findings?.length ?? 0 };
}

/** osv-scanner's JSON → record keys, rows as it prints them (one per file), alias groups per package. */
export function theirsFindings(doc) {
  const records = new Set();
  const groups = new Map();
  let rows = 0;
  for (const r of doc.results ?? []) {
    for (const p of r.packages ?? []) {
      const pk = pkgKey(p.package.ecosystem, p.package.name, p.package.version);
      for (const v of p.vulnerabilities ?? []) {
        records.add(`${pk}|${v.id}`);
        rows++;
      }
      const g = groups.get(pk) ?? new Set();
      for (const grp of p.groups ?? []) g.add([...grp.ids].sort().join('+'));
      if (g.size > 0) groups.set(pk, g);
    }
  }
  return { records, rows, groups: new Map([...groups].map(([k, v]) => [k, v.size])) };
}

/** Our SBOM → package keys, and for each key the OS package that owns it (when one does). */
export function oursInventory(sbom) {
  const keys = new Set();
  const owner = new Map();
  const byId = new Map();
  for (const p of sbom.packages ?? []) {
    const k = pkgKey(ecosystemOfPackage(p, sbom.os), p.name, p.version);
    keys.add(k);
    byId.set(p.id, k);
  }
  for (const r of sbom.relationships ?? []) {
    if (r.type !== 'owned-by') continue;
    const k = byId.get(r.from);
    if (k && !owner.has(k)) owner.set(k, r.to);
  }
  return { keys, owner };
}

export function theirsInventory(doc) {
  const keys = new Set();
  for (const r of doc.results ?? []) for (const p of r.packages ?? []) keys.add(pkgKey(p.package.ecosystem, p.package.name, p.package.version));
  return { keys };
}

const pkgOf = (recordKey) => recordKey.split('|').slice(0, 3).join('|');

/**
 * @returns {{ equal: number, onlyOurs: Map<string, string[]>, onlyTheirs: Map<string, string[]> }}
 *   differences grouped by reason, each a list of `eco name@version RECORD`.
 */
export function compareFindings(ours, theirs, oursInv, theirsInv) {
  const equal = [...ours.records].filter((k) => theirs.records.has(k)).length;
  const show = (k) => {
    const [eco, name, version, id] = k.split('|');
    return `${eco} ${name}@${version} ${id}`;
  };
  const onlyOurs = new Map();
  const onlyTheirs = new Map();
  const add = (m, reason, k, note = '') => m.set(reason, [...(m.get(reason) ?? []), `${show(k)}${note}`]);
  for (const k of ours.records) {
    if (theirs.records.has(k)) continue;
    const pk = pkgOf(k);
    add(onlyOurs, theirsInv && !theirsInv.keys.has(pk) ? 'osv-scanner did not catalog this package@version' : 'same package in both inventories: osv-scanner did not match this record', k);
  }
  for (const k of theirs.records) {
    if (ours.records.has(k)) continue;
    const pk = pkgOf(k);
    let reason;
    if (!oursInv) reason = 'not in our findings (our inventory not available)';
    else if (!oursInv.keys.has(pk)) reason = 'we did not catalog this package@version';
    else if (oursInv.owner.has(pk)) {
      add(onlyTheirs, 'owned by an OS package: we match it through the distro (this DB has no distro data), osv-scanner through PyPI/Go/…', k, ` (${oursInv.owner.get(pk)})`);
      continue;
    } else reason = 'same package in both inventories: we did not match this record';
    add(onlyTheirs, reason, k);
  }
  return { equal, onlyOurs, onlyTheirs };
}

/** Packages where both tools found records but formed a different number of findings (alias groups). */
export function groupDifferences(ours, theirs) {
  const out = [];
  for (const [pk, n] of ours.groups) {
    const m = theirs.groups.get(pk);
    if (m !== undefined && m !== n) out.push(`${pk.replaceAll('|', ' ')}: ours ${n}, osv-scanner ${m}`);
  }
  return out;
}

/** `Go 3, PyPI 12, npm 600`: package keys per ecosystem, largest first. */
export function countByEcosystem(keys) {
  const n = new Map();
  for (const k of keys) {
    const eco = k.split('|')[0];
    n.set(eco, (n.get(eco) ?? 0) + 1);
  }
  return [...n].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([e, c]) => `${e} ${c}`).join(', ');
}
