import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OsInfo } from '../core/os.js';
import type { Package, PackageType, Relationship } from '../core/package.js';
import { buildDatabase } from '../vulndb/db/build.js';
import { VulnDb } from '../vulndb/db/open.js';
import type { AdvisoryInput } from '../vulndb/model.js';
import { matchInventory } from './match.js';

const BOOKWORM: OsInfo = { id: 'debian', versionId: '12', versionCodename: 'bookworm', source: '/etc/os-release' };

const ADVISORIES: AdvisoryInput[] = [
  // Debian tracker: per-package urgency, one fixed, one unfixed <no-dsa>, one not-affected.
  { id: 'CVE-2023-0001', source: 'debian', affected: [{ ecosystem: 'Debian:12', name: 'openssl', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.11-1~deb12u1' }] }], rating: { severity: 'high', raw: 'high', source: 'debian' } }] },
  { id: 'CVE-2023-0002', source: 'debian', affected: [{ ecosystem: 'Debian:12', name: 'openssl', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }], status: 'will_not_fix', rating: { severity: 'negligible', raw: 'unimportant', source: 'debian' } }] },
  { id: 'CVE-2023-0003', source: 'debian', affected: [{ ecosystem: 'Debian:12', name: 'openssl', status: 'not_affected' }] },
  { id: 'CVE-2023-0001', source: 'nvd', cvss: [{ version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8, source: 'nvd' }], cwes: ['CWE-787'] },
  // DSA naming two CVEs: evidence on each CVE's finding, never one merged finding.
  { id: 'DSA-9999-1', source: 'debian', aliases: ['CVE-2023-0001', 'CVE-2023-0004'], affected: [{ ecosystem: 'Debian:12', name: 'openssl', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.11-1~deb12u1' }] }] }] },
  // npm: GHSA with its CVE alias and a PYSEC-like duplicate from another database.
  { id: 'GHSA-35jh-r3h4-6jhm', source: 'osv', published: '2021-02-15T00:00:00Z', aliases: ['CVE-2021-23337'], ratings: [{ severity: 'high', raw: 'HIGH', source: 'ghsa' }], affected: [{ ecosystem: 'npm', name: 'lodash', ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }] }] },
  { id: 'NSWG-ECO-1', source: 'nswg', published: '2021-01-10T00:00:00Z', aliases: ['CVE-2021-23337'], affected: [{ ecosystem: 'npm', name: 'lodash', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '4.17.20' }] }] }] },
  // Published before both, but its own range has no fix: it does not date the fix.
  { id: 'GHSA-nofix', source: 'osv', published: '2020-01-01T00:00:00Z', aliases: ['CVE-2021-23337'], affected: [{ ecosystem: 'npm', name: 'lodash', ranges: [{ type: 'SEMVER', events: [{ introduced: '4.0.0' }, { last_affected: '4.17.30' }] }] }] },
  { id: 'GHSA-withdrawn', source: 'osv', withdrawn: '2024-01-01T00:00:00Z', affected: [{ ecosystem: 'npm', name: 'lodash', ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] }] },
  // PyPI names are compared after PEP 503 normalization; the Debian-owned copy is not matched again.
  { id: 'PYSEC-2023-74', source: 'osv', aliases: ['CVE-2023-32681'], affected: [{ ecosystem: 'PyPI', name: 'requests', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '2.3.0' }, { fixed: '2.31.0' }] }] }] },
  { id: 'PYSEC-2099-1', source: 'osv', affected: [{ ecosystem: 'PyPI', name: 'zope-interface', versions: ['5.0.0'] }] },
  // Go: a module compiled into a Debian-owned binary is still matched through Go's data.
  { id: 'GO-2023-1571', source: 'osv', aliases: ['CVE-2022-41723'], affected: [{ ecosystem: 'Go', name: 'golang.org/x/net', ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '0.7.0' }] }] }] },
  { id: 'GO-2023-0001', source: 'osv', affected: [{ ecosystem: 'Go', name: 'stdlib', ranges: [{ type: 'SEMVER', events: [{ introduced: '1.19.0' }, { fixed: '1.19.9' }] }] }] },
];

