import type { Inventory } from '../../catalog/inventory.js';
import type { Finding } from '../../core/finding.js';
import type { LayerRef, Package, PackageType } from '../../core/package.js';
import type { ScanReport } from '../types.js';

/**
 * ScanReports for the reporter tests. `demoReport` holds facts of real findings that
 * `portcullis image examples/images/demo.oci.tar` reports with the bundled demo database
 * (lodash CVE-2018-3721, qs CVE-2014-7191, negotiator NSWG-ECO-106, golang.org/x/text
 * CVE-2021-38561), plus one VEX-suppressed finding and one skipped package.
 * `hostileReport` puts markup, quotes, newlines, pipes, percent signs, control characters
 * and non-BMP unicode into every field a package or advisory controls.
 */

const LAYER: LayerRef = {
  index: 2,
  diffId: 'sha256:359ebeca19a865c02378efd035dc5886cb2f42d9bb4b17717291d808558b08e9',
  digest: 'sha256:edb92d8a29c9411f7a6056a614aca5e4710f35021c36106c12f67b11378a6fd9',
  createdBy: '/bin/sh -c #(nop) COPY dir:c3b8a5c697ef0e7b25eb803104d03f2826d6dae58d982577eb8ec4a4128ba1d5 in /app/ ',
};

export function pkg(type: PackageType, name: string, version: string, path?: string, purl = `pkg:${type}/${encodeURIComponent(name)}@${encodeURIComponent(version)}`): Package {
  return {
    id: `${type}:${name}@${version}${path ? `#${path}` : ''}`,
    type,
    name,
    version,
    licenses: [],
    purl,
    foundBy: `${type}-cataloger@1`,
    locations: path ? [{ path, layerDiffId: LAYER.diffId }] : [],
    layer: LAYER,
  };
}

export function finding(p: Package, f: Partial<Finding> & Pick<Finding, 'id' | 'severity'>): Finding {
  return {
    aliases: [f.id],
    package: { id: p.id, type: p.type, name: p.name, version: p.version, purl: p.purl, locations: p.locations, ...(p.layer ? { layer: p.layer } : {}) },
    severitySource: 'nswg',
    ratings: [],
    cvss: [],
    fixState: 'not_fixed',
    fixedVersions: [],
    cwes: [],
    references: [],
    evidence: [],
    ...f,
  };
}

export function inventory(packages: readonly Package[], over: Partial<Inventory['image']> = {}): Inventory {
  return {
    tool: { name: 'portcullis', version: '0.1.0' },
    createdAt: '2026-11-23T15:05:43.884Z',
    image: {
      source: 'oci-archive',
      reference: 'oci-archive:/work/main/examples/images/demo.oci.tar',
      tags: ['demo:1'],
      manifestDigest: 'sha256:e214f1e33dac9490fd557f6fe8b1c5ea2084ebc72f7eba677a11efa12c371d51',
      configDigest: 'sha256:bd92f17417289e500311e11f45ef914ba1c3e0c35a551e4dae40a79bc53732ba',
      config: { os: 'linux', architecture: 'amd64', env: [], labels: {}, history: [] },
      layers: [],
      ...over,
    },
    os: { id: 'debian', versionId: '12', versionCodename: 'bookworm', prettyName: 'Debian GNU/Linux 12 (bookworm)', source: '/etc/os-release' },
    layers: [LAYER],
    packages,
    relationships: [],
    problems: [],
    catalogers: [],
  };
}

const DATABASE: ScanReport['database'] = { path: '/tmp/demo.db', kind: 'demo', builtAt: '2026-11-23T15:04:59.792Z', sources: [{ id: 'demo', status: 'ok', fetchedAt: '2026-08-22T00:00:00Z', advisories: 21499 }] };

