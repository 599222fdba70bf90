import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync } from 'node:fs';
import { copyFile, mkdir, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PackageURL } from 'packageurl-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codedErrors, exitCodeOf, runCli } from '../helpers/cli.js';
import { buildDebianTestImage, copyDpkgDb, type DebianTestImage, type DpkgPackage, dpkgListFiles, dpkgQuery, exportRootfs } from '../helpers/debian-image.js';
import { dockerUnavailableReason, saveImage } from '../helpers/docker.js';
import { exec } from '../helpers/exec.js';
import { readSavedConfig, type SavedImageConfig } from '../helpers/image-archive.js';
import { type RegistryAuth, type RunningRegistry, startRegistry } from '../helpers/registry.js';
import { tmpDirPool } from '../helpers/tmp.js';
import { debKey, debPackages, type NativeSbom, parseNativeSbom, type SbomPackage, sourceOf } from './sbom-json.js';

/**
 * Acceptance test of `portcullis sbom` (the foundation issue): a real Debian image built on
 * this machine, read from every source kind, compared with what dpkg itself reports.
 */

const skipReason = await dockerUnavailableReason();
if (skipReason) console.warn(`[skip] sbom e2e: ${skipReason}`);

const oracleKey = (p: DpkgPackage) => `${p.name}:${p.arch}`;
const sbomKey = (p: SbomPackage) => `${p.name}:${p.arch ?? ''}`;

/** `portcullis sbom REF --format json` without the layer cache, so every source really reads its layers. */
async function sbomJson(ref: string, ...extra: string[]): Promise<NativeSbom> {
  const r = await runCli(['sbom', ref, '--format', 'json', '--no-cache', ...extra]);
  expect(r.stderr, `stderr of sbom ${ref}`).not.toMatch(/^error:/m);
  expect(r.code, `exit code of sbom ${ref}: ${r.stderr}`).toBe(0);
  return parseNativeSbom(r.stdout);
}

