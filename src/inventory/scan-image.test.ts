import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TarItem } from '../../test/helpers/tar-builder.js';
import { CATALOGERS } from '../catalog/registry.js';
import { LayerCache } from '../image/layers/cache.js';
import { openOciDir } from '../image/oci/oci-dir.js';
import { encodeSbom, SBOM_FORMATS } from '../sbom/index.js';
import { type ScanResult, scanImage } from './scan-image.js';
import { writeOciLayout } from './testdata/oci-layout.js';

/**
 * A cached scan must give byte for byte what a cold scan gives: for the same image (warm),
 * for an image that adds layers changing nothing the cached scan depends on (extended), and
 * for one whose added layers do (resumed). The images are real OCI layouts read by the
 * oci-dir source; the base image is Debian-like with dpkg, Python and npm packages, a
 * lockfile an OS package ships (dropped) and a merged-/usr symlink (ownership follows it).
 */
const stanza = (name: string, version: string, extra = '') =>
  `Package: ${name}\nStatus: install ok installed\nPriority: optional\nArchitecture: amd64\nVersion: ${version}\n${extra}Description: ${name}\n`;
const status = (...s: string[]): TarItem => ({ name: 'var/lib/dpkg/status', content: s.join('\n') });
const list = (pkg: string, ...paths: string[]): TarItem => ({ name: `var/lib/dpkg/info/${pkg}.list`, content: `/.\n${paths.join('\n')}\n` });
const dir = (name: string): TarItem => ({ name, type: 'directory' });
const json = (v: unknown): string => JSON.stringify(v);

const PNPM_LOCK = "lockfileVersion: '6.0'\npackages:\n  /left-pad@1.0.0:\n    resolution: {integrity: sha512-x}\n    dev: false\n";
const METADATA = 'Metadata-Version: 2.1\nName: requests\nVersion: 2.28.1\n';