export function demoReport(): ScanReport {
  const lodash = pkg('npm', 'lodash', '4.17.4', '/app/node_modules/lodash/package.json');
  const qs = pkg('npm', 'qs', '0.6.6', '/app/node_modules/qs/package.json');
  const negotiator = pkg('npm', 'negotiator', '0.3.0', '/app/node_modules/negotiator/package.json');
  const text = pkg('golang', 'golang.org/x/text', 'v0.3.5', '/app/hello', 'pkg:golang/golang.org/x/text@v0.3.5');
  const libc = pkg('deb', 'libc6', '2.36-9+deb12u9', '/var/lib/dpkg/status', 'pkg:deb/debian/libc6@2.36-9%2Bdeb12u9?arch=amd64&distro=debian-12');
  const clean = pkg('npm', 'ms', '2.1.3', '/app/node_modules/ms/package.json');
  const findings: Finding[] = [
    finding(qs, {
      id: 'CVE-2014-7191',
      aliases: ['CVE-2014-7191', 'NSWG-ECO-29'],
      severity: 'high',
      cvss: [{ version: '3.0', vector: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', score: 7.5, source: 'nswg' }],
      fixState: 'fixed',
      fixedVersions: ['1.0.0'],
      references: ['https://github.com/nodejs/security-wg/blob/main/vuln/npm/29.json', 'https://github.com/visionmedia/node-querystring/issues/104'],
      published: '2014-08-06T00:00:00Z',
    }),
    finding(negotiator, {
      id: 'NSWG-ECO-106',
      severity: 'high',
      cvss: [{ version: '3.0', vector: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', score: 7.5, source: 'nswg' }],
      references: ['https://github.com/nodejs/security-wg/blob/main/vuln/npm/106.json'],
    }),
    finding(lodash, {
      id: 'CVE-2018-3721',
      aliases: ['CVE-2018-3721', 'NSWG-ECO-368'],
      severity: 'low',
      cvss: [{ version: '3.0', vector: 'CVSS:3.0/AV:L/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:L', score: 1.8, source: 'nswg' }],
      fixState: 'fixed',
      fixedVersions: ['4.17.5'],
      references: ['https://github.com/nodejs/security-wg/blob/main/vuln/npm/368.json', 'https://hackerone.com/reports/310443'],
    }),
    finding(text, {
      id: 'CVE-2021-38561',
      aliases: ['CVE-2021-38561', 'GHSA-ppp9-7jff-5vj2', 'GO-2021-0113'],
      severity: 'unknown',
      severitySource: 'none',
      fixState: 'fixed',
      fixedVersions: ['0.3.7'],
      references: ['https://go.dev/cl/340830'],
    }),
  ];
  const suppressed = [
    finding(lodash, {
      id: 'CVE-2019-10744',
      severity: 'critical',
      cvss: [{ version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:H', score: 9.1, source: 'nvd' }],
      severitySource: 'nvd',
      fixState: 'fixed',
      fixedVersions: ['4.17.12'],
      vex: { status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', document: 'vex/app.openvex.json' },
    }),
  ];
  return {
    inventory: inventory([lodash, qs, negotiator, text, libc, clean]),
    findings,
    suppressed,
    database: DATABASE,
    problems: [{ code: 'DB_STALE', message: 'the vulnerability data is 93 days old' }],
    skipped: [{ package: libc.id, reason: 'the demo database has no Debian 12 data' }],
  };
}

/** Every string a package, an advisory or the image controls, made hostile. */
export const HOSTILE = {
  name: `evil"'<pkg>&amp;|pipe|\n::error::injected\r\n%0A💥\u0000\u0007é`,
  version: '1.0"<>&|%2C,:\n2',
  path: '/app/node_modules/we ird#dir?/x%20y/<pkg>|"\'/package.json',
  id: 'GHSA-<x>&"|\n::warning::',
  summary: 'A summary with ]]> and <script>alert(1)</script> and | pipes |\nand a second line',
  reference: 'https://example.com/a?b=1&c=<2>|"x"',
  image: 'registry.example:5000/evil"<img src=x>|app\n:1',
} as const;

export function hostileReport(): ScanReport {
  const bad = pkg('npm', HOSTILE.name, HOSTILE.version, HOSTILE.path);
  const twin = pkg('npm', HOSTILE.name, HOSTILE.version, '/other/package.json');
  return {
    inventory: { ...inventory([bad, twin], { tags: [HOSTILE.image], reference: `registry:${HOSTILE.image}` }), os: undefined },
    findings: [
      finding(bad, { id: HOSTILE.id, severity: 'critical', summary: HOSTILE.summary, references: [HOSTILE.reference, 'javascript:alert(1)'], fixedVersions: [HOSTILE.version], fixState: 'fixed', cwes: ['CWE-79'] }),
      finding(twin, { id: 'CVE-2024-0001', severity: 'medium', cvss: [{ version: '3.1', vector: 'not a vector', score: Number.NaN, source: 'nswg' }] }),
    ],
    suppressed: [],
    database: DATABASE,
    problems: [{ code: 'CATALOG_PARSE', message: 'bad <file> & "quote"\nsecond line', path: HOSTILE.path }],
    skipped: [],
  };
}

export function emptyReport(): ScanReport {
  return { inventory: inventory([]), findings: [], suppressed: [], database: DATABASE, problems: [], skipped: [] };
}

/** `n` packages, each with one finding: the size of a large distro image times ten. */
export function hugeReport(n: number): ScanReport {
  const packages = Array.from({ length: n }, (_, i) => pkg('deb', `lib${i}`, `1.${i}`, '/var/lib/dpkg/status'));
  const sev = ['critical', 'high', 'medium', 'low', 'negligible', 'unknown'] as const;
  return {
    ...emptyReport(),
    inventory: inventory(packages),
    findings: packages.map((p, i) => finding(p, { id: `CVE-2024-${10000 + i}`, severity: sev[i % sev.length] ?? 'unknown', summary: 'x'.repeat(200) })),
  };
}
