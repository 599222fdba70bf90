import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dominantPackage, inferGroupId } from './group.js';
import { javaCataloger } from './index.js';
import type { CapturedFile } from '../types.js';

/** Real manifests and class names of Maven Central jars; truth in testdata/groupid/README.md. */
function catalogJar(name: string) {
  const path = `/app/BOOT-INF/lib/${name}`;
  const file: CapturedFile = { path, content: readFileSync(join(import.meta.dirname, 'testdata/groupid', name)), wantedBy: ['java'] };
  return javaCataloger.catalog({ files: () => [file], read: () => file, exists: () => true, os: undefined });
}

describe('groupId of jars without pom.properties (Maven Central truth)', () => {
  it.each([
    ['spring-core-6.1.6.jar', 'org.springframework', 'spring-core', 'classes'],
    ['spring-aop-6.1.6.jar', 'org.springframework', 'spring-aop', 'classes'],
    ['hibernate-core-6.4.4.Final.jar', 'org.hibernate.orm', 'hibernate-core', 'Automatic-Module-Name'],
    ['micrometer-core-1.12.5.jar', 'io.micrometer', 'micrometer-core', 'Implementation-Title'],
    ['postgresql-42.6.2.jar', 'org.postgresql', 'postgresql', 'Implementation-Vendor-Id'],
    ['checker-qual-3.31.0.jar', 'org.checkerframework', 'checker-qual', 'Automatic-Module-Name'],
    ['aspectjweaver-1.9.22.jar', 'org.aspectj', 'aspectjweaver', 'Automatic-Module-Name'],
  ])('%s → %s:%s from %s', (file, groupId, artifactId, from) => {
    const { packages, problems } = catalogJar(file);
    expect(problems).toEqual([]);
    const version = file.slice(artifactId.length + 1, -'.jar'.length);
    expect(packages.map((p) => [p.name, p.version, p.purl, p.metadata?.groupIdFrom, p.metadata?.groupIdUnknown])).toEqual([
      [`${groupId}:${artifactId}`, version, `pkg:maven/${groupId}/${artifactId}@${version}`, from, undefined],
    ]);
  });

  it('leaves the groupId unknown when the only evidence is an umbrella (tomcat-embed-core: org.apache)', () => {
    const { packages } = catalogJar('tomcat-embed-core-10.1.20.jar');
    expect(packages.map((p) => [p.name, p.metadata?.groupIdUnknown, p.metadata?.groupIdFrom])).toEqual([['tomcat-embed-core', true, undefined]]);
  });
});

const dirs = (o: Record<string, number>) => new Map(Object.entries(o));

describe('inferGroupId evidence order', () => {
  it.each([
    ['Jenkins Group-Id first', 'git-client', { 'Group-Id': 'org.jenkins-ci.plugins', 'Implementation-Vendor-Id': 'org.other' }, {}, 'org.jenkins-ci.plugins'],
    ['module name naming the artifact beats Implementation-Vendor-Id', 'hibernate-core', { 'Automatic-Module-Name': 'org.hibernate.orm.core', 'Implementation-Vendor-Id': 'org.hibernate' }, {}, 'org.hibernate.orm'],
    ['Bundle-SymbolicName minus OSGi directives and artifact', 'jackson-databind', { 'Bundle-SymbolicName': 'com.fasterxml.jackson.core.jackson-databind;singleton:=true' }, {}, 'com.fasterxml.jackson.core'],
    ['module name not naming the artifact is skipped', 'postgresql', { 'Automatic-Module-Name': 'org.postgresql.jdbc', 'Implementation-Vendor-Id': 'org.postgresql' }, {}, 'org.postgresql'],
    ['reverse-domain Specification-Vendor', 'x-api', { 'Specification-Vendor': 'org.example' }, {}, 'org.example'],
    ['classes cut before the artifact segment', 'spring-jdbc', {}, { 'org/springframework/jdbc/core': 90, 'org/springframework/jdbc/support': 10 }, 'org.springframework'],
    ['classes spread under a two-segment path', 'spring-core', {}, { 'org/springframework/core': 40, 'org/springframework/util': 30, 'org/springframework/cglib': 30 }, 'org.springframework'],
  ])('%s', (_why, artifactId, manifest, classes, expected) => {
    expect(inferGroupId(artifactId, manifest, dirs(classes))?.groupId).toBe(expected);
  });

  it.each([
    ['umbrella vendor id (Apache parent POM)', 'commons-logging', { 'Implementation-Vendor-Id': 'org.apache', 'Bundle-SymbolicName': 'org.apache.commons.logging' }, { 'org/apache/commons/logging': 20 }],
    ['names that are not reverse domains', 'spring-core', { 'Automatic-Module-Name': 'spring.core', 'Implementation-Vendor': 'The Apache Software Foundation', 'Bundle-SymbolicName': 'spring-core' }, {}],
    ['property references and spaces', 'x', { 'Implementation-Vendor-Id': '${project.groupId}', 'Group-Id': 'org example' }, {}],
    ['one project package not naming the artifact is not a group', 'other', {}, { 'org/example/whatever/impl': 1 }],
    ['default-package classes', 'x', {}, { '': 5 }],
    ['no evidence', 'x', undefined, {}],
  ])('unknown: %s', (_why, artifactId, manifest, classes) => {
    expect(inferGroupId(artifactId, manifest, dirs(classes))).toBeUndefined();
  });

  it('stays fast and bounded on hostile names', () => {
    const many = new Map<string, number>();
    for (let i = 0; i < 10_000; i++) many.set(`org/x${i}/${'a/'.repeat(50)}b`, 1);
    const started = Date.now();
    expect(inferGroupId('a', { 'Automatic-Module-Name': `org.${'a.'.repeat(500)}a` }, many)?.groupId).toBe('org.a');
    expect(dominantPackage(many)).toEqual(['org']);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
