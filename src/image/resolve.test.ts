import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPortcullisError } from '../core/errors.js';
import { buildImages, readAllLayers, run, type BuiltImages } from './archive/testdata/docker-fixture.js';
import { openImage, parseSourceRef } from './resolve.js';
import type { ImageMetadata, OpenedImage } from './types.js';

let built: BuiltImages;
let scratch: string;

beforeAll(() => {
  built = buildImages();
  scratch = mkdtempSync(join(tmpdir(), 'portcullis-resolve-'));
}, 180_000);

afterAll(() => {
  built?.cleanup();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** A throw-away docker-registry (distribution) on a free loopback port, storage in `dir`. */
async function startRegistry(dir: string): Promise<{ port: number; stop: () => void }> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  const config = join(dir, 'registry.yml');
  writeFileSync(config, `version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: ${join(dir, 'registry')}}}\nhttp: {addr: 127.0.0.1:${port}}\n`);
  const child = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
  const stop = (): void => {
    child.kill();
  };
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`http://127.0.0.1:${port}/v2/`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return { port, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  stop();
  throw new Error('docker-registry did not start');
}

/** The fields every source must agree on. */
function comparable(m: ImageMetadata) {
  return {
    diffIds: m.layers.map((l) => l.diffId),
    createdBy: m.layers.map((l) => l.createdBy),
    env: m.config.env,
    user: m.config.user,
    labels: m.config.labels,
    os: m.config.os,
    architecture: m.config.architecture,
  };
}

async function withImage<T>(input: string, fn: (img: OpenedImage) => Promise<T>): Promise<T> {
  const img = await openImage(input, {});
  try {
    return await fn(img);
  } finally {
    await img.close();
  }
}

describe('parseSourceRef', () => {
  it('honours Syft prefixes and splits a :tag selector off existing paths', () => {
    expect(parseSourceRef(`docker-archive:${built.dockerArchive}`)).toEqual({ kind: 'docker-archive', target: built.dockerArchive });
    expect(parseSourceRef(`oci-dir:${built.ociDir}:app`)).toEqual({ kind: 'oci-dir', target: built.ociDir, selector: 'app' });
    expect(parseSourceRef(`oci-archive:${built.ociArchive}`)).toEqual({ kind: 'oci-archive', target: built.ociArchive });
    expect(parseSourceRef('registry:127.0.0.1:5000/app:1')).toEqual({ kind: 'registry', target: '127.0.0.1:5000/app:1' });
    expect(parseSourceRef('docker:alpine:3.18')).toEqual({ kind: 'docker', target: 'alpine:3.18' });
    expect(parseSourceRef(`dir:${scratch}`)).toEqual({ kind: 'dir', target: scratch });
  });

  it('detects unprefixed paths by their content', () => {
    expect(parseSourceRef(built.dockerArchive).kind).toBe('docker-archive');
    expect(parseSourceRef(built.ociArchive).kind).toBe('oci-archive');
    expect(parseSourceRef(built.ociDir).kind).toBe('oci-dir');
    expect(parseSourceRef(`${built.ociDir}:app`)).toMatchObject({ kind: 'oci-dir', selector: 'app' });
    const plain = join(scratch, 'rootfs');
    mkdirSync(plain, { recursive: true });
    expect(parseSourceRef(plain).kind).toBe('dir');
    expect(parseSourceRef('example.org/team/app:1.0')).toEqual({ kind: 'docker', target: 'example.org/team/app:1.0', detected: true });
  });

  it('rejects missing paths and files that are no image', () => {
    const missing = join(scratch, 'nope.tar');
    expect(() => parseSourceRef(missing)).toThrow(expect.objectContaining({ code: 'IMAGE_NOT_FOUND' }));
    const text = join(scratch, 'notes.txt');
    writeFileSync(text, 'just text, not a tar\n');
    expect(() => parseSourceRef(text)).toThrow(expect.objectContaining({ code: 'IMAGE_FORMAT' }));
    expect(() => parseSourceRef('oci-dir:')).toThrow(expect.objectContaining({ code: 'IMAGE_REF_INVALID' }));
  });
});

describe('openImage: four sources of one real image agree', () => {
  it('gives identical metadata and layers hashing to their diffIDs', async () => {
    const inputs = [
      `docker-archive:${built.dockerArchive}`,
      `oci-dir:${built.ociDir}:app`,
      `oci-archive:${built.ociArchive}`,
      `docker:${built.appTag}`,
    ];
    const results = [];
    for (const input of inputs) {
      results.push(
        await withImage(input, async (img) => ({ input, metadata: img.metadata, problems: img.problems, layers: await readAllLayers(img) })),
      );
    }
    const [first] = results;
    if (!first) throw new Error('no result');
    const expected = comparable(first.metadata);
    // What the Dockerfile says: base + COPY + two RUNs; ENV/USER/LABEL are empty layers.
    expect(expected.diffIds).toHaveLength(4);
    expect(expected.createdBy[1]).toMatch(/COPY .*hello\.txt/);
    expect(expected.createdBy[2]).toMatch(/RUN|echo generated/);
    expect(expected.createdBy[3]).toMatch(/rm \/opt\/app\/hello\.txt/);
    expect(expected.env).toContain('APP_MODE=test');
    expect(expected.user).toBe('1000:1000');
    expect(expected.labels).toEqual({ 'org.example.test': 'portcullis' });
    for (const r of results) {
      expect(comparable(r.metadata), r.input).toEqual(expected);
      expect(r.problems, r.input).toEqual([]);
      // Every layer read once, each hashing (decompressed) to a diffID of the image.
      expect(r.layers.map((l) => l.diffId).sort(), r.input).toEqual([...expected.diffIds].sort());
      for (const l of r.layers) if (l.meta) expect(l.diffId, r.input).toBe(l.meta.diffId);
    }
    const byInput = new Map(results.map((r) => [r.input.split(':')[0], r.metadata]));
    expect(byInput.get('docker-archive')?.tags).toEqual([built.appTag]);
    expect(byInput.get('docker')?.tags).toEqual([built.appTag]);
    expect(byInput.get('oci-dir')?.tags).toEqual(['app']);
    // The daemon's image id is the config digest of its `docker save`; skopeo rewrites the
    // config for OCI, so those carry their own (verified) config digest.
    expect(byInput.get('docker')?.configDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(byInput.get('docker-archive')?.configDigest).toBe(byInput.get('docker')?.configDigest);
    expect(byInput.get('oci-dir')?.configDigest).toBe(byInput.get('oci-archive')?.configDigest);
    expect(byInput.get('oci-dir')?.manifestDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
  }, 120_000);

  it('reads only the wanted layers', async () => {
    for (const input of [`docker-archive:${built.dockerArchive}`, `oci-archive:${built.ociArchive}`, `docker:${built.appTag}`]) {
      await withImage(input, async (img) => {
        const top = img.metadata.layers.at(-1);
        const read = await readAllLayers(img, (l) => l.index === top?.index);
        expect(read, input).toHaveLength(1);
        expect(read[0]?.meta?.diffId, input).toBe(top?.diffId);
        expect(read[0]?.diffId, input).toBe(top?.diffId);
      });
    }
  }, 60_000);

  it('opens an unprefixed local name from the daemon', async () => {
    const meta = await withImage(built.baseTag, async (img) => img.metadata);
    expect(meta.source).toBe('docker');
    expect(meta.tags).toEqual([built.baseTag]);
    expect(meta.layers).toHaveLength(1);
    // This one takes its history from /history (the sizes identify the layer): still the same.
    const saved = await withImage(built.baseArchive, async (img) => img.metadata);
    expect(comparable(meta)).toEqual(comparable(saved));
    expect(meta.configDigest).toBe(saved.configDigest);
  });

  it('falls back to the registry when the daemon lacks an unprefixed reference', async () => {
    const reg = await startRegistry(scratch);
    try {
      const ref = `127.0.0.1:${reg.port}/portcullis/app:1`;
      run('skopeo', ['copy', '-q', '--dest-tls-verify=false', `docker-archive:${built.dockerArchive}`, `docker://${ref}`]);
      const viaRegistry = await openImage(ref, { insecure: true });
      expect(viaRegistry.metadata.source).toBe('registry');
      const saved = await withImage(`docker-archive:${built.dockerArchive}`, async (img) => img.metadata);
      expect(comparable(viaRegistry.metadata)).toEqual(comparable(saved));
      await viaRegistry.close();
      // An explicit docker: prefix never leaves the daemon.
      const err = await openImage(`docker:${ref}`, {}).catch((e: unknown) => e);
      expect(isPortcullisError(err, 'IMAGE_NOT_FOUND')).toBe(true);
    } finally {
      reg.stop();
    }
  }, 60_000);

  it('opens a rootfs directory without layers', async () => {
    const root = join(scratch, 'rootfs');
    mkdirSync(root, { recursive: true });
    const img = await openImage(`dir:${root}`, {});
    expect(img.rootDir).toBe(root);
    expect(img.metadata.layers).toEqual([]);
    expect(img.metadata.config.os).toBe('linux');
    let visited = 0;
    await img.readLayers(() => true, async () => {
      visited++;
    });
    expect(visited).toBe(0);
  });

  it('reports missing paths as IMAGE_NOT_FOUND', async () => {
    for (const input of [`docker-archive:${scratch}/x.tar`, `oci-dir:${scratch}/nope`, `oci-archive:${scratch}/y.tar`, `dir:${scratch}/nope`]) {
      const err = await openImage(input, {}).catch((e: unknown) => e);
      expect(isPortcullisError(err, 'IMAGE_NOT_FOUND'), input).toBe(true);
    }
  });
});
