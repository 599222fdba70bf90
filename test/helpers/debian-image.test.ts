import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOKWORM_BASE_TAG, buildDebianTestImage, copyDpkgDb, type DebianTestImage, type DpkgPackage, dpkgQuery, exportRootfs, testCacheDir } from './debian-image.js';
import { dockerUnavailableReason, imageExists, saveImage } from './docker.js';
import { exec } from './exec.js';
import { readSavedConfig } from './image-archive.js';
import { tmpDirPool } from './tmp.js';

const skipReason = await dockerUnavailableReason();
if (skipReason) console.warn(`[skip] debian-image helpers: ${skipReason}`);

describe.skipIf(skipReason !== undefined)('debian test image helpers', () => {
  const tmp = tmpDirPool('debian-image');
  let image: DebianTestImage;
  let finalPkgs: DpkgPackage[];
  let rootfs: string;

  beforeAll(async () => {
    image = await buildDebianTestImage();
    rootfs = await tmp.make();
    await exportRootfs(image.tag, rootfs);
    finalPkgs = await dpkgQuery(rootfs);
  });
  afterAll(() => tmp.removeAll());

  it('imports the base tag from a cached debootstrap tarball of a whole rootfs', async () => {
    expect(image.baseTag).toBe(BOOKWORM_BASE_TAG);
    expect(await imageExists(BOOKWORM_BASE_TAG)).toBe(true);
    // The tarball exists wherever this machine built the base; a tag imported on another
    // cache dir (PORTCULLIS_TEST_CACHE changed) legitimately has none here.
    const tarball = join(await testCacheDir(), 'bookworm-minbase.tar');
    if (!existsSync(tarball)) return;
    const { stdout } = await exec('tar', ['-tf', tarball]);
    const names = new Set(stdout.split('\n'));
    for (const f of ['./etc/debian_version', './var/lib/dpkg/status', './usr/bin/dpkg']) expect(names.has(f), f).toBe(true);
  });

  it('exports a real bookworm filesystem', async () => {
    const osRelease = await readFile(join(rootfs, 'etc', 'os-release'), 'utf8');
    expect(osRelease).toMatch(/^ID=debian$/m);
    expect(osRelease).toMatch(/^VERSION_ID="12"$/m);
    expect(await readFile(join(rootfs, image.appFile), 'utf8')).toMatch(/portcullis-test-app/);
    expect(existsSync(join(rootfs, image.deletedFile))).toBe(false);
  });

  it('dpkgQuery lists the installed packages with their source packages', () => {
    expect(finalPkgs.length).toBeGreaterThan(50);
    const byName = new Map(finalPkgs.map((p) => [p.name, p]));
    expect(byName.get('coreutils')?.arch).toBe('amd64');
    for (const name of ['curl', 'ca-certificates', 'libxml2']) expect(byName.has(name), name).toBe(true);
    for (const name of image.purged) expect(byName.has(name), name).toBe(false);
    // bsdutils is built from util-linux (SCANNER-NOTES.md §3.1); no `name:arch` leaks into names.
    expect(byName.get('bsdutils')?.sourceName).toBe('util-linux');
    expect(finalPkgs.every((p) => !p.name.includes(':') && p.version && p.arch && p.sourceName && p.sourceVersion)).toBe(true);
    // Multi-Arch: same libraries keep their architecture.
    expect(byName.get('libc6')?.arch).toBe('amd64');
  });

  it('copyDpkgDb gives the same answer as a full export, and the base lacks the added packages', async () => {
    const viaCopy = await dpkgQuery(await copyDpkgDb(image.tag, await tmp.make()));
    expect(viaCopy).toEqual(finalPkgs);
    const base = await dpkgQuery(await copyDpkgDb(image.baseTag, await tmp.make()));
    const baseNames = new Set(base.map((p) => p.name));
    expect(baseNames.has('coreutils')).toBe(true);
    expect(baseNames.has('curl')).toBe(false);
    expect(base.length).toBeLessThan(finalPkgs.length);
  });

  it('the saved archive has the layers and history the tests rely on', async () => {
    const file = join(await tmp.make(), 'image.tar');
    await saveImage(image.tag, file);
    const cfg = await readSavedConfig(file);
    expect(cfg.repoTags).toContain(image.tag);
    // base (imported) + install + purge/delete + COPY; LABEL/ENV/CMD are empty layers.
    expect(cfg.diffIds).toHaveLength(4);
    expect(cfg.history.filter((h) => h.emptyLayer).length).toBeGreaterThanOrEqual(3);
    const install = cfg.layerCreatedBy.findIndex((c) => c.includes(image.installStepMarker));
    expect(install).toBe(1);
    expect(cfg.layerCreatedBy[2]).toMatch(/apt-get purge/);
  });
});
