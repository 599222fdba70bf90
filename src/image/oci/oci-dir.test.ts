import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPortcullisError } from '../../core/errors.js';
import { buildImages, run, type BuiltImages } from '../archive/testdata/docker-fixture.js';
import { sha256Digest } from '../digest.js';
import { MEDIA } from '../media-types.js';
import { openOciDir } from './oci-dir.js';

let built: BuiltImages;
/** One layout holding the app (tag `app`) and its base (tag `base`), both by skopeo. */
let twoTags: string;
let seq = 0;

beforeAll(() => {
  built = buildImages();
  twoTags = join(built.dir, 'two-tags');
  run('skopeo', ['copy', '-q', `docker-archive:${built.dockerArchive}`, `oci:${twoTags}:app`]);
  run('skopeo', ['copy', '-q', `docker-archive:${built.baseArchive}`, `oci:${twoTags}:base`]);
}, 180_000);

afterAll(() => built?.cleanup());

interface Desc {
  mediaType?: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { os: string; architecture: string };
}

/** A private copy of a layout, with helpers to add blobs and rewrite index.json. */
function copyLayout(from: string) {
  const dir = join(built.dir, `layout-${++seq}`);
  cpSync(from, dir, { recursive: true });
  const blobFile = (d: string): string => join(dir, 'blobs/sha256', d.replace('sha256:', ''));
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: Desc[] };
  return {
    dir,
    index,
    blobFile,
    json: <T>(d: string): T => JSON.parse(readFileSync(blobFile(d), 'utf8')) as T,
    writeBlob(bytes: Buffer | string, mediaType?: string): Desc {
      const buf = Buffer.from(bytes);
      const digest = sha256Digest(buf);
      writeFileSync(blobFile(digest), buf);
      return { ...(mediaType ? { mediaType } : {}), digest, size: buf.length };
    },
    setIndex(manifests: Desc[]): void {
      writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests }));
    },
  };
}

type Manifest = { config: Desc; layers: Desc[]; mediaType?: string };

async function errorOf(p: Promise<unknown>): Promise<{ code?: string; message: string; context: Record<string, unknown> }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isPortcullisError(err)) throw new Error(`expected a PortcullisError, got ${String(err)}`);
  return err;
}

describe('openOciDir: selection', () => {
  it('selects by :tag in a layout with two tagged images', async () => {
    const app = await openOciDir(twoTags, {}, 'app');
    const base = await openOciDir(twoTags, {}, 'base');
    expect(app.metadata.layers).toHaveLength(4);
    expect(base.metadata.layers).toHaveLength(1);
    expect(app.metadata.tags).toEqual(['app']);
    expect(base.metadata.layers[0]?.diffId).toBe(app.metadata.layers[0]?.diffId);
    expect(app.problems).toEqual([]);
    expect((await errorOf(openOciDir(twoTags, {}, 'nope'))).code).toBe('IMAGE_NOT_FOUND');
  });

  it('uses the first image and records a Problem when no tag is given', async () => {
    const img = await openOciDir(twoTags, {});
    expect(img.metadata.tags).toEqual(['app']);
    expect(img.problems.map((p) => p.code)).toEqual(['IMAGE_FORMAT']);
  });

  it('walks a nested index and picks by platform', async () => {
    const l = copyLayout(twoTags);
    const byTag = new Map(l.index.manifests.map((d) => [d.annotations?.['org.opencontainers.image.ref.name'], d]));
    const app = byTag.get('app');
    const base = byTag.get('base');
    if (!app || !base) throw new Error('fixture lacks tags');
    const nested = l.writeBlob(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA.ociIndex,
        manifests: [
          { ...base, annotations: undefined, platform: { os: 'linux', architecture: 'arm64' } },
          { ...app, annotations: undefined, platform: { os: 'linux', architecture: 'amd64' } },
        ],
      }),
      MEDIA.ociIndex,
    );
    l.setIndex([{ ...nested, annotations: { 'org.opencontainers.image.ref.name': 'multi' } }]);
    const amd = await openOciDir(l.dir, {}, 'multi');
    expect(amd.metadata.layers).toHaveLength(4);
    expect(amd.metadata.manifestDigest).toBe(app.digest);
    expect(amd.metadata.tags).toEqual(['multi']);
    const arm = await openOciDir(l.dir, { platform: 'linux/arm64' });
    expect(arm.metadata.manifestDigest).toBe(base.digest);
    expect((await errorOf(openOciDir(l.dir, { platform: 'linux/s390x' }))).code).toBe('IMAGE_PLATFORM');
  });
});

