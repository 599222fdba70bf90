import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { LayerMeta, OpenedImage } from '../../types.js';

/**
 * Test fixture: real images made by the running dockerd (no registry pulls here). The base
 * is `docker import` of a tiny rootfs (dash, rm and their libraries from the host, a few
 * files); the app image is `docker build` on it with COPY, RUN (add + delete) and metadata.
 */
export interface BuiltImages {
  readonly dir: string;
  readonly baseTag: string;
  readonly appTag: string;
  /** `docker save appTag`. */
  readonly dockerArchive: string;
  /** `docker save baseTag`. */
  readonly baseArchive: string;
  /** `skopeo copy … oci:DIR:app` (gzip layers). */
  readonly ociDir: string;
  /** `skopeo copy … oci-archive:FILE`. */
  readonly ociArchive: string;
  cleanup(): void;
}

export function run(cmd: string, args: readonly string[], input?: Buffer): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...(input ? { input } : {}), maxBuffer: 64 * 1024 * 1024 });
}

/** The host's dash and rm plus the shared objects `ldd` names for them. */
function hostBinaries(): string[] {
  const files = new Set<string>(['/bin/dash', '/bin/rm']);
  for (const bin of ['/bin/dash', '/bin/rm']) {
    for (const m of run('ldd', [bin]).matchAll(/(\/[^\s)]+)/g)) if (m[1]) files.add(m[1]);
  }
  return [...files];
}

function makeRootfs(root: string): void {
  for (const file of hostBinaries()) {
    const dest = join(root, file);
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(file, dest);
  }
  copyFileSync('/bin/dash', join(root, 'bin/sh'));
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(join(root, 'tmp'), { recursive: true });
  writeFileSync(join(root, 'etc/os-release'), 'ID=portcullis-test\nVERSION_ID=1\n');
  writeFileSync(join(root, 'etc/removed.conf'), 'deleted by a later layer\n');
}

export function buildImages(): BuiltImages {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-img-'));
  const id = randomBytes(4).toString('hex');
  const baseTag = `portcullis-imgsrc/base:${id}`;
  const appTag = `portcullis-imgsrc/app:${id}`;
  const tags: string[] = [];
  const cleanup = (): void => {
    for (const tag of tags) {
      try {
        run('docker', ['rmi', '-f', tag]);
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const rootfs = join(dir, 'rootfs');
    makeRootfs(rootfs);
    const rootTar = join(dir, 'rootfs.tar');
    run('tar', ['-C', rootfs, '-cf', rootTar, '.']);
    run('docker', ['import', rootTar, baseTag]);
    tags.push(baseTag);
    const ctx = join(dir, 'ctx');
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'hello.txt'), 'hello from COPY\n');
    writeFileSync(
      join(ctx, 'Dockerfile'),
      [
        `FROM ${baseTag}`,
        'ENV APP_MODE=test PATH=/bin',
        'COPY hello.txt /opt/app/hello.txt',
        'RUN echo generated > /opt/app/generated.txt && rm /etc/removed.conf',
        // Deletes only: a layer whose daemon-reported size is 0.
        'RUN rm /opt/app/hello.txt',
        'USER 1000:1000',
        'LABEL org.example.test=portcullis',
        '',
      ].join('\n'),
    );
    run('docker', ['build', '--network', 'host', '-q', '-t', appTag, ctx]);
    tags.push(appTag);
    const dockerArchive = join(dir, 'app-docker.tar');
    const baseArchive = join(dir, 'base-docker.tar');
    run('docker', ['save', '-o', dockerArchive, appTag]);
    run('docker', ['save', '-o', baseArchive, baseTag]);
    const ociDir = join(dir, 'app-oci');
    const ociArchive = join(dir, 'app-oci.tar');
    run('skopeo', ['copy', '-q', `docker-archive:${dockerArchive}`, `oci:${ociDir}:app`]);
    run('skopeo', ['copy', '-q', `docker-archive:${dockerArchive}`, `oci-archive:${ociArchive}`]);
    return { dir, baseTag, appTag, dockerArchive, baseArchive, ociDir, ociArchive, cleanup };
  } catch (err) {
    cleanup();
    throw err;
  }
}

export interface ReadLayer {
  readonly meta: LayerMeta | undefined;
  /** sha256 of the decompressed bytes: the layer's diffID. */
  readonly diffId: string;
}

async function hashDecompressed(blob: Readable): Promise<string> {
  const hash = createHash('sha256');
  const chunks = blob[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await chunks.next();
  const head: Buffer = first.done ? Buffer.alloc(0) : first.value;
  // Put the sniffed first chunk back in front of the rest.
  const whole = Readable.from(
    (async function* () {
      yield head;
      for (let n = await chunks.next(); !n.done; n = await chunks.next()) yield n.value;
    })(),
  );
  const sink = async (source: AsyncIterable<Buffer>): Promise<void> => {
    for await (const c of source) hash.update(c);
  };
  if (head[0] === 0x1f && head[1] === 0x8b) await pipeline(whole, createGunzip(), sink);
  else await pipeline(whole, sink);
  return `sha256:${hash.digest('hex')}`;
}

/**
 * Reads every wanted layer of `image`, hashing each decompressed, as the layer reader would.
 * Sources may visit layers concurrently and in any order; results are sorted by layer index
 * (layers the source could not name keep their visiting order, after the named ones).
 */
export async function readAllLayers(image: OpenedImage, wanted: (l: LayerMeta) => boolean = () => true): Promise<ReadLayer[]> {
  const out: ReadLayer[] = [];
  await image.readLayers(wanted, async (blob, meta) => {
    out.push({ meta, diffId: await hashDecompressed(blob) });
  });
  return out.sort((a, b) => (a.meta?.index ?? Number.MAX_SAFE_INTEGER) - (b.meta?.index ?? Number.MAX_SAFE_INTEGER));
}
