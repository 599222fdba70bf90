import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { docker, imageExists, withContainer } from './docker.js';
import { exec, pipe } from './exec.js';
import { withFileLock } from './lock.js';
import { withTmpDir } from './tmp.js';

/**
 * Real Debian images for end-to-end tests, built from nothing on this machine (no image can be
 * pulled here, ENVIRONMENT.md): debootstrap a bookworm minbase once per machine, keep the
 * rootfs tarball in a cache, `docker import` it, then `docker build` a test image on top.
 */

export const BOOKWORM_BASE_TAG = 'portcullis-test/bookworm:base';
const DEBIAN_MIRROR = 'http://deb.debian.org/debian';

/** `$PORTCULLIS_TEST_CACHE`, else `~/.cache/portcullis-test/`. Created on demand. */
export async function testCacheDir(): Promise<string> {
  const dir = process.env.PORTCULLIS_TEST_CACHE || join(homedir(), '.cache', 'portcullis-test');
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Ensures BOOKWORM_BASE_TAG exists in dockerd (importing or debootstrapping it) and returns it. */
export async function bookwormBase(): Promise<string> {
  if (await imageExists(BOOKWORM_BASE_TAG)) return BOOKWORM_BASE_TAG;
  const cache = await testCacheDir();
  // One lock for tarball and import: parallel test files must not debootstrap twice.
  return withFileLock(join(cache, 'bookworm-base.lock'), async () => {
    if (await imageExists(BOOKWORM_BASE_TAG)) return BOOKWORM_BASE_TAG;
    const tarball = join(cache, 'bookworm-minbase.tar');
    if (!existsSync(tarball)) await debootstrapTarball(cache, tarball);
    await docker(['import', '--message', 'portcullis-test bookworm minbase (debootstrap)', tarball, BOOKWORM_BASE_TAG]);
    return BOOKWORM_BASE_TAG;
  });
}

async function debootstrapTarball(cache: string, tarball: string): Promise<void> {
  // Same filesystem as the cache, so the final rename is atomic.
  const root = await mkdtemp(join(cache, 'debootstrap-'));
  try {
    await exec('debootstrap', ['--variant=minbase', 'bookworm', root, DEBIAN_MIRROR], { timeoutMs: 15 * 60_000 });
    const partial = `${tarball}.partial`;
    await exec('tar', ['--numeric-owner', '-C', root, '-cf', partial, '.'], { timeoutMs: 5 * 60_000 });
    await rename(partial, tarball);
  } finally {
    await unmountBelow(root);
    await rm(root, { recursive: true, force: true });
  }
}

// debootstrap mounts /proc and /sys inside the target during its second stage; if it died
// there, removing the tree would walk into the host's proc/sys. Unmount first, deepest first.
async function unmountBelow(root: string): Promise<void> {
  const mounts = (await readFile('/proc/self/mounts', 'utf8'))
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m === root || m.startsWith(`${root}/`))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) await exec('umount', ['-l', m]).catch(() => undefined);
}

/** What the test image is made of, for assertions. */
export interface DebianTestImage {
  readonly tag: string;
  readonly baseTag: string;
  /** Packages the install step asked for by name (their dependencies come too). */
  readonly requested: readonly string[];
  /** Packages installed by the install step and purged by a later one. */
  readonly purged: readonly string[];
  /** A file of a still-installed package that a later layer deletes (a whiteout). */
  readonly deletedFile: string;
  /** Substring of the created_by of the install step's history entry. */
  readonly installStepMarker: string;
  /** Path of the application file the last layer adds. */
  readonly appFile: string;
}

const REQUESTED = ['curl', 'ca-certificates', 'libxml2', 'jq'] as const;
const PURGED = ['jq', 'libjq1', 'libonig5'] as const;
const DELETED_FILE = '/usr/bin/curl';
const APP_FILE = '/opt/portcullis-test-app/VERSION';

// LABEL and ENV are empty_layer history steps, so history indices and layer indices differ:
// a reader that confuses them attributes packages to the wrong layer.
const DOCKERFILE = `FROM ${BOOKWORM_BASE_TAG}
LABEL org.opencontainers.image.title="portcullis debian sbom test image"
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y --no-install-recommends ${REQUESTED.join(' ')} && rm -rf /var/lib/apt/lists/*
RUN apt-get purge -y ${PURGED.join(' ')} && rm ${DELETED_FILE}
COPY app/ /opt/portcullis-test-app/
CMD ["/bin/bash"]
`;
const APP_VERSION = 'portcullis-test-app 1.0.0\n';