const L0: TarItem[] = [
  dir('etc'),
  { name: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' },
  dir('usr'),
  dir('usr/bin'),
  dir('usr/lib'),
  { name: 'bin', type: 'symlink', linkname: 'usr/bin' },
  { name: 'lib', type: 'symlink', linkname: 'usr/lib' },
  { name: 'usr/bin/cat', content: 'cat', mode: 0o644 },
  status(stanza('base-files', '12.4'), stanza('coreutils', '9.1-1')),
  list('coreutils', '/bin', '/bin/cat'),
];
const L1: TarItem[] = [
  status(stanza('base-files', '12.4'), stanza('coreutils', '9.1-1'), stanza('curl', '7.88.1-10'), stanza('node-foo', '1.0-1'), stanza('python3-requests', '2.28.1-1'), stanza('libold', '1')),
  list('node-foo', '/usr/share/nodejs/foo/pnpm-lock.yaml'),
  // the path as the package shipped it; merged /usr stores it under /usr/lib
  list('python3-requests', '/lib/python3/dist-packages/requests-2.28.1.dist-info/METADATA'),
  { name: 'usr/share/nodejs/foo/pnpm-lock.yaml', content: PNPM_LOCK },
  { name: 'usr/lib/python3/dist-packages/requests-2.28.1.dist-info/METADATA', content: METADATA },
  { name: 'srv/app/node_modules/left-pad/package.json', content: json({ name: 'left-pad', version: '1.3.0' }) },
];
const L2: TarItem[] = [
  // upgrade curl, purge libold, upgrade left-pad
  status(stanza('base-files', '12.4'), stanza('coreutils', '9.1-1'), stanza('curl', '8.0.1-1'), stanza('node-foo', '1.0-1'), stanza('python3-requests', '2.28.1-1')),
  { name: 'srv/app/node_modules/left-pad/package.json', content: json({ name: 'left-pad', version: '1.3.1' }) },
];
/** Application files no cataloger wants, in directories nothing looked at. */
const INERT: TarItem[] = [dir('srv'), dir('srv/app'), { name: 'srv/app/VERSION', content: '2\n' }, { name: 'srv/app/static/index.html', content: '<p>' }];
/** Installs one more Debian package. */
const APT: TarItem[] = [
  status(stanza('base-files', '12.4'), stanza('coreutils', '9.1-1'), stanza('curl', '8.0.1-1'), stanza('jq', '1.6-2.1'), stanza('node-foo', '1.0-1'), stanza('python3-requests', '2.28.1-1')),
  list('jq', '/usr/bin/jq'),
];
/**
 * Turns the merged-/usr symlink /lib into a directory: no captured file changes, but the path
 * python3-requests lists no longer leads to requests' metadata, so the ownership link goes.
 */
const UNMERGE: TarItem[] = [dir('lib'), { name: 'lib/README', content: 'x', mode: 0o644 }];

const root = mkdtempSync(join(tmpdir(), 'pc-scan-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const images: Record<string, string> = {};
beforeAll(async () => {
  const defs: Record<string, TarItem[][]> = { base: [L0, L1, L2], inert: [L0, L1, L2, INERT], apt: [L0, L1, L2, APT], unmerge: [L0, L1, L2, UNMERGE] };
  for (const [name, layers] of Object.entries(defs)) {
    images[name] = join(root, name);
    await writeOciLayout(images[name] as string, layers);
  }
});

const NOW = new Date('2025-01-01T00:00:00Z');
let seq = 0;
const freshCache = (): LayerCache => new LayerCache(mkdtempSync(join(root, `cache-${++seq}-`)));

async function scan(name: string, cache?: LayerCache): Promise<ScanResult> {
  const image = await openOciDir(images[name] as string, {});
  try {
    return await scanImage(image, { catalogers: CATALOGERS, toolVersion: 'test', now: NOW, ...(cache ? { cache } : {}) });
  } finally {
    await image.close();
  }
}

/** Every output format, deterministic, plus the inventory itself. */
function outputs(r: ScanResult): string[] {
  return [JSON.stringify(r.inventory), ...SBOM_FORMATS.map((f) => encodeSbom(r.inventory, f, { deterministic: true }))];
}

describe('scanImage with a scan cache', () => {
  it('attributes packages to the layers that introduced them (cold)', async () => {
    const r = await scan('base');
    expect(r.mode).toBe('cold');
    const got = Object.fromEntries(r.inventory.packages.map((p) => [`${p.type}:${p.name}@${p.version}`, p.layer?.index]));
    expect(got).toEqual({
      'deb:base-files@12.4': 0,
      'deb:coreutils@9.1-1': 0,
      'deb:curl@8.0.1-1': 2,
      'deb:node-foo@1.0-1': 1,
      'deb:python3-requests@2.28.1-1': 1,
      'npm:left-pad@1.3.1': 2,
      'pypi:requests@2.28.1': 1,
    });
    // the lockfile node-foo ships is not installed software; requests is Debian's
    expect(r.inventory.relationships).toContainEqual({ from: r.inventory.packages.find((p) => p.type === 'pypi')?.id, to: 'deb:python3-requests@2.28.1-1:amd64', type: 'owned-by' });
  });

  it('gives the same bytes warm as cold, and reads no layer for it', async () => {
    const cache = freshCache();
    const cold = await scan('base', cache);
    rmSync(join(cache.root, 'layers'), { recursive: true, force: true }); // nothing to read from
    const warm = await scan('base', cache);
    expect([cold.mode, warm.mode]).toEqual(['cold', 'warm']);
    expect(outputs(warm)).toEqual(outputs(cold));
  });

  it.each([
    ['inert', 'extended'],
    ['apt', 'resumed'],
    ['unmerge', 'resumed'],
  ] as const)('an image that adds layers to a cached one (%s) gives the bytes of its own cold scan', async (name, mode) => {
    const cache = freshCache();
    await scan('base', cache);
    const shared = await scan(name, cache);
    const cold = await scan(name, freshCache());
    expect([shared.mode, cold.mode]).toEqual([mode, 'cold']);
    expect(outputs(shared)).toEqual(outputs(cold));
    const owned = cold.inventory.relationships.some((r) => r.type === 'owned-by' && r.to.startsWith('deb:python3-requests'));
    expect(owned).toBe(name !== 'unmerge');
    // and then that image is warm too
    const again = await scan(name, cache);
    expect(again.mode).toBe('warm');
    expect(outputs(again)).toEqual(outputs(cold));
  });

  it('resumes from the cached scan even when the lower layers must be read again', async () => {
    const cache = freshCache();
    await scan('base', cache);
    rmSync(join(cache.root, 'layers'), { recursive: true, force: true });
    const shared = await scan('apt', cache);
    expect(shared.mode).toBe('resumed');
    expect(outputs(shared)).toEqual(outputs(await scan('apt', freshCache())));
    expect(shared.inventory.packages.find((p) => p.name === 'jq')?.layer?.index).toBe(3);
  });

  it('ignores a corrupt cached scan with a CACHE_CORRUPT problem and scans cold', async () => {
    const cache = freshCache();
    const cold = await scan('base', cache);
    for (const f of readdirSync(join(cache.root, 'scans'))) if (!f.startsWith('payload-')) writeFileSync(join(cache.root, 'scans', f), '{"version":"1",');
    const again = await scan('base', cache);
    expect(again.mode).toBe('cold');
    expect(again.inventory.problems.map((p) => p.code)).toContain('CACHE_CORRUPT');
    expect(again.inventory.packages).toEqual(cold.inventory.packages);
    expect((await scan('base', cache)).mode).toBe('warm'); // rewritten
  });
});

describe('scanImage with a corrupt layer cache', () => {
  it('reads a layer again when its cache entry is corrupt, and gives the same result', async () => {
    const cache = freshCache();
    const cold = await scan('base', cache);
    rmSync(join(cache.root, 'scans'), { recursive: true, force: true }); // only the layer cache is left
    const layers = join(cache.root, 'layers');
    const entries = readdirSync(layers);
    expect(entries).toHaveLength(3);
    for (const f of entries.slice(0, 2)) writeFileSync(join(layers, f), 'PCLC1\n\0\0\0\x09{"diffId"');
    const again = await scan('base', cache);
    expect(again.mode).toBe('cold');
    expect(again.inventory.problems.filter((p) => p.code === 'CACHE_CORRUPT')).toHaveLength(2);
    expect(again.inventory.packages).toEqual(cold.inventory.packages);
    expect(again.cacheHits).toBe(1);
  });
});
