// Checks of the benchmark's own pieces (the benchmark is excluded from vitest):
//   node --test bench/sbom/
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { debKeys, npmKeys, npmLsKeys } from './count.mjs';
import { decompressAll } from './floor.mjs';
import { gzipDockerArchive } from './gzip-docker-archive.mjs';
import { measure, median } from './measure.mjs';

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
  assert.deepEqual([...npmKeys(ours, prefix)], ['@babel/core@7.24.5']);
  assert.deepEqual([...npmKeys(syft, prefix)], ['ms@2.1.3']);
  assert.deepEqual([...npmKeys(cdx, prefix)], ['ms@2.1.3']);
  const tree = { dependencies: { debug: { version: '4.3.4', dependencies: { ms: { version: '2.1.2' } } }, ms: { version: '2.1.3' }, x: { version: '1.0.0', dependencies: { ms: { version: '2.1.3' } } } } };
  assert.deepEqual([...npmLsKeys(tree)].sort(), ['debug@4.3.4', 'ms@2.1.2', 'ms@2.1.3', 'x@1.0.0']);
});

test('measure reports wall time, peak RSS and the exit code', async () => {
  const script = 'const b = Buffer.alloc(150 * 2 ** 20, 1); setTimeout(() => process.exit(b[0] === 1 ? 3 : 4), 50)';
  const m = await measure(process.execPath, ['-e', script]);
  assert.equal(m.code, 3);
  assert.ok(m.rssMB > 150, `rss ${m.rssMB}`);
  assert.ok(m.ms >= 50, `ms ${m.ms}`);
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
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
