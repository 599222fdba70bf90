import { describe, expect, it } from 'vitest';
import type { Finding } from '../../core/finding.js';
import { applyVex, type VexResult } from './apply.js';
import { parseVexDocument } from './parse.js';
import { FINDINGS as F, finding, IMAGE_REFS, loadFixture, PURLS } from './testdata/findings.js';

const ALL: readonly Finding[] = Object.values(F);

function run(files: readonly string[], findings: readonly Finding[] = ALL, imageRefs: readonly string[] = IMAGE_REFS): VexResult {
  return applyVex(findings, files.map(loadFixture), { imageRefs });
}

/** `id purl → status` for every finding the run annotated, kept or suppressed. */
function statuses(r: VexResult): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of [...r.findings, ...r.suppressed]) if (f.vex) out[`${f.id} ${f.package.name}`] = f.vex.status;
  return out;
}

describe('applyVex: identifiers', () => {
  it('matches a statement on the GHSA id to a finding whose primary id is the CVE', () => {
    const r = run(['openvex/alias-ghsa.openvex.json']);
    expect(r.suppressed.map((f) => f.id)).toEqual(['CVE-2021-44228']);
    expect(r.suppressed[0]!.vex).toEqual({
      status: 'not_affected',
      justification: 'vulnerable_code_not_in_execute_path',
      statement: 'The JNDI lookup class is removed from the jar at build time.',
      document: 'openvex/alias-ghsa.openvex.json',
    });
    expect(r.findings).toHaveLength(ALL.length - 1);
    expect(r.findings.every((f) => f.vex === undefined)).toBe(true);
  });

  it('compares vulnerability ids case-insensitively', () => {
    const doc = parseVexDocument(
      JSON.stringify({
        '@context': 'https://openvex.dev/ns/v0.2.0',
        timestamp: '2024-01-01T00:00:00Z',
        statements: [{ vulnerability: { name: 'ghsa-JFH8-c2jp-5v3q' }, products: [{ '@id': PURLS.log4j }], status: 'fixed' }],
      }),
    );
    expect(applyVex([F.log4shell], [doc], { imageRefs: [] }).suppressed).toHaveLength(1);
  });

  it('purls: exact version, no version = every version, other version and other qualifiers do not apply', () => {
    const r = run(['openvex/purls.openvex.json']);
    expect(statuses(r)).toEqual({
      'CVE-2021-23337 lodash': 'fixed', // pkg:npm/lodash@4.17.20
      'CVE-2021-44906 minimist': 'not_affected', // pkg:npm/minimist
      'CVE-2023-6129 openssl': 'not_affected', // ?arch=amd64 present in the package purl
    });
    // pkg:npm/lodash@4.17.15 is not the installed 4.17.20; ?arch=arm64 is not amd64.
    expect(r.findings.map((f) => f.id)).toContain('CVE-2020-8203');
    expect(r.findings.map((f) => f.id)).toContain('CVE-2023-5678');
  });

  it('ignores statements about vulnerabilities no finding has', () => {
    const r = run(['openvex/unknown-vuln.openvex.json']);
    expect(r.suppressed).toEqual([]);
    expect(r.findings).toEqual(ALL);
    expect(r.problems).toEqual([]);
  });
});