describe('openOciDir: hostile layouts', () => {
  it('fails a layer blob whose sha256 does not match its name with DIGEST_MISMATCH naming it', async () => {
    const l = copyLayout(built.ociDir);
    const m = l.json<Manifest>(l.index.manifests[0]?.digest ?? '');
    const victim = m.layers[1]?.digest ?? '';
    const bytes = readFileSync(l.blobFile(victim));
    bytes[bytes.length - 20] = (bytes[bytes.length - 20] ?? 0) ^ 0xff;
    writeFileSync(l.blobFile(victim), bytes);
    const img = await openOciDir(l.dir, {});
    // The raw blob, as the layer reader gets it before decompressing.
    const err = await errorOf(
      img.readLayers(() => true, async (blob) => {
        for await (const _ of blob) {
          // consume
        }
      }),
    );
    expect(err.code).toBe('DIGEST_MISMATCH');
    expect(err.context.entry).toBe(victim);
  });

  it('fails a config blob that does not match its name at open', async () => {
    const l = copyLayout(built.ociDir);
    const m = l.json<Manifest>(l.index.manifests[0]?.digest ?? '');
    writeFileSync(l.blobFile(m.config.digest), '{"rootfs":{"type":"layers","diff_ids":[]}}');
    const err = await errorOf(openOciDir(l.dir, {}));
    expect(err.code).toBe('DIGEST_MISMATCH');
    expect(err.context.entry).toBe(m.config.digest);
  });

  /** Rewrites the manifest through `edit` and points index.json at the new blob. */
  function withManifest(edit: (m: Manifest, l: ReturnType<typeof copyLayout>) => Manifest, descriptorType: string = MEDIA.ociManifest): string {
    const l = copyLayout(built.ociDir);
    const m = edit(l.json<Manifest>(l.index.manifests[0]?.digest ?? ''), l);
    l.setIndex([l.writeBlob(JSON.stringify(m), descriptorType)]);
    return l.dir;
  }

  it('rejects unknown media types with IMAGE_MEDIA_TYPE', async () => {
    const layer = withManifest((m) => ({ ...m, layers: m.layers.map((x, i) => (i === 0 ? { ...x, mediaType: 'application/vnd.example.mystery' } : x)) }));
    expect((await errorOf(openOciDir(layer, {}))).code).toBe('IMAGE_MEDIA_TYPE');
    const config = withManifest((m) => ({ ...m, config: { ...m.config, mediaType: 'application/vnd.cncf.helm.config.v1+json' } }));
    expect((await errorOf(openOciDir(config, {}))).code).toBe('IMAGE_MEDIA_TYPE');
    const schema1 = withManifest((m) => m, MEDIA.dockerSchema1Signed);
    expect((await errorOf(openOciDir(schema1, {}))).code).toBe('IMAGE_MEDIA_TYPE');
  });

  it('rejects a config that is not JSON with IMAGE_FORMAT', async () => {
    const dir = withManifest((m, l) => ({ ...m, config: l.writeBlob('not { json', m.config.mediaType) }));
    const err = await errorOf(openOciDir(dir, {}));
    expect(err.code).toBe('IMAGE_FORMAT');
    expect(err.message).toContain('not JSON');
  });

  it('rejects a manifest whose layer count disagrees with the config', async () => {
    const dir = withManifest((m) => ({ ...m, layers: m.layers.slice(1) }));
    expect((await errorOf(openOciDir(dir, {}))).code).toBe('IMAGE_FORMAT');
  });

  it('rejects missing layout files, missing blobs and oversized index.json', async () => {
    const noLayout = copyLayout(built.ociDir);
    writeFileSync(join(noLayout.dir, 'oci-layout'), 'garbage');
    expect((await errorOf(openOciDir(noLayout.dir, {}))).code).toBe('IMAGE_FORMAT');
    const missing = copyLayout(built.ociDir);
    missing.setIndex([{ mediaType: MEDIA.ociManifest, digest: sha256Digest('absent'), size: 6 }]);
    const err = await errorOf(openOciDir(missing.dir, {}));
    expect(err.code).toBe('IMAGE_FORMAT');
    expect(err.message).toContain('missing');
    const huge = copyLayout(built.ociDir);
    writeFileSync(join(huge.dir, 'index.json'), `{"manifests":[]${' '.repeat(5 * 1024 * 1024)}}`);
    expect((await errorOf(openOciDir(huge.dir, {}))).message).toContain('limit');
    const badDigest = copyLayout(built.ociDir);
    badDigest.setIndex([{ mediaType: MEDIA.ociManifest, digest: 'sha256:../../../etc/passwd', size: 1 }]);
    expect((await errorOf(openOciDir(badDigest.dir, {}))).code).toBe('IMAGE_FORMAT');
  });
});
