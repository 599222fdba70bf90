import { copyFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPortcullisError } from '../../core/errors.js';
import { openDockerArchive } from './docker-archive.js';
import { openOciArchive } from './oci-archive.js';
import { buildImages, readAllLayers, run, type BuiltImages } from './testdata/docker-fixture.js';
import { packTar, type PackEntry } from './testdata/pack.js';
import { dockerV25Archive } from './testdata/v25-archive.js';

let built: BuiltImages;

beforeAll(() => {
  built = buildImages();
}, 180_000);

afterAll(() => built?.cleanup());

async function errorOf(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('openDockerArchive', () => {
  it('reads a Docker 20.10 save: tags, config digest, layer bytes hash to diffIDs', async () => {
    const img = await openDockerArchive(built.dockerArchive, {});
    expect(img.metadata.source).toBe('docker-archive');
    expect(img.metadata.tags).toEqual([built.appTag]);
    const id = run('docker', ['image', 'inspect', '--format', '{{.Id}}', built.appTag]).trim();
    expect(img.metadata.configDigest).toBe(id);
    const read = await readAllLayers(img);
    expect(read.map((r) => r.diffId)).toEqual(img.metadata.layers.map((l) => l.diffId));
    expect(read.map((r) => r.meta?.index)).toEqual([0, 1, 2, 3]);
  });

  it('reads a Docker 25 style archive with LayerSources and linked blobs', async () => {
    const path = join(built.dir, 'v25.tar');
    const { diffIds } = await dockerV25Archive(built.ociDir, path);
    const img = await openDockerArchive(path, {});
    expect(img.metadata.tags).toEqual(['portcullis-test/app:v25']);
    expect(img.metadata.layers.map((l) => l.diffId)).toEqual(diffIds);
    for (const l of img.metadata.layers) {
      expect(l.mediaType).toBe('application/vnd.oci.image.layer.v1.tar');
      expect(l.digest).toBe(l.diffId); // uncompressed: the blob is the diff
    }
    const read = await readAllLayers(img);
    expect(read.map((r) => r.diffId)).toEqual(diffIds);
    // The same tar is also a valid oci-archive.
    const oci = await openOciArchive(path, {});
    expect(oci.metadata.layers.map((l) => l.diffId)).toEqual(diffIds);
    expect(oci.metadata.tags).toEqual(['docker.io/portcullis-test/app:v25']);
    expect((await readAllLayers(oci)).map((r) => r.diffId)).toEqual(diffIds);
  });

  it('fails a Docker 25 layer blob that does not match its name with DIGEST_MISMATCH', async () => {
    const path = join(built.dir, 'v25-bad.tar');
    await dockerV25Archive(built.ociDir, path, { corruptLayer: true });
    const img = await openDockerArchive(path, {});
    const bad = img.metadata.layers[1];
    const err = await errorOf(readAllLayers(img, (l) => l.index === 1));
    expect(isPortcullisError(err, 'DIGEST_MISMATCH')).toBe(true);
    expect(String((err as { context: { entry: string } }).context.entry)).toContain(bad?.digest?.replace('sha256:', '') ?? 'x');
  });

  it('uses the first image of a multi-image archive and records a Problem; a tag selects', async () => {
    const path = join(built.dir, 'multi.tar');
    run('docker', ['save', '-o', path, built.appTag, built.baseTag]);
    const entries = JSON.parse(run('tar', ['-xOf', path, 'manifest.json'])) as { RepoTags: string[] }[];
    expect(entries).toHaveLength(2);
    const img = await openDockerArchive(path, {});
    expect(img.metadata.tags).toEqual(entries[0]?.RepoTags);
    expect(img.problems).toHaveLength(1);
    expect(img.problems[0]?.code).toBe('IMAGE_FORMAT');
    const base = await openDockerArchive(path, {}, built.baseTag);
    expect(base.metadata.tags).toEqual([built.baseTag]);
    expect(base.metadata.layers).toHaveLength(1);
    expect(base.problems).toEqual([]);
    expect(isPortcullisError(await errorOf(openDockerArchive(path, {}, 'nope:1')), 'IMAGE_NOT_FOUND')).toBe(true);
  });
});

describe('openDockerArchive: hostile archives', () => {
  const config = (): Buffer => {
    const names = run('tar', ['-tf', built.dockerArchive]).split('\n');
    const cfg = names.find((n) => /^[0-9a-f]{64}\.json$/.test(n)) ?? '';
    return Buffer.from(run('tar', ['-xOf', built.dockerArchive, cfg]));
  };

  const cases: { name: string; entries: () => PackEntry[]; code: string; mention?: string }[] = [
    { name: 'no manifest.json', entries: () => [{ name: 'repositories', data: '{}' }], code: 'IMAGE_FORMAT', mention: 'manifest.json' },
    { name: 'null manifest', entries: () => [{ name: 'manifest.json', data: 'null' }], code: 'IMAGE_FORMAT' },
    { name: 'empty manifest', entries: () => [{ name: 'manifest.json', data: '[]' }], code: 'IMAGE_FORMAT' },
    { name: 'manifest not JSON', entries: () => [{ name: 'manifest.json', data: '[{"Config": ' }], code: 'IMAGE_FORMAT' },
    {
      name: 'missing layer',
      entries: () => [
        { name: 'c.json', data: config() },
        { name: 'manifest.json', data: JSON.stringify([{ Config: 'c.json', RepoTags: null, Layers: ['a/layer.tar', 'b/layer.tar', 'gone/layer.tar', 'd/layer.tar'] }]) },
      ],
      code: 'IMAGE_FORMAT',
      mention: 'a/layer.tar',
    },
    {
      name: 'config not JSON',
      entries: () => [
        { name: 'c.json', data: 'this is { not json' },
        { name: 'manifest.json', data: JSON.stringify([{ Config: 'c.json', RepoTags: null, Layers: [] }]) },
      ],
      code: 'IMAGE_FORMAT',
      mention: 'not JSON',
    },
    {
      name: 'config blob not matching its name',
      entries: () => [
        { name: `blobs/sha256/${'0'.repeat(64)}`, data: config() },
        { name: 'manifest.json', data: JSON.stringify([{ Config: `blobs/sha256/${'0'.repeat(64)}`, Layers: [] }]) },
      ],
      code: 'DIGEST_MISMATCH',
    },
    {
      name: 'huge manifest.json',
      entries: () => [{ name: 'manifest.json', data: `[${' '.repeat(5 * 1024 * 1024)}]` }],
      code: 'IMAGE_FORMAT',
      mention: 'limit',
    },
  ];
  for (const c of cases) {
    it(`rejects ${c.name} with ${c.code}`, async () => {
      const path = join(built.dir, `hostile-${c.name.replace(/\W+/g, '-')}.tar`);
      await packTar(path, c.entries());
      const err = await errorOf(openDockerArchive(path, {}));
      expect(isPortcullisError(err), String(err)).toBe(true);
      expect((err as { code: string }).code).toBe(c.code);
      if (c.mention) expect((err as Error).message).toContain(c.mention);
    });
  }

  it('rejects a truncated docker save', async () => {
    const path = join(built.dir, 'truncated.tar');
    copyFileSync(built.dockerArchive, path);
    truncateSync(path, Math.floor(statSync(path).size * 0.6));
    expect(isPortcullisError(await errorOf(openDockerArchive(path, {})), 'IMAGE_FORMAT')).toBe(true);
  });

  it('names the archive in IMAGE_NOT_FOUND when it does not exist', async () => {
    const err = await errorOf(openDockerArchive(join(built.dir, 'absent.tar'), {}));
    expect(isPortcullisError(err, 'IMAGE_NOT_FOUND')).toBe(true);
    expect((err as { context: { path: string } }).context.path).toContain('absent.tar');
  });
});