describe('applyVex: the image as product', () => {
  it('with subcomponents covers those packages; without, every package; another image nothing', () => {
    const r = run(['openvex/image.openvex.json']);
    expect(statuses(r)).toEqual({
      'CVE-2023-42363 busybox': 'not_affected', // pkg:oci/app@<digest> + busybox subcomponent
      'CVE-2023-5678 openssl': 'under_investigation', // pkg:oci/app@<digest>, no subcomponents
      'CVE-2023-42364 busybox': 'affected', // product by sha-256 hash, subcomponent by identifiers.purl
    });
    expect(r.findings.find((f) => f.id === 'CVE-2023-42366')!.vex).toBeUndefined(); // pkg:oci/other
  });

  it('does not treat the product as the image when the image refs do not name it', () => {
    const r = run(['openvex/image.openvex.json'], ALL, ['registry.example.test:5000/team/other:1.0', `sha256:${'e5'.repeat(32)}`]);
    expect(statuses(r)).toEqual({});
  });

  it('needs the tag the purl gives (tag=1.4.2) to be one of the image refs', () => {
    const r = run(['openvex/image.openvex.json'], ALL, [`registry.example.test:5000/team/app:2.0@sha256:${'c1'.repeat(32)}`]);
    expect(statuses(r)).toEqual({ 'CVE-2023-42364 busybox': 'affected' }); // only the hash-named product is left
  });

  it('applies a pkg:oci product to every finding, whatever its type', () => {
    const many = [F.opensslDos, finding('CVE-2023-5678', [], 'pkg:pypi/cryptography@41.0.0'), finding('CVE-2023-5678', [], 'pkg:golang/example.com/x@v1.0.0')];
    const r = run(['openvex/image.openvex.json'], many);
    expect(r.findings.map((f) => f.vex?.status)).toEqual(['under_investigation', 'under_investigation', 'under_investigation']);
  });
});

describe('applyVex: ordering', () => {
  it('within one document the latest timestamp wins, an untimed statement inherits the document time', () => {
    const r = run(['openvex/timeline.openvex.json']);
    // minimist: affected (2023-02-01) beats the later-listed not_affected (2023-01-01).
    expect(r.findings.find((f) => f.id === 'CVE-2021-44906')!.vex?.status).toBe('affected');
    expect(r.findings.find((f) => f.id === 'CVE-2021-44906')!.vex?.statement).toBe('Upgrade minimist to 1.2.6.');
    // lodash: fixed (document time 2023-03-01) beats under_investigation (2023-01-01).
    expect(r.suppressed.map((f) => [f.id, f.vex?.status])).toEqual([['CVE-2021-23337', 'fixed']]);
  });

  it('between documents with equal times the later one on the command line wins', () => {
    const ab = run(['openvex/conflict-a.openvex.json', 'openvex/conflict-b.openvex.json']);
    const ba = run(['openvex/conflict-b.openvex.json', 'openvex/conflict-a.openvex.json']);
    expect(statuses(ab)['CVE-2023-5678 openssl']).toBe('affected');
    expect(ab.findings.find((f) => f.id === 'CVE-2023-5678')!.vex?.document).toBe('openvex/conflict-b.openvex.json');
    expect(statuses(ba)['CVE-2023-5678 openssl']).toBe('not_affected');
    expect(ba.suppressed.find((f) => f.id === 'CVE-2023-5678')!.vex?.document).toBe('openvex/conflict-a.openvex.json');
  });

  it('a later timestamp wins whatever the document order', () => {
    for (const order of [['a', 'b'], ['b', 'a']]) {
      const r = run(order.map((x) => `openvex/conflict-${x}.openvex.json`));
      expect(statuses(r)['CVE-2021-23337 lodash']).toBe('fixed'); // a: 2024-05-01 > b: 2024-03-01
    }
  });

  it('orders OpenVEX and CycloneDX statements on one time line', () => {
    // timeline: minimist affected at 2023-02-01; states-1.5: false_positive, lastUpdated 2024-05-02.
    const r = run(['cyclonedx/states-1.5.cdx.json', 'openvex/timeline.openvex.json']);
    expect(r.suppressed.find((f) => f.id === 'CVE-2021-44906')!.vex).toMatchObject({ status: 'not_affected', document: 'cyclonedx/states-1.5.cdx.json' });
  });
});