describe.skipIf(skipReason !== undefined)('portcullis sbom on a real Debian image', () => {
  const tmp = tmpDirPool('e2e-sbom');
  let image: DebianTestImage;
  let work: string;
  let archive: string;
  let rootfs: string;
  let saved: SavedImageConfig;
  let oracle: DpkgPackage[];
  let base: DpkgPackage[];
  let sbom: NativeSbom;

  beforeAll(async () => {
    image = await buildDebianTestImage();
    work = await tmp.make();
    archive = join(work, 'image.tar');
    await saveImage(image.tag, archive);
    saved = await readSavedConfig(archive);
    rootfs = await tmp.make();
    await exportRootfs(image.tag, rootfs);
    oracle = await dpkgQuery(rootfs);
    base = await dpkgQuery(await copyDpkgDb(image.baseTag, await tmp.make()));
    sbom = await sbomJson(`docker-archive:${archive}`);
  });
  afterAll(() => tmp.removeAll());

  // The image as an OCI layout (OCI media types, gzip layers), made once on first use.
  let layout: Promise<string> | undefined;
  function ociLayout(): Promise<string> {
    layout ??= (async () => {
      const dir = join(work, 'oci');
      await exec('skopeo', ['copy', `docker-archive:${archive}`, `oci:${dir}:latest`]);
      return dir;
    })();
    return layout;
  }

  it('lists exactly the packages dpkg-query reports: 0 missing, 0 extra, same fields', () => {
    const found = new Map(debPackages(sbom).map((p) => [sbomKey(p), p]));
    const expected = new Map(oracle.map((p) => [oracleKey(p), p]));
    const missing = [...expected.keys()].filter((k) => !found.has(k));
    const extra = [...found.keys()].filter((k) => !expected.has(k));
    expect(missing, 'packages dpkg reports that the SBOM lacks').toEqual([]);
    expect(extra, 'packages in the SBOM that dpkg does not report').toEqual([]);
    expect(found.size).toBe(debPackages(sbom).length); // no duplicates
    const differing = oracle
      .map((o) => {
        const p = found.get(oracleKey(o)) as SbomPackage;
        const src = sourceOf(p);
        const got = { name: p.name, version: p.version, arch: p.arch, sourceName: src.name, sourceVersion: src.version };
        return JSON.stringify(got) === JSON.stringify(o) ? undefined : { expected: o, got };
      })
      .filter(Boolean);
    expect(differing).toEqual([]);
    expect(oracle.length).toBeGreaterThan(50);
  });

  it('leaves out the purged packages entirely', () => {
    const names = new Set(sbom.packages.map((p) => p.name));
    for (const name of image.purged) expect(names.has(name), name).toBe(false);
  });

  it('attributes every package to the layer that installed it', () => {
    const install = saved.layerCreatedBy.findIndex((c) => c.includes(image.installStepMarker));
    expect(install).toBeGreaterThan(0);
    const inBase = new Set(base.map((p) => `${p.name}:${p.arch}=${p.version}`));
    const wrong = debPackages(sbom)
      .map((p) => {
        const want = inBase.has(`${p.name}:${p.arch}=${p.version}`) ? 0 : install;
        return p.layer?.index === want && p.layer.diffId === saved.diffIds[want] ? undefined : { name: p.name, want, got: p.layer };
      })
      .filter(Boolean);
    expect(wrong).toEqual([]);
    // The install step really added packages, including the ones requested by name.
    const added = debPackages(sbom).filter((p) => p.layer?.index === install);
    for (const name of image.requested.filter((n) => !image.purged.includes(n))) expect(added.map((p) => p.name)).toContain(name);
    expect(added.find((p) => p.name === 'curl')?.layer?.createdBy).toContain(image.installStepMarker);
  });

  it('describes the layers as the image config does', () => {
    expect(sbom.layers.map((l) => l.index)).toEqual(saved.diffIds.map((_, i) => i));
    expect(sbom.layers.map((l) => l.diffId)).toEqual(saved.diffIds);
    for (const [i, l] of sbom.layers.entries()) {
      if (saved.layerCreatedBy[i]) expect(l.createdBy, `layer ${i}`).toBe(saved.layerCreatedBy[i]);
    }
  });

  it('detects Debian 12 and gives every deb package a matching purl and its database location', () => {
    expect(sbom.os?.id).toBe('debian');
    expect(sbom.os?.versionId).toBe('12');
    for (const p of debPackages(sbom)) {
      const purl = PackageURL.fromString(p.purl);
      expect({ type: purl.type, namespace: purl.namespace, name: purl.name, version: purl.version, arch: purl.qualifiers?.arch }).toEqual({
        type: 'deb',
        namespace: 'debian',
        name: p.name,
        version: p.version,
        arch: p.arch,
      });
      expect(p.locations.map((l) => l.path)).toContain('/var/lib/dpkg/status');
    }
  });

  it('lists the files dpkg records for a package, as far as they exist in the image', async () => {
    for (const name of ['coreutils', 'curl', 'libxml2']) {
      const p = debPackages(sbom).find((x) => x.name === name);
      const files = new Set(p?.files ?? []);
      const recorded = await dpkgListFiles(rootfs, name);
      // Directories are shared between packages; deleted files (the whiteout of /usr/bin/curl) are gone.
      const present = recorded.filter((f) => existsSync(join(rootfs, f)) && !lstatSync(join(rootfs, f)).isDirectory());
      expect(present.length, name).toBeGreaterThan(0);
      expect(present.filter((f) => !files.has(f)), `${name} files missing from the SBOM`).toEqual([]);
    }
    expect(existsSync(join(rootfs, image.deletedFile))).toBe(false);
  });

  it('reports no cataloging problems for a healthy image', () => {
    expect(sbom.problems.filter((p) => p.code.startsWith('CATALOG_'))).toEqual([]);
  });

  it('gives the same packages from oci-dir, oci-archive and the running dockerd', async () => {
    const want = debPackages(sbom).map(debKey).sort();
    const dir = await ociLayout();
    const ociArchive = join(work, 'image-oci.tar');
    // From the layout, whose layers skopeo already compressed: copying again costs no gzip.
    await exec('skopeo', ['copy', `oci:${dir}:latest`, `oci-archive:${ociArchive}:latest`]);
    for (const ref of [`oci-dir:${dir}`, `oci-archive:${ociArchive}`, `docker:${image.tag}`]) {
      const got = await sbomJson(ref);
      expect(debPackages(got).map(debKey).sort(), ref).toEqual(want);
      expect(got.layers.map((l) => l.diffId), ref).toEqual(saved.diffIds);
    }
  }, 300_000);

  it('reading the exported filesystem (dir:) finds the same packages, without layers', async () => {
    const got = await sbomJson(`dir:${rootfs}`);
    const strip = (p: SbomPackage) => `${p.name}\t${p.version}\t${p.arch}`;
    expect(debPackages(got).map(strip).sort()).toEqual(debPackages(sbom).map(strip).sort());
  }, 120_000);

  it('gives the same packages with a warm layer cache as without one', async () => {
    const cacheDir = await tmp.make();
    const want = debPackages(sbom).map(debKey).sort();
    for (const pass of ['cold', 'warm']) {
      const r = await runCli(['sbom', `docker-archive:${archive}`, '--format', 'json', '--cache-dir', cacheDir]);
      expect(r.code, `${pass}: ${r.stderr}`).toBe(0);
      expect(debPackages(parseNativeSbom(r.stdout)).map(debKey).sort(), pass).toEqual(want);
    }
  }, 180_000);

  it('--format cyclonedx names every package purl', async () => {
    const r = await runCli(['sbom', `docker-archive:${archive}`, '--format', 'cyclonedx', '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { bomFormat: string; components?: { purl?: string }[] };
    expect(doc.bomFormat).toBe('CycloneDX');
    const purls = new Set((doc.components ?? []).map((c) => c.purl));
    expect(sbom.packages.map((p) => p.purl).filter((p) => !purls.has(p))).toEqual([]);
  }, 120_000);

  it('--format spdx-json names every package purl', async () => {
    const r = await runCli(['sbom', `docker-archive:${archive}`, '--format', 'spdx-json', '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    type Ref = { referenceType?: string; referenceLocator?: string };
    const doc = JSON.parse(r.stdout) as { spdxVersion: string; packages?: { externalRefs?: Ref[] }[] };
    expect(doc.spdxVersion).toMatch(/^SPDX-2\./);
    const purls = new Set((doc.packages ?? []).flatMap((p) => (p.externalRefs ?? []).filter((x) => x.referenceType === 'purl').map((x) => x.referenceLocator)));
    expect(sbom.packages.map((p) => p.purl).filter((p) => !purls.has(p))).toEqual([]);
  }, 120_000);

  describe('bad input ends with a coded error, never a crash or a hang', () => {
    async function expectCoded(argv: string[], allowed: string[]): Promise<void> {
      const r = await runCli(argv);
      const codes = codedErrors(r.stderr);
      expect(codes.length, `no [CODE] on stderr: ${r.stderr}`).toBeGreaterThan(0);
      const code = codes[0] as NonNullable<(typeof codes)[0]>;
      expect(allowed, `stderr: ${r.stderr}`).toContain(code);
      expect(r.code).toBe(exitCodeOf(code));
      expect(r.code).not.toBe(0);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace: not an INTERNAL bug
      expect(r.stdout).toBe('');
    }

    it('a nonexistent path, for every path source', async () => {
      for (const prefix of ['docker-archive', 'oci-dir', 'oci-archive', 'dir']) {
        await expectCoded(['sbom', `${prefix}:/nonexistent/portcullis/image.tar`, '--format', 'json'], ['IMAGE_NOT_FOUND']);
      }
    });

    it('an image the daemon does not have', async () => {
      await expectCoded(['sbom', 'docker:portcullis-test/does-not-exist:never', '--format', 'json'], ['IMAGE_NOT_FOUND']);
    });

    it('a file of random bytes, and an empty directory', async () => {
      const dir = await tmp.make();
      await writeFile(join(dir, 'noise.tar'), randomBytes(64 * 1024));
      await expectCoded(['sbom', `docker-archive:${join(dir, 'noise.tar')}`, '--format', 'json', '--no-cache'], ['IMAGE_FORMAT']);
      await mkdir(join(dir, 'empty'));
      await expectCoded(['sbom', `oci-dir:${join(dir, 'empty')}`, '--format', 'json', '--no-cache'], ['IMAGE_FORMAT', 'IMAGE_NOT_FOUND']);
    });

    it('a docker-archive truncated in the middle of a layer', async () => {
      const dir = await tmp.make();
      const cut = join(dir, 'truncated.tar');
      await copyFile(archive, cut);
      await truncate(cut, Math.floor((await stat(archive)).size * 0.6));
      await expectCoded(['sbom', `docker-archive:${cut}`, '--format', 'json', '--no-cache'], ['IMAGE_FORMAT', 'LAYER_CORRUPT']);
    }, 120_000);

    it('an unknown output format and a missing image argument', async () => {
      await expectCoded(['sbom', `docker-archive:${archive}`, '--format', 'no-such-format'], ['USAGE']);
      await expectCoded(['sbom', '--format', 'json'], ['USAGE']);
    });
  });

  describe('from a real registry (docker-registry on loopback)', () => {
    const registries: RunningRegistry[] = [];
    afterAll(async () => {
      for (const r of registries.splice(0)) await r.stop();
    });

    /**
     * Starts a registry and pushes the test image. Anonymous: from the docker-archive, so the
     * registry serves Docker schema 2 media types. Authenticated: from the OCI layout, so the
     * registry serves OCI media types (and skopeo need not gzip the layers again).
     */
    async function pushed(auth: RegistryAuth): Promise<RunningRegistry> {
      const reg = await startRegistry({ auth });
      registries.push(reg);
      const creds = reg.username ? ['--dest-creds', `${reg.username}:${reg.password ?? ''}`] : [];
      const from = auth === 'none' ? `docker-archive:${archive}` : `oci:${await ociLayout()}:latest`;
      await exec('skopeo', ['copy', '--dest-tls-verify=false', ...creds, from, `docker://${reg.host}/debian-test:1`]);
      const srcCreds = reg.username ? ['--creds', `${reg.username}:${reg.password ?? ''}`] : [];
      const raw = await exec('skopeo', ['inspect', '--raw', '--tls-verify=false', ...srcCreds, `docker://${reg.host}/debian-test:1`]);
      const mediaType = (JSON.parse(raw.stdout) as { mediaType?: string }).mediaType;
      expect(mediaType).toBe(auth === 'none' ? 'application/vnd.docker.distribution.manifest.v2+json' : 'application/vnd.oci.image.manifest.v1+json');
      return reg;
    }

    it('without authentication gives the same packages as the archive', async () => {
      const reg = await pushed('none');
      const got = await sbomJson(`registry:${reg.host}/debian-test:1`, '--insecure');
      expect(debPackages(got).map(debKey).sort()).toEqual(debPackages(sbom).map(debKey).sort());
      await expectRegistryError(['sbom', `registry:${reg.host}/debian-test:no-such-tag`, '--insecure', '--format', 'json'], ['IMAGE_NOT_FOUND']);
      // Plain HTTP only when asked for; never a silent downgrade.
      await expectRegistryError(['sbom', `registry:${reg.host}/debian-test:1`, '--format', 'json'], ['REGISTRY_INSECURE', 'REGISTRY_UNREACHABLE']);
    }, 300_000);

    it('with basic authentication (flags) gives the same packages, and refuses bad credentials', async () => {
      const reg = await pushed('basic');
      const ref = `registry:${reg.host}/debian-test:1`;
      // `--opt=value` form: generated passwords may start with "-", which parseArgs would
      // otherwise refuse as an ambiguous option argument.
      const got = await sbomJson(ref, '--insecure', `--username=${reg.username ?? ''}`, `--password=${reg.password ?? ''}`);
      expect(debPackages(got).map(debKey).sort()).toEqual(debPackages(sbom).map(debKey).sort());
      await expectRegistryError(['sbom', ref, '--insecure', '--format', 'json'], ['REGISTRY_AUTH']);
      await expectRegistryError(['sbom', ref, '--insecure', '--format', 'json', `--username=${reg.username ?? ''}`, '--password=wrong-password'], ['REGISTRY_AUTH']);
    }, 300_000);

    it('with token authentication (credentials from the environment) gives the same packages', async () => {
      const reg = await pushed('token');
      const r = await runCli(['sbom', `registry:${reg.host}/debian-test:1`, '--insecure', '--format', 'json', '--no-cache'], {
        env: { PORTCULLIS_REGISTRY_USERNAME: reg.username, PORTCULLIS_REGISTRY_PASSWORD: reg.password },
      });
      expect(r.code, r.stderr).toBe(0);
      expect(debPackages(parseNativeSbom(r.stdout)).map(debKey).sort()).toEqual(debPackages(sbom).map(debKey).sort());
    }, 300_000);

    async function expectRegistryError(argv: string[], allowed: string[]): Promise<void> {
      const r = await runCli([...argv, '--no-cache']);
      const code = codedErrors(r.stderr)[0];
      expect(code, `stderr: ${r.stderr}`).toBeDefined();
      expect(allowed, `stderr: ${r.stderr}`).toContain(code);
      expect(r.code).toBe(exitCodeOf(code as NonNullable<typeof code>));
    }
  });
});
