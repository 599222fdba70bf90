import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/finding.js';
import { type AppTestImage, buildAppTestImage } from '../helpers/app-image.js';
import { runCli } from '../helpers/cli.js';
import { dockerUnavailableReason, saveImage } from '../helpers/docker.js';
import { readSavedConfig, type SavedImageConfig } from '../helpers/image-archive.js';
import { tmpDirPool } from '../helpers/tmp.js';

/**
 * Acceptance test of vulnerability matching (issue 4) on a real Debian bookworm image built on
 * this machine (test/helpers/app-image.ts: python3-requests, python3-jinja2,
 * python3-cryptography, ruby-rack, skopeo and more from Debian; urllib3 installed with pip; rack
 * installed with gem; an npm application with old lodash, minimist and express) against the
 * bundled demo database, which holds the real PyPA, RubySec, Go and Node.js WG advisories.
 */

const skipReason = await dockerUnavailableReason();
if (skipReason) console.warn(`[skip] vulnerability e2e: ${skipReason}`);

interface ScanJson {
  readonly findings: Finding[];
  readonly database: { readonly kind: string };
  readonly summary: { readonly packages: number };
}

describe.skipIf(skipReason !== undefined)('portcullis image: findings on a real Debian application image', () => {
  const tmp = tmpDirPool('e2e-vulns');
  let image: AppTestImage;
  let saved: SavedImageConfig;
  let scan: ScanJson;

  const layerOf = (marker: string) => saved.layerCreatedBy.findIndex((c) => c.includes(marker));
  const of = (name: string, version?: string) => scan.findings.filter((f) => f.package.name === name && (!version || f.package.version === version));

  beforeAll(async () => {
    image = await buildAppTestImage();
    const work = await tmp.make();
    const archive = join(work, 'image.tar');
    await saveImage(image.tag, archive);
    saved = await readSavedConfig(archive);
    const r = await runCli(['image', `docker-archive:${archive}`, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    scan = JSON.parse(r.stdout) as ScanJson;
  });
  afterAll(() => tmp.removeAll());

  it('uses the demo database made from real advisory data', () => {
    expect(scan.database.kind).toBe('demo');
    expect(scan.summary.packages).toBeGreaterThan(300);
  });

  it('every finding carries its evidence: advisory, range, compared version, file and layer', () => {
    expect(scan.findings.length).toBeGreaterThan(20);
    for (const f of scan.findings) {
      expect(f.evidence.length, f.id).toBeGreaterThan(0);
      for (const e of f.evidence) {
        expect(e.advisory).toMatch(/^[A-Z]+-/);
        expect(e.range ?? '').not.toBe('');
        expect(e.comparedVersion).not.toBe('');
      }
      expect(f.package.locations[0]?.path, f.id).toMatch(/^\//);
      expect(f.package.layer?.diffId, f.id).toMatch(/^sha256:/);
      expect(f.aliases[0]).toBe(f.id);
    }
  });

  it('PyPA: the pip-installed urllib3 is matched by PyPI data, in the pip layer', () => {
    const found = of(image.pip.name, image.pip.version);
    expect(found.length).toBeGreaterThan(0);
    for (const f of found) {
      expect(f.evidence.some((e) => e.ecosystem === 'PyPI' && e.advisory.startsWith('PYSEC-'))).toBe(true);
      expect(f.package.locations[0]?.path).toContain(`${image.pip.siteDir}/urllib3-1.26.5.dist-info/`);
      expect(f.package.layer?.index).toBe(layerOf(image.steps.pip));
    }
    // CVE-2023-43804 (cookie header leak on redirect), fixed in urllib3 1.26.17.
    expect(found.find((f) => f.id === 'CVE-2023-43804')?.fixedVersions).toContain('1.26.17');
  });

  it('RubySec: the gem-installed rack 2.1.4 is matched by RubyGems data, in the gem layer', () => {
    const found = of('rack', image.gem.version);
    expect(found.length).toBeGreaterThan(3);
    for (const f of found) {
      expect(f.evidence.every((e) => e.ecosystem === 'RubyGems' && e.source === 'rubysec')).toBe(true);
      expect(f.package.layer?.index).toBe(layerOf(image.steps.gem));
    }
  });

  it('Go: the toolchain compiled into /usr/bin/skopeo (a Debian-owned binary) is matched by Go data', () => {
    // Debian builds Go programs from its own golang-* source packages (GOPATH mode), so the
    // binary's build info names only the toolchain; that is still Go's to match, not Debian's.
    const inSkopeo = scan.findings.filter((f) => f.package.type === 'golang' && f.package.locations.some((l) => l.path === image.goBinary));
    expect(inSkopeo.length).toBeGreaterThan(5);
    expect(new Set(inSkopeo.map((f) => f.package.name))).toEqual(new Set(['stdlib']));
    expect(inSkopeo.find((f) => f.id === 'CVE-2023-29403')?.fixedVersions).toContain('1.19.10');
    for (const f of inSkopeo) expect(f.evidence.every((e) => e.ecosystem === 'Go' && /^GO-\d{4}-\d+$/.test(e.advisory))).toBe(true);
  });

  it('npm: the application’s old lodash is matched by the Node.js WG data, once', () => {
    const lodash = of('lodash', image.npm.lodash);
    expect(lodash.map((f) => f.id).sort()).toEqual(['CVE-2018-16487', 'CVE-2018-3721']);
    for (const f of lodash) {
      expect(f.package.locations.map((l) => l.path)).toEqual(['/app/node_modules/lodash/package.json']);
      expect(f.package.layer?.index).toBe(layerOf(image.steps.app));
      expect(f.evidence[0]).toMatchObject({ source: 'nswg', ecosystem: 'npm', matchedBy: 'ecosystem' });
    }
  });

  it('Debian-owned Python and Ruby libraries are matched through the distro, never again through PyPI or RubyGems', () => {
    // Debian's requests 2.28.1 is inside PYSEC-2023-74's range (< 2.31.0) and Debian's rack is a
    // 2.2.x that RubySec lists: reporting them from PyPI/RubyGems would duplicate (and ignore
    // the backports of) the distro's own tracking.
    for (const name of ['requests', 'jinja2', 'cryptography']) {
      const viaPyPI = scan.findings.filter((f) => f.package.type === 'pypi' && f.package.name === name);
      expect(viaPyPI, name).toEqual([]);
    }
    const debianRack = scan.findings.filter((f) => f.package.type === 'gem' && f.package.name === 'rack' && f.package.version !== image.gem.version);
    expect(debianRack).toEqual([]);
    const jar = scan.findings.filter((f) => f.package.type === 'maven' && f.package.locations.some((l) => l.path.startsWith('/usr/share/java/')));
    expect(jar).toEqual([]);
  });
});
