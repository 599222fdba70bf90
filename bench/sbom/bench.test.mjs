// Checks of the benchmark's own pieces (the benchmark is excluded from vitest):
//   node --test bench/sbom/
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { debKeys, langKeys, npmLsKeys } from './count.mjs';
import { decompressAll } from './floor.mjs';
import { gzipDockerArchive } from './gzip-docker-archive.mjs';
import { measure, median } from './measure.mjs';
import { report } from './report.mjs';

const dir = mkdtempSync(join(tmpdir(), 'pc-bench-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function writeTar(file, entries) {
  const pack = tar.pack();
  for (const [name, body] of entries) pack.entry({ name }, body);
  pack.finalize();
  const chunks = [];
  for await (const c of pack) chunks.push(c);
  writeFileSync(file, Buffer.concat(chunks));
}

test('floor gunzips every gzip blob and skips the others', async () => {
  const a = Buffer.alloc(300_000, 'a');
  const b = Buffer.from('x'.repeat(70_000));
  const file = join(dir, 'oci.tar');
  await writeTar(file, [
    ['index.json', Buffer.from('{"schemaVersion":2}')],
    ['blobs/sha256/1', gzipSync(a)],
    ['blobs/sha256/2', gzipSync(b)],
    ['blobs/sha256/empty', Buffer.alloc(0)],
  ]);
  const stats = await decompressAll(file);
  assert.equal(stats.layers, 2);
  assert.equal(stats.uncompressedBytes, a.length + b.length);
  assert.equal(stats.compressedBytes, gzipSync(a).length + gzipSync(b).length);
});

test('floor rejects a corrupt gzip layer instead of under-reporting it', async () => {
  const gz = gzipSync(Buffer.alloc(100_000, 'z'));
  const file = join(dir, 'corrupt.tar');
  await writeTar(file, [['blobs/sha256/1', gz.subarray(0, gz.length - 20)]]);
  await assert.rejects(decompressAll(file));
});

test('gzip-docker-archive compresses layer.tar entries and keeps everything else', async () => {
  const layer = Buffer.alloc(50_000, 'l');
  const input = join(dir, 'docker.tar');
  const output = join(dir, 'docker-gz.tar');
  await writeTar(input, [
    ['abc/layer.tar', layer],
    ['manifest.json', Buffer.from('[{"Layers":["abc/layer.tar"]}]')],
  ]);
  await gzipDockerArchive(input, output);
  const stats = await decompressAll(output);
  assert.equal(stats.layers, 1);
  assert.equal(stats.uncompressedBytes, layer.length);
  assert.ok(readFileSync(output).includes('[{"Layers":["abc/layer.tar"]}]'));
});

test('deb counting reads the purls of our inventory, syft-json and CycloneDX alike', () => {
  const ours = { packages: [{ purl: 'pkg:deb/debian/libc6@2.36-9?arch=amd64' }, { purl: 'pkg:npm/left-pad@1.0.0' }] };
  const syft = { artifacts: [{ purl: 'pkg:deb/debian/libc6@2.36-9?arch=amd64&distro=debian-12' }, { purl: 'pkg:deb/debian/tzdata@2024a?arch=all' }] };
  const cdx = { components: [{ purl: 'pkg:deb/debian/libc6@2.36-9?arch=amd64&distro=debian-12.8', components: [{ purl: 'pkg:deb/debian/bash@5.2' }] }] };
  assert.deepEqual([...debKeys(ours)], ['libc6:amd64']);
  assert.deepEqual([...debKeys(syft)].sort(), ['libc6:amd64', 'tzdata:all']);
  assert.deepEqual([...debKeys(cdx)].sort(), ['bash:', 'libc6:amd64']);
});

test('npm counting keeps packages under the app prefix, from our inventory, syft-json and Trivy CycloneDX alike', () => {
  const prefix = '/srv/app/node_modules/';
  const ours = { packages: [
    { purl: 'pkg:npm/%40babel/core@7.24.5', locations: [{ path: '/srv/app/node_modules/@babel/core/package.json' }] },
    { purl: 'pkg:npm/debug@4.3.4', locations: [{ path: '/usr/share/nodejs/debug/package.json' }] },
  ] };
  const syft = { artifacts: [{ purl: 'pkg:npm/ms@2.1.3', locations: [{ path: '/srv/app/node_modules/debug/node_modules/ms/package.json' }] }] };
  const cdx = { components: [{ purl: 'pkg:npm/ms@2.1.3', properties: [{ name: 'aquasecurity:trivy:FilePath', value: 'srv/app/node_modules/ms/package.json' }] }, { purl: 'pkg:npm/x@1' }] };
  assert.deepEqual([...langKeys(ours, 'npm', prefix)], ['@babel/core@7.24.5']);
  assert.deepEqual([...langKeys(syft, 'npm', prefix)], ['ms@2.1.3']);
  assert.deepEqual([...langKeys(cdx, 'npm', prefix)], ['ms@2.1.3']);
  const tree = { dependencies: { debug: { version: '4.3.4', dependencies: { ms: { version: '2.1.2' } } }, ms: { version: '2.1.3' }, x: { version: '1.0.0', dependencies: { ms: { version: '2.1.3' } } } } };
  assert.deepEqual([...npmLsKeys(tree)].sort(), ['debug@4.3.4', 'ms@2.1.2', 'ms@2.1.3', 'x@1.0.0']);
});

test('language counting keys pypi, maven and golang purls of all three tools the way the ecosystems name them', () => {
  const ours = { packages: [
    { purl: 'pkg:pypi/charset-normalizer@3.0.1' },
    { purl: 'pkg:pypi/Django@4.2.13' },
    { purl: 'pkg:maven/org.springframework/spring-core@6.1.6' },
    { purl: 'pkg:golang/example.com/app' },
    { purl: 'pkg:golang/github.com/cespare/xxhash/v2@v2.3.0' },
    { purl: 'pkg:golang/stdlib@v1.26.8' },
  ] };
  const syft = { artifacts: [
    { purl: 'pkg:pypi/charset_normalizer@3.0.1' },
    { purl: 'pkg:golang/example.com/app@%28devel%29' },
    { purl: 'pkg:golang/github.com/cespare/xxhash@v2.3.0#v2' },
    { purl: 'pkg:golang/stdlib@go1.26.8' },
    { purl: 'pkg:maven/org.springframework/spring-core@6.1.6?type=jar' },
  ] };
  const cdx = { components: [{ purl: 'pkg:pypi/PyYAML@6.0.1', components: [{ purl: 'pkg:golang/gopkg.in/yaml.v3@v3.0.1' }] }] };
  assert.deepEqual([...langKeys(ours, 'pypi')].sort(), ['charset-normalizer@3.0.1', 'django@4.2.13']);
  assert.deepEqual([...langKeys(syft, 'pypi')], ['charset-normalizer@3.0.1']);
  assert.deepEqual([...langKeys(cdx, 'pypi')], ['pyyaml@6.0.1']);
  assert.deepEqual([...langKeys(ours, 'maven')], ['org.springframework:spring-core@6.1.6']);
  assert.deepEqual([...langKeys(syft, 'maven')], ['org.springframework:spring-core@6.1.6']);
  const golang = ['example.com/app@(devel)', 'github.com/cespare/xxhash/v2@2.3.0', 'stdlib@1.26.8'];
  assert.deepEqual([...langKeys(ours, 'golang')].sort(), golang);
  assert.deepEqual([...langKeys(syft, 'golang')].sort(), golang);
  assert.deepEqual([...langKeys(cdx, 'golang')], ['gopkg.in/yaml.v3@3.0.1']);
});

test('lang-truth.py reads python metadata, pom.properties in nested jars and Maven repository names', () => {
  const root = join(dir, 'rootfs');
  const repo = join(dir, 'm2');
  const here = dirname(fileURLToPath(import.meta.url));
  // Archives are made by Python's zipfile: a jar with pom.properties, a jar without, a fat
  // jar nesting both, Debian's maven-repo link to the bare one, an unknown bare jar.
  const make = `
import os, sys, zipfile, io
root, repo = sys.argv[1], sys.argv[2]
def jar(entries):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        for n, d in entries.items(): z.writestr(n, d)
    return b.getvalue()
withpom = jar({"META-INF/maven/org.example/a/pom.properties": "groupId=org.example\\nartifactId=a\\nversion=1.0\\n"})
bare = jar({"org/example/B.class": "b"})
fat = jar({"BOOT-INF/lib/a-1.0.jar": withpom, "BOOT-INF/lib/b-2.0.jar": bare})
def put(p, data, text=False):
    os.makedirs(os.path.dirname(p), exist_ok=True)
    open(p, "w" if text else "wb").write(data)
put(f"{root}/srv/app.jar", fat)
put(f"{repo}/org/example/b/2.0/b-2.0.jar", bare)
put(f"{root}/usr/share/java/c.jar", jar({"c/C.class": "c"}))
put(f"{root}/usr/share/java/d.jar", jar({"d/D.class": "d"}))
os.makedirs(f"{root}/usr/share/maven-repo/org/example/c/3.0")
os.symlink("../../../../../java/c.jar", f"{root}/usr/share/maven-repo/org/example/c/3.0/c-3.0.jar")
put(f"{root}/opt/venv/lib/python3.11/site-packages/Foo_Bar-1.2.dist-info/METADATA", "Metadata-Version: 2.1\\nName: Foo_Bar\\nVersion: 1.2\\n", True)
`;
  const made = spawnSync('python3', ['-c', make, root, repo], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  const r = spawnSync('python3', [join(here, 'lang-truth.py'), root, repo], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const truth = JSON.parse(r.stdout);
  assert.deepEqual(truth.pypi, ['foo-bar@1.2']);
  assert.deepEqual(truth.pypiDirs, ['opt/venv/lib/python3.11/site-packages']);
  assert.deepEqual(truth.maven, ['org.example:a@1.0', 'org.example:b@2.0', 'org.example:c@3.0']);
  assert.equal(truth.mavenArchives, 5);
  assert.deepEqual(truth.mavenUnidentified.sort(), ['/srv/app.jar', '/usr/share/java/d.jar']);
  assert.deepEqual(truth.golang, []);
});

test('measure reports wall time, peak RSS, CPU time and the exit code', async () => {
  // Filling 150 MiB costs CPU; the 300 ms sleep costs none, so CPU time stays below wall time.
  const script = 'const b = Buffer.alloc(150 * 2 ** 20, 1); setTimeout(() => process.exit(b[0] === 1 ? 3 : 4), 300)';
  const m = await measure(process.execPath, ['-e', script]);
  assert.equal(m.code, 3);
  assert.ok(m.rssMB > 150, `rss ${m.rssMB}`);
  assert.ok(m.ms >= 300, `ms ${m.ms}`);
  assert.ok(m.cpuMs > 0 && m.cpuMs < m.ms, `cpu ${m.cpuMs} ms, wall ${m.ms} ms`);
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
});

test('report prints either image alone or both, verdicts in the results block', () => {
  const x = (ms, rssMB, cpuMs = ms) => ({ ok: true, ms, rssMB, cpuMs });
  const keys = (n, p = 'k') => new Set(Array.from({ length: n }, (_, i) => `${p}${i}@1`));
  const debian = {
    ref: 'oci-archive:a.tar',
    floor: x(1000, 90),
    ours: { cold: x(1200, 150), warm: x(50, 100), shared: x(60, 100), same: { warm: { same: true }, shared: { same: true } } },
    syft: x(5000, 900),
    trivy: { missing: 'not installed' },
    truth: 3,
    debs: { ours: new Set(['a:amd64', 'b:amd64', 'c:all']) },
  };
  const truthKeys = { npm: keys(3), pypi: keys(2), maven: keys(2), golang: keys(1) };
  const lang = {
    ref: 'oci-archive:l.tar',
    floor: x(1000, 90, 900),
    ours: { cold: x(1500, 210, 1800) },
    pairs: [{ wall: 1.5, cpu: 2 }],
    syft: x(9000, 600),
    trivy: x(2000, 200),
    keys: { ours: { ...truthKeys, maven: keys(2, 'm') }, syft: truthKeys, trivy: undefined },
    truth: { keys: truthKeys, notes: { mavenArchives: 2, mavenFromRepository: 1, mavenUnidentified: [] } },
    files: 25000,
  };
  const capture = (args) => {
    const lines = [];
    const log = console.log;
    console.log = (s = '') => lines.push(String(s));
    try {
      report(args);
    } finally {
      console.log = log;
    }
    return lines;
  };
  const both = capture({ debian, lang });
  // Target lines are looked up in the results block, where the verdicts are.
  const at = (lines, label) => lines.slice(lines.indexOf('=== results (this run) ===')).find((l) => l.trimStart().startsWith(label)) ?? '';
  assert.match(at(both, 'ours/floor'), /1\.200×.*PASS/);
  assert.match(at(both, 'ours/trivy'), /NOT RUN \(not installed\)/);
  assert.match(at(both, 'ours debs vs dpkg'), /3.*= 3.*PASS/);
  assert.match(at(both, 'lang ours/floor '), /1\.500×.*FAIL/);
  assert.match(at(both, 'lang ours/floor CPU time'), /2\.000×/);
  assert.match(at(both, 'lang ours peak RSS'), /210 MB.*FAIL/);
  assert.match(at(both, 'lang ours npm = truth'), /PASS/);
  assert.match(at(both, 'lang ours maven = truth'), /FAIL/);
  assert.match(both.find((l) => l.includes('maven ours vs truth')) ?? '', /only ours: 2 .*only truth: 2/);
  assert.ok(both.indexOf('=== results (this run) ===') > both.findIndex((l) => l.includes('packages per ecosystem')));
  const alone = capture({ lang });
  assert.equal(alone.some((l) => l.includes('=== SBOM benchmark ===')), false);
  assert.match(at(alone, 'lang ours/trivy'), /0\.750×.*PASS/);
});

test('sameFields compares the named fields in full and names the first difference', async () => {
  const { sameFields } = await import('./same.mjs');
  const a = { createdAt: '1', packages: [{ id: 'x', layer: { index: 0 } }], os: { id: 'debian' } };
  assert.deepEqual(sameFields(a, { ...a, createdAt: '2' }, ['packages', 'os']), { same: true });
  const moved = sameFields(a, { ...a, packages: [{ id: 'x', layer: { index: 1 } }] }, ['packages', 'os']);
  assert.equal(moved.same, false);
  assert.match(moved.diff, /^packages differs/);
  assert.equal(sameFields(a, {}, ['os']).same, false);
});
