import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Package } from '../../core/package.js';
import type { CapturedFile, CatalogView } from '../types.js';
import { javaCataloger } from './index.js';

/**
 * Real data: Debian's libcommons-{lang3,io,logging}-java jars, checked against their own
 * pom.properties (read with `unzip -p`, the oracle) and the Debian upstream version; and a
 * war built here by the JDK's `jar` tool.
 */
const LAYER = 'sha256:00000000000000000000000000000000000000000000000000000000000000aa';
const DEBIAN = ['libcommons-lang3-java', 'libcommons-io-java', 'libcommons-logging-java'] as const;
const work = mkdtempSync(join(tmpdir(), 'portcullis-java-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(cmd: string, args: string[], cwd?: string): string {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...(cwd ? { cwd } : {}) });
}

function view(files: Record<string, Buffer>): CatalogView {
  const captured: CapturedFile[] = Object.entries(files).map(([path, content]) => ({
    path,
    content: Buffer.alloc(0),
    layerDiffId: LAYER,
    wantedBy: ['java'],
    summaries: { java: javaCataloger.summarize!({ path, content }) },
  }));
  return { files: () => captured, read: (p) => captured.find((f) => f.path === p), exists: () => false, os: undefined };
}

/** `1:3.12.0-2+deb12u1` → `3.12.0` (Debian policy 5.6.12: epoch, upstream, revision). */
function upstream(debVersion: string): string {
  return debVersion.replace(/^\d+:/, '').replace(/-[^-]*$/, '');
}

/** The jar files (not symlinks) a Debian package installs under /usr/share/java. */
function debianJars(pkg: string): string[] {
  const listed = run('dpkg', ['-L', pkg]).split('\n').filter((p) => /^\/usr\/share\/java\/[^/]+\.jar$/.test(p));
  return [...new Set(listed.map((p) => realpathSync(p)))].sort();
}

function pomProperties(jar: string): Array<Record<string, string>> {
  const names = run('unzip', ['-Z1', jar]).split('\n').filter((n) => /^META-INF\/maven\/.*\/pom\.properties$/.test(n));
  return names.map((n) =>
    Object.fromEntries(
      run('unzip', ['-p', jar, n])
        .split('\n')
        .filter((l) => l.includes('=') && !l.startsWith('#'))
        .map((l) => [l.slice(0, l.indexOf('=')).trim(), l.slice(l.indexOf('=') + 1).trim()]),
    ),
  );
}

describe('java cataloger on Debian jars', () => {
  for (const pkg of DEBIAN) {
    it(`${pkg}: coordinates equal the jar's pom.properties and the Debian upstream version`, () => {
      const version = upstream(run('dpkg-query', ['-W', '-f=${Version}', pkg]));
      const jars = debianJars(pkg);
      expect(jars.length).toBeGreaterThan(0);
      for (const jar of jars) {
        const { packages, problems } = javaCataloger.catalog(view({ [jar]: readFileSync(jar) }));
        expect(problems).toEqual([]);
        const oracle = pomProperties(jar);
        if (oracle.length > 0) {
          const got = packages.map((p) => [p.metadata?.groupId, p.metadata?.artifactId, p.version]);
          expect(got).toEqual(oracle.map((o) => [o.groupId, o.artifactId, o.version]));
          expect(packages.map((p) => p.purl)).toEqual(oracle.map((o) => `pkg:maven/${o.groupId}/${o.artifactId}@${o.version}`));
          expect(packages.map((p) => p.name)).toEqual(oracle.map((o) => `${o.groupId}:${o.artifactId}`));
        } else {
          // No descriptor (commons-logging): the manifest title is not an artifactId, so the
          // file name `commons-logging-1.2.jar` names it and the groupId stays unknown.
          const stem = basename(jar).replace(/-[0-9][^-]*\.jar$/, '');
          expect(packages.map((p) => [p.name, p.version, p.metadata?.groupIdUnknown, p.metadata?.identity])).toEqual([[stem, version, true, 'filename']]);
          expect(packages[0]!.purl).toBe(`pkg:maven/${stem}/${stem}@${version}`);
        }
        for (const p of packages) {
          expect(p.version).toBe(version);
          expect(p.locations).toEqual([{ path: jar, layerDiffId: LAYER }]);
          expect(p.metadata?.nested).toBe(false);
          expect(p.foundBy).toBe('java@2');
        }
      }
    });
  }
});

describe('java cataloger on a war built with the JDK jar tool', () => {
  it('reports WEB-INF/lib jars with virtual paths and stops nesting beyond depth 4', () => {
    // level1-1.0.jar ⊃ level2-2.0.jar ⊃ … ⊃ level6-6.0.jar, built innermost first.
    let inner: string | undefined;
    for (let level = 6; level >= 1; level--) {
      const dir = join(work, `level${level}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'README'), `level ${level}\n`);
      if (inner) writeFileSync(join(dir, basename(inner)), readFileSync(inner));
      const file = join(work, `level${level}-${level}.0.jar`);
      run('jar', ['--create', '--file', file, '-C', dir, '.']);
      inner = file;
    }
    const root = join(work, 'war');
    mkdirSync(join(root, 'WEB-INF/lib'), { recursive: true });
    const io = debianJars('libcommons-io-java')[0]!;
    const lang = debianJars('libcommons-lang3-java')[0]!;
    for (const j of [io, lang, inner!]) writeFileSync(join(root, 'WEB-INF/lib', basename(j)), readFileSync(j));
    writeFileSync(join(root, 'index.html'), '<p>hi</p>\n');
    const war = join(work, 'app.war');
    run('jar', ['--create', '--file', war, '-C', root, '.']);

    const path = '/usr/local/tomcat/webapps/app.war';
    const { packages, problems } = javaCataloger.catalog(view({ [path]: readFileSync(war) }));
    const byName = new Map<string, Package>(packages.map((p) => [p.name, p]));
    const expectNested = (name: string, version: string, virtualPath: string) => {
      const p = byName.get(name);
      expect(p, name).toBeDefined();
      expect(p!.version).toBe(version);
      expect(p!.metadata?.virtualPath).toBe(virtualPath);
      expect(p!.metadata?.nested).toBe(true);
      expect(p!.locations).toEqual([{ path, layerDiffId: LAYER }]);
    };
    const [ioProps] = pomProperties(io);
    const [langProps] = pomProperties(lang);
    expectNested(`${ioProps!.groupId}:${ioProps!.artifactId}`, ioProps!.version!, `${path}:WEB-INF/lib/${basename(io)}`);
    expectNested(`${langProps!.groupId}:${langProps!.artifactId}`, langProps!.version!, `${path}:WEB-INF/lib/${basename(lang)}`);
    let vp = `${path}:WEB-INF/lib/level1-1.0.jar`;
    for (let level = 1; level <= 4; level++) {
      expectNested(`level${level}`, `${level}.0`, vp);
      vp += `:level${level + 1}-${level + 1}.0.jar`;
    }
    expect(byName.has('level5')).toBe(false);
    expect(byName.has('level6')).toBe(false);
    expect(problems.map((p) => [p.code, p.message, p.path, p.layer])).toEqual([
      ['CATALOG_PARSE', `${path}:WEB-INF/lib/level1-1.0.jar:level2-2.0.jar:level3-3.0.jar:level4-4.0.jar:level5-5.0.jar: nested deeper than 4 archives; not opened`, path, LAYER],
    ]);
    // The war itself has no version in its name and no Maven metadata: no package for it.
    expect(packages).toHaveLength(6);
  }, 60_000);

  it('merges one jar found at two image paths into one package with two locations', () => {
    const io = debianJars('libcommons-io-java')[0]!;
    const content = readFileSync(io);
    const { packages } = javaCataloger.catalog(view({ '/a/commons-io.jar': content, '/b/lib/commons-io.jar': content }));
    expect(packages).toHaveLength(1);
    expect(packages[0]!.locations.map((l) => l.path)).toEqual(['/a/commons-io.jar', '/b/lib/commons-io.jar']);
    expect(packages[0]!.metadata?.virtualPaths).toEqual(['/a/commons-io.jar', '/b/lib/commons-io.jar']);
  });
});