/** Builds (or reuses, keyed by a hash of the Dockerfile and context) the Debian test image. */
export async function buildDebianTestImage(): Promise<DebianTestImage> {
  const baseTag = await bookwormBase();
  const hash = createHash('sha256').update(DOCKERFILE).update('\0').update(APP_VERSION).digest('hex').slice(0, 12);
  const tag = `portcullis-test/debian-sbom:${hash}`;
  const image: DebianTestImage = {
    tag,
    baseTag,
    requested: REQUESTED,
    purged: PURGED,
    deletedFile: DELETED_FILE,
    installStepMarker: 'apt-get install',
    appFile: APP_FILE,
  };
  if (await imageExists(tag)) return image;
  const cache = await testCacheDir();
  await withFileLock(join(cache, `debian-sbom-${hash}.lock`), async () => {
    if (await imageExists(tag)) return;
    await withTmpDir(async (ctx) => {
      await writeFile(join(ctx, 'Dockerfile'), DOCKERFILE);
      await mkdir(join(ctx, 'app'));
      await writeFile(join(ctx, 'app', 'VERSION'), APP_VERSION);
      // Host network: apt-get inside the build reaches Debian's archive; no bridge exists here.
      await docker(['build', '--network', 'host', '--tag', tag, ctx], { timeoutMs: 15 * 60_000 });
    }, 'docker-build');
  });
  return image;
}

/**
 * Exports the filesystem of `tag` into `dir` (which the caller owns and removes): a created,
 * never started container with no network, `docker export` streamed into `tar -x`.
 */
export async function exportRootfs(tag: string, dir: string): Promise<void> {
  await withContainer(tag, async (id) => {
    // Device nodes are irrelevant to package databases; skipping them avoids mknod surprises.
    await pipe(['docker', 'export', id], ['tar', '--numeric-owner', '--exclude=dev/*', '-x', '-C', dir]);
  });
}

/** Copies only /var/lib/dpkg of `tag` into `dir` (cheap when the rest of the tree is not needed). */
export async function copyDpkgDb(tag: string, dir: string): Promise<string> {
  await mkdir(join(dir, 'var', 'lib'), { recursive: true });
  await withContainer(tag, (id) => docker(['cp', `${id}:/var/lib/dpkg`, join(dir, 'var', 'lib', 'dpkg')]));
  return dir;
}

/** One installed package as dpkg itself reports it. */
export interface DpkgPackage {
  readonly name: string;
  readonly version: string;
  readonly arch: string;
  readonly sourceName: string;
  readonly sourceVersion: string;
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own ${field} syntax, not a template.
const DPKG_FORMAT = '${binary:Package}\\t${Version}\\t${Architecture}\\t${source:Package}\\t${source:Version}\\t${db:Status-Abbrev}\\n';

/**
 * The oracle: `dpkg-query --admindir=ROOT/var/lib/dpkg -W` over an exported image, keeping
 * only packages whose status abbreviation is `ii` (want install, installed).
 * Fields: dpkg-query(1) "--showformat".
 */
export async function dpkgQuery(rootDir: string): Promise<DpkgPackage[]> {
  const { stdout } = await exec('dpkg-query', [`--admindir=${join(rootDir, 'var', 'lib', 'dpkg')}`, '-W', `-f=${DPKG_FORMAT}`]);
  const out: DpkgPackage[] = [];
  for (const line of stdout.split('\n')) {
    if (!line) continue;
    const [binary = '', version = '', arch = '', sourceName = '', sourceVersion = '', status = ''] = line.split('\t');
    if (!status.startsWith('ii')) continue;
    // binary:Package is `name:arch` for Multi-Arch: same packages; the arch is its own column.
    const name = binary.includes(':') ? binary.slice(0, binary.indexOf(':')) : binary;
    out.push({ name, version, arch, sourceName, sourceVersion });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name) || a.arch.localeCompare(b.arch));
}

/** `dpkg-query --admindir=… -L PKG`: the paths dpkg recorded for a package (directories included). */
export async function dpkgListFiles(rootDir: string, pkg: string): Promise<string[]> {
  const { stdout } = await exec('dpkg-query', [`--admindir=${join(rootDir, 'var', 'lib', 'dpkg')}`, '-L', pkg]);
  return stdout.split('\n').filter((l) => l.startsWith('/') && l !== '/.');
}
