// Pulls from a real docker-registry (distribution 2.8) that skopeo pushed to.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPortcullisError } from '../../core/errors.js';
import { pushImage, readLayerTars, type RunningRegistry, startRegistry, type TestImage, type WrittenImage, writeOciLayout } from '../../../test/helpers/registry.js';
import { tmpDirPool } from '../../../test/helpers/tmp.js';
import { analyzeLayer } from '../layers/analyze-layer.js';
import { openRegistryImage } from './index.js';

const dirs = tmpDirPool('registry-src');
const registries: RunningRegistry[] = [];

const BASE: TestImage = {
  env: ['PATH=/usr/bin', 'PORTCULLIS=1'],
  labels: { 'org.example.team': 'sec' },
  cmd: ['/bin/app', '--serve'],
  layers: [
    { files: { 'etc/os-release': 'ID=test\n', 'etc/passwd': 'root:x:0:0::/root:/bin/sh\n' }, createdBy: 'ADD rootfs /' },
    { files: { 'app/main.js': 'console.log(1)\n' }, createdBy: 'COPY app /app' },
  ],
};

async function layout(tag: string, images: readonly TestImage[]) {
  const dir = await dirs.make();
  const written = await writeOciLayout(dir, tag, images);
  return { dir, ...written };
}

async function expectCode(p: Promise<unknown>, code: string): Promise<Error> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(isPortcullisError(err) ? err.code : err).toBe(code);
  return err as Error;
}

