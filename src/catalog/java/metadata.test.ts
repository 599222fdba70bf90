import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CapturedFile } from '../types.js';
import { parseFileName } from './identity.js';
import { javaCataloger } from './index.js';
import { parseManifest } from './manifest.js';
import { parsePomProperties, parsePomXml } from './pom.js';

describe('MANIFEST.MF', () => {
  it('joins continuation lines, ignores unknown attributes and stops at the main section', () => {
    const text = 'Manifest-Version: 1.0\r\nBundle-SymbolicName: org.example.very.long.symbolic.na\r\n me;singleton:=true\r\nimplementation-version: 1.2\r\n\r\nName: x\r\nImplementation-Title: later\r\n';
    expect(parseManifest(text)).toEqual({ 'Bundle-SymbolicName': 'org.example.very.long.symbolic.name;singleton:=true', 'Implementation-Version': '1.2' });
  });
});

describe('pom descriptors', () => {
  it('reads pom.properties with comments and either separator', () => {
    expect(parsePomProperties('#c\n!c\ngroupId = g\nartifactId: a\nversion=1.0\n')).toEqual({ groupId: 'g', artifactId: 'a', version: '1.0' });
  });
  it('inherits groupId and version from <parent>, ignores dependencies and unresolved properties', () => {
    const xml = '<project><!-- <groupId>no</groupId> --><parent><groupId>p.g</groupId><version>3</version></parent><artifactId>x</artifactId><dependencies><dependency><groupId>d</groupId><version>9</version></dependency></dependencies></project>';
    expect(parsePomXml(xml)).toEqual({ groupId: 'p.g', artifactId: 'x', version: '3', licenses: [] });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Maven property reference, not a template
    expect(parsePomXml('<project><groupId>g</groupId><artifactId>a</artifactId><version>${revision}</version></project>')).toEqual({ groupId: 'g', artifactId: 'a', licenses: [] });
  });
  it('stays fast on unclosed hostile markup', () => {
    const started = Date.now();
    parsePomXml('<parent>'.repeat(100_000) + '<!--'.repeat(50_000));
    parsePomXml(`<project>${'<groupId '.repeat(100_000)}<licenses>${'<license>'.repeat(50_000)}</licenses></project>`);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('file names (trivy heuristic)', () => {
  it.each([
    ['commons-io-2.11.0.jar', { artifactId: 'commons-io', version: '2.11.0' }],
    ['spring-core-5.3.0-SNAPSHOT.jar', { artifactId: 'spring-core', version: '5.3.0-SNAPSHOT' }],
    ['guava-31.1-jre.jar', { artifactId: 'guava', version: '31.1-jre' }],
    ['app.war', undefined],
    ['commons-io.jar', undefined],
  ])('%s', (name, expected) => expect(parseFileName(name)).toEqual(expected));
});

function catalogFixture(name: string, path: string) {
  const content = readFileSync(join(import.meta.dirname, 'testdata', name));
  const file: CapturedFile = { path, content, wantedBy: ['java'] }; // unsummarized: catalog summarizes itself
  return javaCataloger.catalog({ files: () => [file], read: () => file, exists: () => true, os: undefined });
}

describe('identity order', () => {
  it('reports every descriptor of a shaded jar; pom.xml alone inherits from its parent', () => {
    const { packages, problems } = catalogFixture('shaded-app-2.0.0.jar', '/app/shaded-app-2.0.0.jar');
    expect(problems).toEqual([]);
    expect(packages.map((p) => [p.name, p.version, p.metadata?.identity, p.licenses]).sort()).toEqual([
      ['com.google.guava:guava', '31.1-jre', 'pom.properties', []],
      ['org.example.parent:inherits', '7.1', 'pom.xml', ['Apache-2.0', 'MIT']],
      ['org.example:shaded-app', '2.0.0', 'pom.properties', []],
    ]);
    expect(packages.map((p) => p.purl)).toContain('pkg:maven/com.google.guava/guava@31.1-jre');
  });
  it('names a Jenkins plugin from Short-Name / Plugin-Version', () => {
    const { packages } = catalogFixture('git-client.hpi', '/var/jenkins_home/plugins/git-client.hpi');
    expect(packages.map((p) => [p.name, p.version, p.purl, p.licenses, p.metadata?.manifest])).toEqual([
      ['org.jenkins-ci.plugins:git-client', '4.4.0', 'pkg:maven/org.jenkins-ci.plugins/git-client@4.4.0', ['MIT License'], { 'Short-Name': 'git-client', 'Plugin-Version': '4.4.0', 'Group-Id': 'org.jenkins-ci.plugins' }],
    ]);
  });
  it('wants archives by suffix only', () => {
    expect(['/a/b.jar', '/a/B.WAR', '/x.hpi', '/x.kar', '/x.rar'].every((p) => javaCataloger.wants(p))).toBe(true);
    expect(['/a/b.jar.sha1', '/a/jar', '/a/b.zip', '/a/b.java'].some((p) => javaCataloger.wants(p))).toBe(false);
  });
});