describe('applyVex: warnings and results', () => {
  it('applies not_affected without justification and records one warning', () => {
    const twice = [F.minimist, finding('CVE-2021-44906', [], PURLS.minimist, { path: '/other/package.json', pkgId: 'npm:minimist@1.2.5#2' })];
    const r = run(['openvex/no-justification.openvex.json'], twice);
    expect(r.suppressed).toHaveLength(2);
    expect(r.suppressed[0]!.vex).toEqual({ status: 'not_affected', document: 'openvex/no-justification.openvex.json' });
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ code: 'VEX_PARSE', path: 'openvex/no-justification.openvex.json', source: 'vex' });
    expect(r.problems[0]!.message).toContain('statements[0]: not_affected without a justification');
  });

  it('keeps input order in both lists and does not change the input findings', () => {
    const before = JSON.stringify(ALL);
    const r = run(['openvex/purls.openvex.json', 'openvex/image.openvex.json']);
    const order = (list: readonly Finding[]) => list.map((f) => ALL.findIndex((g) => g.id === f.id && g.package.purl === f.package.purl));
    expect(order(r.findings)).toEqual([...order(r.findings)].sort((a, b) => a - b));
    expect(order(r.suppressed)).toEqual([...order(r.suppressed)].sort((a, b) => a - b));
    expect(r.findings.length + r.suppressed.length).toBe(ALL.length);
    expect(JSON.stringify(ALL)).toBe(before);
  });

  it('returns everything unchanged without documents', () => {
    expect(applyVex(ALL, [], { imageRefs: IMAGE_REFS })).toEqual({ findings: ALL, suppressed: [], problems: [] });
  });
});

describe('applyVex: a package product with subcomponents', () => {
  const doc = parseVexDocument(
    JSON.stringify({
      '@context': 'https://openvex.dev/ns/v0.2.0',
      timestamp: '2024-01-01T00:00:00Z',
      statements: [
        {
          vulnerability: { name: 'CVE-2023-44487' },
          products: [{ '@id': 'pkg:golang/example.com/app@v1.2.0', subcomponents: [{ '@id': 'pkg:golang/golang.org/x/net@v0.17.0' }] }],
          status: 'not_affected',
          justification: 'vulnerable_code_not_in_execute_path',
        },
        {
          vulnerability: { name: 'CVE-2021-44906' },
          products: [{ '@id': 'pkg:npm/web@1.0.0', subcomponents: [{ '@id': 'pkg:npm/minimist' }] }],
          status: 'not_affected',
          justification: 'vulnerable_code_not_in_execute_path',
        },
      ],
    }),
  );
  const net = finding('CVE-2023-44487', [], 'pkg:golang/golang.org/x/net@v0.17.0', { path: '/usr/bin/app' });
  const netElsewhere = finding('CVE-2023-44487', [], 'pkg:golang/golang.org/x/net@v0.17.0', { path: '/usr/bin/other', pkgId: 'golang:x/net#other' });
  const app = { id: 'golang:app', type: 'golang' as const, purl: 'pkg:golang/example.com/app@v1.2.0', version: 'v1.2.0', locations: [{ path: '/usr/bin/app' }] };
  const web = { id: 'npm:web@1.0.0', type: 'npm' as const, purl: 'pkg:npm/web@1.0.0', version: '1.0.0', locations: [{ path: '/srv/web/package.json' }] };
  const minimistPkg = { ...F.minimist.package, locations: [{ path: '/srv/web/node_modules/minimist/package.json' }] };
  const deep = finding('CVE-2021-44906', [], PURLS.minimist, { path: '/srv/web/node_modules/minimist/package.json' });
  const inventory = {
    packages: [app, web, net.package, netElsewhere.package, minimistPkg, { ...F.lodash.package, id: 'npm:lodash@4.17.20' }],
    relationships: [
      { from: 'npm:web@1.0.0', to: 'npm:lodash@4.17.20', type: 'depends-on' as const },
      { from: 'npm:lodash@4.17.20', to: deep.package.id, type: 'depends-on' as const },
    ],
  };

  it('applies to a subcomponent in the product (shared binary, transitive dependency), not to the same package elsewhere', () => {
    const r = applyVex([net, netElsewhere, deep], [doc], { imageRefs: IMAGE_REFS, inventory });
    expect(r.suppressed.map((f) => f.package.id)).toEqual([net.package.id, deep.package.id]);
    expect(r.findings.map((f) => f.package.id)).toEqual([netElsewhere.package.id]);
  });

  it('without an inventory, shared files among the findings still count; dependencies cannot be seen', () => {
    const appFinding = finding('CVE-2099-1', [], app.purl, { path: '/usr/bin/app' });
    const r = applyVex([appFinding, net, deep], [doc], { imageRefs: IMAGE_REFS });
    expect(r.suppressed.map((f) => f.package.id)).toEqual([net.package.id]);
  });
});