/** Everything a pull must get right, checked against what the test wrote. */
async function expectImage(ref: string, opts: Parameters<typeof openRegistryImage>[1], want: WrittenImage, compression: string[]) {
  const img = await openRegistryImage(ref, opts);
  const md = img.metadata;
  expect(md.source).toBe('registry');
  expect(md.reference).toBe(ref);
  expect(md.layers.map((l) => l.diffId)).toEqual(want.diffIds);
  expect(md.layers.map((l) => l.createdBy)).toEqual(['ADD rootfs /', 'COPY app /app']);
  expect(md.config.env).toEqual(['PATH=/usr/bin', 'PORTCULLIS=1']);
  expect(md.config.labels).toEqual({ 'org.example.team': 'sec' });
  expect(md.config.cmd).toEqual(['/bin/app', '--serve']);
  expect(md.config.history.filter((h) => h.emptyLayer)).toHaveLength(1);
  expect(md.manifestDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
  const layers = await readLayerTars(img);
  expect(layers.map((l) => l.diffId)).toEqual(want.diffIds);
  expect(layers.map((l) => l.compression)).toEqual(compression);
  expect(layers.map((l) => l.digest)).toEqual(md.layers.map((l) => l.digest));
  expect(layers[1]?.tar.includes(Buffer.from('console.log(1)'))).toBe(true);
  await img.close();
  return img;
}

afterAll(async () => {
  await Promise.all(registries.map((r) => r.stop()));
  await dirs.removeAll();
});

describe('anonymous registry', () => {
  let reg: RunningRegistry;
  let base: Awaited<ReturnType<typeof layout>>;
  beforeAll(async () => {
    reg = await startRegistry();
    registries.push(reg);
    base = await layout('v1', [BASE]);
    await pushImage(`oci:${base.dir}:v1`, reg, 'team/app:v1');
  });

  it('pulls an OCI image: metadata, tags, digests and layer bytes', async () => {
    const ref = `${reg.host}/team/app:v1`;
    const img = await expectImage(ref, { insecure: true }, base.images[0] as WrittenImage, ['gzip', 'gzip']);
    const md = img.metadata;
    expect(md.tags).toEqual([`${reg.host}/team/app:v1`]);
    expect(md.layers.every((l) => l.mediaType === 'application/vnd.oci.image.layer.v1.tar+gzip')).toBe(true);
    // The registry's own idea of the manifest digest matches ours.
    const head = await fetch(`http://${reg.host}/v2/team/app/manifests/v1`, { method: 'HEAD', headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
    expect(md.manifestDigest).toBe(head.headers.get('docker-content-digest'));
    expect(md.repoDigests).toEqual([`${reg.host}/team/app@${md.manifestDigest}`]);
    // Pull by digest gives the same image.
    const byDigest = await openRegistryImage(`${reg.host}/team/app@${md.manifestDigest}`, { insecure: true });
    expect(byDigest.metadata.configDigest).toBe(md.configDigest);
    expect(byDigest.metadata.tags).toEqual([]);
  });

  it('pulls a Docker schema2 image', async () => {
    await pushImage(`oci:${base.dir}:v1`, reg, 'team/docker:v1', ['--format', 'v2s2']);
    const img = await expectImage(`${reg.host}/team/docker:v1`, { insecure: true }, base.images[0] as WrittenImage, ['gzip', 'gzip']);
    expect(img.metadata.layers.every((l) => l.mediaType === 'application/vnd.docker.image.rootfs.diff.tar.gzip')).toBe(true);
  });

  it('pulls zstd and uncompressed layers as they are stored', async () => {
    const mixed = await layout('v1', [{ ...BASE, layers: [{ ...BASE.layers[0], compression: 'none' }, { ...BASE.layers[1], compression: 'zstd' }] as TestImage['layers'] }]);
    await pushImage(`oci:${mixed.dir}:v1`, reg, 'team/mixed:v1', ['--preserve-digests']);
    const img = await expectImage(`${reg.host}/team/mixed:v1`, { insecure: true }, mixed.images[0] as WrittenImage, ['none', 'zstd']);
    expect(img.metadata.layers.map((l) => l.mediaType)).toEqual(['application/vnd.oci.image.layer.v1.tar', 'application/vnd.oci.image.layer.v1.tar+zstd']);
  });

  it('selects a platform from a multi-platform index', async () => {
    const arm: TestImage = { ...BASE, architecture: 'arm64', variant: 'v8', layers: [BASE.layers[0], { files: { 'app/main.js': 'console.log(1) // arm\n' }, createdBy: 'COPY app /app' }] as TestImage['layers'] };
    const multi = await layout('v1', [BASE, arm]);
    await pushImage(`oci:${multi.dir}:v1`, reg, 'team/multi:v1', ['--all']);
    const ref = `${reg.host}/team/multi:v1`;
    const amd = await expectImage(ref, { insecure: true }, multi.images[0] as WrittenImage, ['gzip', 'gzip']);
    expect(amd.metadata.config.architecture).toBe('amd64');
    const arm64 = await expectImage(ref, { insecure: true, platform: 'linux/arm64' }, multi.images[1] as WrittenImage, ['gzip', 'gzip']);
    expect(arm64.metadata.config).toMatchObject({ architecture: 'arm64', variant: 'v8' });
    expect(arm64.metadata.manifestDigest).toBe(multi.images[1]?.manifestDigest);
    expect(arm64.metadata.repoDigests).toEqual([`${reg.host}/team/multi@${multi.indexDigest}`]);
    const err = await expectCode(openRegistryImage(ref, { insecure: true, platform: 'linux/s390x' }), 'IMAGE_PLATFORM');
    expect(err.message).toContain('linux/amd64');
    expect(err.message).toContain('linux/arm64/v8');
  });

  it('feeds the real layer reader (analyzeLayer): diffIDs and captured files match', async () => {
    const img = await openRegistryImage(`${reg.host}/team/app:v1`, { insecure: true });
    const diffIds: string[] = [];
    let osRelease = '';
    await img.readLayers(() => true, async (blob, meta) => {
      const a = await analyzeLayer(blob, { wants: (p) => p === '/etc/os-release', maxFileSize: () => 1 << 20, maxLayerBytes: 1 << 30, label: meta?.digest ?? '' });
      diffIds.push(a.diffId);
      osRelease ||= a.captured.get('/etc/os-release')?.toString() ?? '';
    });
    expect(diffIds).toEqual(img.metadata.layers.map((l) => l.diffId));
    expect(osRelease).toBe('ID=test\n');
  });

  it('reports a missing repository or tag as IMAGE_NOT_FOUND', async () => {
    await expectCode(openRegistryImage(`${reg.host}/team/app:nope`, { insecure: true }), 'IMAGE_NOT_FOUND');
    await expectCode(openRegistryImage(`${reg.host}/nobody/here:v1`, { insecure: true }), 'IMAGE_NOT_FOUND');
  });

  it('reads only the wanted layers', async () => {
    const img = await openRegistryImage(`${reg.host}/team/app:v1`, { insecure: true });
    const seen: string[] = [];
    await img.readLayers((l) => l.index === 1, async (blob, meta) => {
      seen.push(meta?.diffId ?? '');
      blob.resume();
      await new Promise((r) => blob.on('end', r));
    });
    expect(seen).toEqual([base.images[0]?.diffIds[1]]);
  });

  it('refuses HTTPS-less pulls without --insecure (tries TLS, which a plain HTTP server fails)', async () => {
    const err = await openRegistryImage(`${reg.host}/team/app:v1`, {}).then(() => undefined, (e: unknown) => e);
    expect(isPortcullisError(err) && ['REGISTRY_UNREACHABLE', 'REGISTRY_PROTOCOL'].includes(err.code)).toBe(true);
  });
});

describe.each(['basic', 'token'] as const)('%s auth', (auth) => {
  let reg: RunningRegistry;
  let base: Awaited<ReturnType<typeof layout>>;
  beforeAll(async () => {
    reg = await startRegistry({ auth });
    registries.push(reg);
    base = await layout('v1', [BASE]);
    await pushImage(`oci:${base.dir}:v1`, reg, 'private/app:v1');
  });

  it('pulls with credentials from options', async () => {
    await expectImage(`${reg.host}/private/app:v1`, { insecure: true, username: reg.username ?? '', password: reg.password ?? '' }, base.images[0] as WrittenImage, ['gzip', 'gzip']);
  });

  it('refuses a wrong password and a missing one with REGISTRY_AUTH', async () => {
    await expectCode(openRegistryImage(`${reg.host}/private/app:v1`, { insecure: true, username: reg.username ?? '', password: 'wrong' }), 'REGISTRY_AUTH');
    await expectCode(openRegistryImage(`${reg.host}/private/app:v1`, { insecure: true, dockerConfig: '/nonexistent/config.json' }), 'REGISTRY_AUTH');
  });

  it('pulls with credentials from a docker config.json (auths, with a missing cred helper ignored)', async () => {
    const dir = await dirs.make();
    const config = join(dir, 'config.json');
    const auth64 = Buffer.from(`${reg.username}:${reg.password}`).toString('base64');
    await writeFile(config, JSON.stringify({ auths: { [`http://${reg.host}`]: { auth: auth64 } }, credHelpers: { 'other.example': 'does-not-exist' }, credsStore: 'no-such-store' }));
    await expectImage(`${reg.host}/private/app:v1`, { insecure: true, dockerConfig: config }, base.images[0] as WrittenImage, ['gzip', 'gzip']);
    await writeFile(config, JSON.stringify({ auths: { [reg.host]: { username: reg.username, password: reg.password } } }));
    await expectImage(`${reg.host}/private/app:v1`, { insecure: true, dockerConfig: config }, base.images[0] as WrittenImage, ['gzip', 'gzip']);
  });
});
