import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Finding } from '../../../core/finding.js';
import type { PackageType } from '../../../core/package.js';
import { parseVexDocument } from '../parse.js';
import type { VexDocument } from '../model.js';

/** Test-only: a Finding with just what VEX looks at; the rest is plausible filler. */
export function finding(id: string, aliases: readonly string[], purl: string, extra: { path?: string; pkgId?: string } = {}): Finding {
  const type = (/^pkg:([a-z]+)\//.exec(purl)?.[1] ?? 'binary') as PackageType;
  const name = /\/([^/@?]+)@/.exec(purl)?.[1] ?? 'unknown';
  const version = decodeURIComponent(/@([^?#]+)/.exec(purl)?.[1] ?? '');
  return {
    id,
    aliases: [id, ...aliases],
    package: {
      id: extra.pkgId ?? `${type}:${name}@${version}`,
      type,
      name,
      version,
      purl,
      locations: [{ path: extra.path ?? `/fixtures/${name}` }],
    },
    severity: 'high',
    severitySource: 'test',
    ratings: [],
    cvss: [],
    fixState: 'fixed',
    fixedVersions: [],
    cwes: [],
    references: [],
    evidence: [],
  };
}

export const IMAGE_DIGEST = `sha256:${'c1'.repeat(32)}`;
export const IMAGE_REFS = ['registry.example.test:5000/team/app:1.4.2', `registry.example.test:5000/team/app@${IMAGE_DIGEST}`, `sha256:${'d1'.repeat(32)}`];

/** Packages of the fixture image (scripts/fixtures/vex/gen/main.go uses the same purls). */
export const PURLS = {
  log4j: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
  lodash: 'pkg:npm/lodash@4.17.20',
  minimist: 'pkg:npm/minimist@1.2.5',
  busybox: 'pkg:apk/alpine/busybox@1.36.1-r0?arch=x86_64&distro=3.18.4',
  openssl: 'pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12',
  jackson: 'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0',
} as const;

export const FINDINGS = {
  log4shell: finding('CVE-2021-44228', ['GHSA-jfh8-c2jp-5v3q'], PURLS.log4j),
  lodash: finding('CVE-2021-23337', ['GHSA-35jh-r3h4-6jhm'], PURLS.lodash),
  lodashOld: finding('CVE-2020-8203', ['GHSA-p6mc-m468-83gw'], PURLS.lodash),
  minimist: finding('CVE-2021-44906', ['GHSA-xvch-5gv4-984h'], PURLS.minimist),
  busyboxAwk: finding('CVE-2023-42363', [], PURLS.busybox),
  busyboxOther: finding('CVE-2023-42366', [], PURLS.busybox),
  busyboxHash: finding('CVE-2023-42364', [], PURLS.busybox),
  opensslDos: finding('CVE-2023-5678', [], PURLS.openssl),
  opensslPoly: finding('CVE-2023-6129', [], PURLS.openssl),
  jackson: finding('CVE-2020-25649', ['GHSA-288c-cq4h-88gq'], PURLS.jackson),
} as const;

export function fixturePath(name: string): string {
  return fileURLToPath(new URL(name, import.meta.url));
}

export function loadFixture(name: string): VexDocument {
  return parseVexDocument(readFileSync(fixturePath(name)), { path: name });
}