let dir: string;
let db: VulnDb;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-match-'));
  await buildDatabase(join(dir, 'v.db'), [
    { feed: { id: 'test', version: '1', license: 't', parse: async (_d, sink) => ADVISORIES.forEach((a) => sink.advisory(a)) }, dir },
    { feed: { id: 'kev', version: '1', license: 't', parse: async (_d, sink) => sink.kev({ cve: 'CVE-2021-23337', dateAdded: '2024-05-01' }) }, dir },
  ]);
  db = VulnDb.open(join(dir, 'v.db'));
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function pkg(type: PackageType, name: string, version: string, extra: Partial<Package> = {}): Package {
  return { id: `${type}:${name}@${version}`, type, name, version, licenses: [], purl: `pkg:${type}/${name}@${version}`, foundBy: 't', locations: [{ path: `/x/${name}` }], ...extra };
}

describe('matchInventory', () => {
  const libssl = pkg('deb', 'libssl3', '3.0.9-1+b1', { source: { name: 'openssl', version: '3.0.9-1' } });
  const lodash = pkg('npm', 'lodash', '4.17.4');
  const requestsOwned = pkg('pypi', 'requests', '2.28.1');
  const requestsPip = pkg('pypi', 'Requests', '2.25.0', { id: 'pypi:Requests@2.25.0#pip' });
  const zope = pkg('pypi', 'zope.interface', '5.0.0');
  const xnet = pkg('golang', 'golang.org/x/net', 'v0.5.0', { metadata: { source: 'binary' } });
  const stdlib = pkg('golang', 'stdlib', 'v1.19.8', { metadata: { source: 'binary' } });
  const pyDeb = pkg('deb', 'python3-requests', '2.28.1+dfsg-1', { source: { name: 'requests', version: '2.28.1+dfsg-1' } });
  const skopeo = pkg('deb', 'skopeo', '1.9.3+ds1-1+b1', { source: { name: 'skopeo', version: '1.9.3+ds1-1' } });
  const rel: Relationship[] = [
    { from: requestsOwned.id, to: pyDeb.id, type: 'owned-by' },
    { from: xnet.id, to: skopeo.id, type: 'owned-by' },
    { from: stdlib.id, to: skopeo.id, type: 'owned-by' },
  ];
  const packages = [libssl, lodash, requestsOwned, requestsPip, zope, xnet, stdlib, pyDeb, skopeo];

  it('matches distro packages by source package and source version, honouring distro status', () => {
    const { findings } = matchInventory({ packages, relationships: rel, os: BOOKWORM }, db);
    const ssl = findings.filter((f) => f.package.id === libssl.id);
    expect(ssl.map((f) => [f.id, f.fixState, f.fixedVersions, f.severity, f.severitySource])).toEqual([
      ['CVE-2023-0001', 'fixed', ['3.0.11-1~deb12u1'], 'high', 'debian'],
      ['CVE-2023-0002', 'will_not_fix', [], 'negligible', 'debian'],
    ]);
    const first = ssl[0];
    expect(first?.aliases).toEqual(['CVE-2023-0001', 'DSA-9999-1']);
    expect(first?.evidence.map((e) => [e.advisory, e.matchedBy, e.packageName, e.comparedVersion, e.range])).toEqual([
      ['CVE-2023-0001', 'distro-source', 'openssl', '3.0.9-1', '>=0, <3.0.11-1~deb12u1'],
      ['DSA-9999-1', 'distro-source', 'openssl', '3.0.9-1', '>=0, <3.0.11-1~deb12u1'],
    ]);
    expect(first?.cvss.map((c) => c.source)).toEqual(['nvd']);
    expect(first?.cwes).toEqual(['CWE-787']);
  });

  it('merges aliases into one finding per vulnerability, ignores withdrawn records, adds KEV', () => {
    const { findings } = matchInventory({ packages, relationships: rel, os: BOOKWORM }, db);
    const lf = findings.filter((f) => f.package.id === lodash.id);
    expect(lf).toHaveLength(1);
    expect(lf[0]).toMatchObject({ id: 'CVE-2021-23337', aliases: ['CVE-2021-23337', 'GHSA-35jh-r3h4-6jhm', 'GHSA-nofix', 'NSWG-ECO-1'], severity: 'high', severitySource: 'ghsa', fixedVersions: ['4.17.20', '4.17.21'], kev: { dateAdded: '2024-05-01' } });
    // The fix date is the earliest advisory whose range for this version ends in a fix.
    expect(lf[0]?.fixPublished).toBe('2021-01-10T00:00:00Z');
    expect(lf[0]?.published).toBe('2020-01-01T00:00:00Z');
  });

  it('matches language packages by normalized name; Debian-owned ones only through the distro; compiled-in Go modules always', () => {
    const { findings, skipped } = matchInventory({ packages, relationships: rel, os: BOOKWORM }, db);
    const ids = (p: Package) => findings.filter((f) => f.package.id === p.id).map((f) => f.id);
    expect(ids(requestsPip)).toEqual(['CVE-2023-32681']);
    expect(ids(requestsOwned)).toEqual([]);
    expect(skipped).toContainEqual({ package: requestsOwned.id, reason: `installed by ${pyDeb.id}: matched through the distro` });
    expect(ids(zope)).toEqual(['PYSEC-2099-1']);
    expect(findings.find((f) => f.id === 'PYSEC-2099-1')?.evidence[0]).toMatchObject({ versionListed: true, range: '=5.0.0' });
    expect(ids(xnet)).toEqual(['CVE-2022-41723']);
    expect(ids(stdlib)).toEqual(['GO-2023-0001']);
  });

  it('skips OS packages when the distro is unknown, and invalid versions with a problem per package', () => {
    const bad = pkg('npm', 'lodash', 'not a version');
    const bad2 = pkg('npm', 'lodash', 'not a version', { id: 'npm:lodash@not a version#2' });
    const r = matchInventory({ packages: [libssl, bad, bad2], relationships: [], os: undefined }, db);
    expect(r.findings).toEqual([]);
    expect(r.skipped).toEqual([{ package: libssl.id, reason: 'the operating system is unknown' }]);
    expect(r.problems.map((p) => [p.code, p.message.startsWith(`${bad.id}: `), p.message.startsWith(`${bad2.id}: `)])).toEqual([
      ['VERSION_INVALID', true, false],
      ['VERSION_INVALID', false, true],
    ]);
  });

  it('gives copies of one package the same findings, each with its own package', () => {
    const copy = pkg('npm', 'lodash', '4.17.4', { id: 'npm:lodash@4.17.4#copy', locations: [{ path: '/copy/lodash' }] });
    const { findings } = matchInventory({ packages: [lodash, copy], relationships: [], os: BOOKWORM }, db);
    expect(findings.map((f) => f.package.id)).toEqual([lodash.id, copy.id]);
    expect(findings[1]?.package.locations).toEqual([{ path: '/copy/lodash' }]);
    expect({ ...findings[1], package: undefined }).toEqual({ ...findings[0], package: undefined });
  });

  it('orders findings by package id, then finding id, in collation order, whatever the inventory order', () => {
    // U+0001 is ignored by collation: these two ids compare equal, so their findings interleave by
    // finding id (one stable sort of every finding), in inventory order where both ids are equal.
    const twin = pkg('deb', 'libssl3', '3.0.9-1+b1', { id: `${libssl.id}\u0001`, source: { name: 'openssl', version: '3.0.9-1' } });
    const upper = pkg('npm', 'Lodash', '4.17.4', { id: 'npm:Lodash@4.17.4' });
    const { findings } = matchInventory({ packages: [upper, lodash, twin, libssl], relationships: [], os: BOOKWORM }, db);
    expect(findings.map((f) => [f.package.id, f.id])).toEqual([
      [twin.id, 'CVE-2023-0001'],
      [libssl.id, 'CVE-2023-0001'],
      [twin.id, 'CVE-2023-0002'],
      [libssl.id, 'CVE-2023-0002'],
      [lodash.id, 'CVE-2021-23337'],
      [upper.id, 'CVE-2021-23337'],
    ]);
  });

  it('takes one read lock for the whole match, released afterwards', () => {
    // A database opened here: nothing cached yet, so the match reads the file.
    const fresh = VulnDb.open(join(dir, 'v.db'));
    const writer = new Database(join(dir, 'v.db'), { timeout: 0 });
    try {
      const write = () => writer.prepare("INSERT INTO meta (key, value) VALUES ('probe', 'x') ON CONFLICT (key) DO UPDATE SET value = 'y'").run();
      // While the matcher reads, a writer cannot commit; after it returns, it can.
      const during = fresh.read(() => {
        expect(matchInventory({ packages: [lodash], relationships: [], os: BOOKWORM }, fresh).findings).toHaveLength(1);
        return (() => {
          try {
            write();
            return 'written';
          } catch (err) {
            return (err as { code?: string }).code;
          }
        })();
      });
      expect(during).toBe('SQLITE_BUSY');
      expect(() =>
        fresh.read(() => {
          fresh.byAlias('CVE-2099-0001'); // not cached: a read of the file
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(write().changes).toBe(1);
    } finally {
      writer.prepare("DELETE FROM meta WHERE key = 'probe'").run();
      writer.close();
      fresh.close();
    }
  });
});
