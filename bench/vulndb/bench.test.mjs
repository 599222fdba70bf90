// Checks of the benchmark's own pieces (the benchmark is excluded from vitest):
//   node --test bench/vulndb/
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { crc32, inflateRawSync } from 'node:zlib';
import { compareFindings, countByEcosystem, oursFindings, oursInventory, pkgKey, theirsFindings, theirsInventory } from './compare.mjs';
import { checkFindings, readRecorded, writeRecorded } from './findings-check.mjs';
import { diffFindings, findingsLines, findingsSha256, sha256 } from './findings-diff.mjs';
import { below, candidateVersions, prng, realisticInventory } from './inventory.mjs';
import { buildOsvScannerDb, recordJson } from './osv-db.mjs';
import { decodeVlq, sourceMapLookup, summarizeProfile } from './profile.mjs';
import { zipBuffer } from './zip.mjs';

const dir = mkdtempSync(join(tmpdir(), 'pc-bench-vulndb-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Reads a ZIP through its central directory (what Go's archive/zip does), inflating each entry. */
function unzip(buf) {
  const end = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = buf.readUInt16LE(end + 10);
  let p = buf.readUInt32LE(end + 16);
  const out = new Map();
  for (let i = 0; i < count; i++) {
    assert.equal(buf.readUInt32LE(p), 0x02014b50);
    const crc = buf.readUInt32LE(p + 16);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    assert.equal(buf.readUInt32LE(local), 0x04034b50);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = inflateRawSync(buf.subarray(start, start + size));
    assert.equal(crc32(data), crc, `crc of ${name}`);
    out.set(name, data);
    p += 46 + nameLen;
  }
  return out;
}

test('zip writer: every entry comes back through the central directory with its CRC', () => {
  const big = Buffer.alloc(200_000, 'osv');
  const entries = [['GO-2020-0001.json', Buffer.from('{"id":"GO-2020-0001"}')], ['PYSEC-é.json', big], ['empty.json', Buffer.alloc(0)]];
  const files = unzip(zipBuffer(entries));
  assert.deepEqual([...files.keys()], entries.map(([n]) => n));
  assert.deepEqual(files.get('PYSEC-é.json'), big);
  assert.equal(files.get('empty.json').length, 0);
  assert.deepEqual(zipBuffer(entries), zipBuffer(entries), 'the same entries give the same bytes');
});

test('OSV records: JSON kept byte for byte, YAML converted with every scalar a string, non-OSV refused', () => {
  const json = '{"id": "GO-2021-0113",   "affected": []}';
  assert.equal(recordJson('a.json', json).json.toString(), json);
  const yaml = 'id: PYSEC-2020-1\nmodified: 2023-11-07T20:24:23Z\naffected:\n- package: {ecosystem: PyPI, name: x}\n  versions:\n  - 1.10\n  - 2.0\n';
  const doc = JSON.parse(recordJson('a.yaml', yaml).json.toString());
  assert.deepEqual(doc.affected[0].versions, ['1.10', '2.0']);
  assert.equal(doc.modified, '2023-11-07T20:24:23Z');
  assert.throws(() => recordJson('b.json', '{"affected": []}'), /not an OSV record/);
  assert.throws(() => recordJson('c.json', '{"id": "X"'), SyntaxError);
});

test('offline DB layout: one all.zip per ecosystem directory, duplicates and broken files reported', () => {
  const src = join(dir, 'osv');
  mkdirSync(join(src, 'PyPI', 'pkg'), { recursive: true });
  mkdirSync(join(src, 'Go'), { recursive: true });
  writeFileSync(join(src, 'PyPI', 'pkg', 'PYSEC-1.yaml'), 'id: PYSEC-1\naffected: []\n');
  writeFileSync(join(src, 'Go', 'GO-1.json'), '{"id":"GO-1","affected":[]}');
  writeFileSync(join(src, 'Go', 'GO-1-copy.json'), '{"id":"GO-1","affected":[]}');
  writeFileSync(join(src, 'Go', 'broken.json'), '{');
  writeFileSync(join(src, 'Go', 'README.md'), 'not a record');
  const out = join(dir, 'osvdb');
  const r = buildOsvScannerDb(src, out);
  assert.deepEqual(r.ecosystems, { Go: 1, PyPI: 1 });
  assert.equal(r.problems.length, 2);
  assert.deepEqual([...unzip(readFileSync(join(out, 'osv-scanner', 'Go', 'all.zip'))).keys()], ['GO-1.json']);
  assert.deepEqual(readdirSync(join(out, 'osv-scanner')).sort(), ['Go', 'PyPI']);
});

test('synthetic inventory helpers: a version just below a fix, candidates from the advisory, a seeded PRNG', () => {
  assert.equal(below('1.2.3'), '1.2.2');
  assert.equal(below('0.7.0'), '0.6.0');
  assert.equal(below('2.7.17-1ubuntu1.1'), '2.7.17-1ubuntu1.0');
  assert.equal(below('1:2.3-10'), '1:2.3-9');
  assert.equal(below('0'), undefined);
  assert.equal(below('v0.0.0'), undefined);
  const affected = { ranges: [{ events: [{ introduced: '0' }, { fixed: '1.4.2' }, { introduced: '2.0' }, { last_affected: '2.1' }] }], versions: ['0.9', '1.0', '1.1'] };
  assert.deepEqual(candidateVersions(affected), ['1.4.2', '1.4.1', '2.0', '2.1', '1.0', '1.1']);
  const a = prng(42);
  const b = prng(42);
  const xs = Array.from({ length: 5 }, () => a());
  assert.deepEqual(xs, Array.from({ length: 5 }, () => b()));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  assert.notDeepEqual(xs, Array.from({ length: 5 }, prng(43)));
});

test('realistic inventory: SBOM packages copied with distinct ids and paths, ownership copied along', () => {
  const os = { id: 'debian', versionId: '12' };
  const sbom = {
    os,
    packages: [
      { id: 'deb:python3-idna@3.3-1', type: 'deb', name: 'python3-idna', version: '3.3-1', locations: [{ path: '/var/lib/dpkg/status' }] },
      { id: 'pypi:idna@3.3', type: 'pypi', name: 'idna', version: '3.3', locations: [{ path: '/usr/lib/python3/dist-packages/idna' }] },
      { id: 'npm:lodash@4.17.20', type: 'npm', name: 'lodash', version: '4.17.20', locations: [{ path: '/app/node_modules/lodash' }] },
    ],
    relationships: [{ type: 'owned-by', from: 'pypi:idna@3.3', to: 'deb:python3-idna@3.3-1' }],
  };
  const inv = realisticInventory([sbom], 7);
  assert.equal(inv.packages.length, 7);
  assert.equal(new Set(inv.packages.map((p) => p.id)).size, 7);
  assert.deepEqual(inv.packages.map((p) => p.id).slice(3, 6), ['deb:python3-idna@3.3-1#copy1', 'pypi:idna@3.3#copy1', 'npm:lodash@4.17.20#copy1']);
  assert.equal(inv.packages[5].locations[0].path, '/copy1/app/node_modules/lodash');
  assert.equal(inv.packages[5].version, '4.17.20');
  // The third copy of idna (index 7) is cut off, so only two ownerships remain.
  assert.deepEqual(inv.relationships.map((r) => r.from), ['pypi:idna@3.3', 'pypi:idna@3.3#copy1']);
  assert.equal(inv.os, os);
  assert.deepEqual(inv.count, { deb: 3, pypi: 2, npm: 2 });
  assert.throws(() => realisticInventory([{ packages: [] }]), /no packages/);
});

test('findings diff: equal files are equal; a missing, an extra and a changed finding are named', () => {
  const f = (pkg, id, sev) => JSON.stringify({ id, package: { id: pkg }, severity: sev, fixedVersions: ['1.0'] });
  const before = [f('npm:a@1', 'CVE-1', 'high'), f('npm:a@1', 'CVE-2', 'low'), f('npm:b@1', 'CVE-3', 'low')].join('\n');
  assert.equal(diffFindings(before, `${before}\n`).equal, true);
  const after = [f('npm:a@1', 'CVE-1', 'critical'), f('npm:b@1', 'CVE-3', 'low'), f('npm:c@1', 'CVE-4', 'low')].join('\n');
  const d = diffFindings(before, after);
  assert.equal(d.equal, false);
  assert.deepEqual([d.onlyBefore, d.onlyAfter, d.changed], [1, 1, 1]);
  assert.deepEqual(d.examples, [
    { key: 'npm:a@1\tCVE-2', only: 'before' },
    { key: 'npm:c@1\tCVE-4', only: 'after' },
    { key: 'npm:a@1\tCVE-1', fields: ['severity'] },
  ]);
  assert.throws(() => diffFindings(`${before}\n${f('npm:a@1', 'CVE-1', 'high')}`, before), /two findings/);
});

test('comparison: records by normalized package, reasons from both inventories', () => {
  const ours = {
    os: { id: 'debian', versionId: '12' },
    findings: [
      { id: 'CVE-1', package: { type: 'golang', name: 'stdlib', version: 'v1.19.8' }, evidence: [{ advisory: 'GO-1' }] },
      { id: 'CVE-2', package: { type: 'pypi', name: 'Foo_Bar', version: '1.0' }, evidence: [{ advisory: 'PYSEC-2' }, { advisory: 'PYSEC-3' }] },
      { id: 'CVE-9', package: { type: 'cargo', name: 'smallvec', version: '1.0.0' }, evidence: [{ advisory: 'RUSTSEC-9' }] },
    ],
  };
  const theirs = {
    results: [
      { source: { path: '/usr/bin/a' }, packages: [{ package: { ecosystem: 'Go', name: 'stdlib', version: '1.19.8' }, vulnerabilities: [{ id: 'GO-1' }], groups: [{ ids: ['GO-1'] }] }] },
      { source: { path: '/usr/bin/b' }, packages: [{ package: { ecosystem: 'Go', name: 'stdlib', version: '1.19.8' }, vulnerabilities: [{ id: 'GO-1' }], groups: [{ ids: ['GO-1'] }] }] },
      { source: { path: '/x' }, packages: [{ package: { ecosystem: 'PyPI', name: 'foo-bar', version: '1.0' }, vulnerabilities: [{ id: 'PYSEC-2' }, { id: 'PYSEC-3' }], groups: [{ ids: ['PYSEC-2'] }, { ids: ['PYSEC-3'] }] }] },
      { source: { path: '/y' }, packages: [{ package: { ecosystem: 'PyPI', name: 'certifi', version: '2022.9.24' }, vulnerabilities: [{ id: 'PYSEC-4' }] }] },
      { source: { path: '/z' }, packages: [{ package: { ecosystem: 'PyPI', name: 'gone', version: '1' }, vulnerabilities: [{ id: 'PYSEC-5' }] }] },
    ],
  };
  const sbom = {
    os: { id: 'debian', versionId: '12' },
    packages: [
      { id: 'p1', type: 'pypi', name: 'certifi', version: '2022.9.24' },
      { id: 'd1', type: 'deb', name: 'python3-certifi', version: '2022.9.24-1' },
      { id: 'g1', type: 'golang', name: 'stdlib', version: 'v1.19.8' },
    ],
    relationships: [{ from: 'p1', to: 'd1', type: 'owned-by' }],
  };
  const o = oursFindings(ours);
  const t = theirsFindings(theirs);
  assert.equal(t.rows, 6, 'one row per file');
  const c = compareFindings(o, t, oursInventory(sbom), theirsInventory(theirs));
  assert.equal(c.equal, 3);
  assert.deepEqual([...c.onlyOurs.values()].flat(), ['crates.io smallvec@1.0.0 RUSTSEC-9']);
  assert.match([...c.onlyOurs.keys()][0], /did not catalog/);
  const theirsOnly = Object.fromEntries([...c.onlyTheirs].map(([k, v]) => [k.split(':')[0], v]));
  assert.deepEqual(theirsOnly['owned by an OS package'], ['PyPI certifi@2022.9.24 PYSEC-4 (d1)']);
  assert.deepEqual(theirsOnly['we did not catalog this package@version'], ['PyPI gone@1 PYSEC-5']);
  assert.equal(pkgKey('Go', 'stdlib', 'v1.2.3'), pkgKey('Go', 'stdlib', '1.2.3'));
  assert.equal(countByEcosystem(oursInventory(sbom).keys), 'Debian:12 1, Go 1, PyPI 1');
});

test('profile summary: self and inclusive time of a real CPU profile', () => {
  const profDir = join(dir, 'prof');
  const script = 'function spin(){const t=Date.now();let x=0;while(Date.now()-t<150)x+=Math.sqrt(x+1);return x} spin()';
  const r = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', profDir, '-e', script]);
  assert.equal(r.status, 0);
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  const s = summarizeProfile(join(profDir, file), 10);
  assert.ok(s.totalMs >= 100, `sampled ${s.totalMs} ms`);
  const spin = s.inclusive.find(([k]) => k.startsWith('spin '));
  assert.ok(spin && spin[1] >= 100, JSON.stringify(s.inclusive));
});

test('source maps: VLQ segments decode, generated positions map back to the TypeScript line', () => {
  assert.deepEqual(decodeVlq('AAAA'), [0, 0, 0, 0]);
  assert.deepEqual(decodeVlq('D'), [-1]);
  assert.deepEqual(decodeVlq('gB'), [16]);
  assert.deepEqual(decodeVlq('2HwBA'), [123, 24, 0]);
  assert.throws(() => decodeVlq('A*'), /bad VLQ/);
  // Generated line 0 maps to source line 0; generated line 1 col 4 to source line 2, col 10 to line 3.
  const lookup = sourceMapLookup({ sources: ['../../src/a.ts'], mappings: 'AAAA;IAEA,MACA' });
  assert.deepEqual(lookup(0, 0), { source: '../../src/a.ts', line: 1 });
  assert.deepEqual(lookup(1, 5), { source: '../../src/a.ts', line: 3 });
  assert.deepEqual(lookup(1, 12), { source: '../../src/a.ts', line: 4 });
  assert.equal(lookup(7, 0), undefined);
});

test('findings check: the same hash in every process, compared with the recorded one for the recorded inventory only', () => {
  const recorded = { inventorySha256: 'inv-1', findings: 2, findingsSha256: 'f-1' };
  assert.deepEqual(checkFindings('inv-1', ['f-1', 'f-1'], recorded), { deterministic: true, sha256: 'f-1', verdict: 'equal' });
  assert.deepEqual(checkFindings('inv-1', ['f-2', 'f-2'], recorded), { deterministic: true, sha256: 'f-2', verdict: 'differs' });
  assert.deepEqual(checkFindings('inv-1', ['f-1', 'f-2'], recorded), { deterministic: false, sha256: undefined, verdict: 'differs' });
  assert.deepEqual(checkFindings('inv-2', ['f-1'], recorded), { deterministic: true, sha256: 'f-1', verdict: 'other-inventory' });
  assert.deepEqual(checkFindings('inv-1', ['f-1'], undefined), { deterministic: true, sha256: 'f-1', verdict: 'not-recorded' });
  // The hash is that of the JSON lines match.mjs writes (what sha256sum of the file prints).
  const lines = findingsLines([{ id: 'CVE-1', package: { id: 'npm:a@1' } }, { id: 'CVE-2', package: { id: 'npm:a@1' } }]);
  assert.equal(lines, '{"id":"CVE-1","package":{"id":"npm:a@1"}}\n{"id":"CVE-2","package":{"id":"npm:a@1"}}\n');
  assert.equal(sha256(lines), createHash('sha256').update(lines).digest('hex'));
  assert.equal(findingsSha256([{ id: 'CVE-1', package: { id: 'npm:a@1' } }, { id: 'CVE-2', package: { id: 'npm:a@1' } }]), sha256(lines));
  const file = join(dir, 'expected.json');
  writeRecorded(file, { worst: recorded }, 'test');
  assert.deepEqual(readRecorded(file), { about: 'test', worst: recorded });
  assert.deepEqual(readRecorded(join(dir, 'none.json')), {});
});
