/**
 * The groupId of an archive that carries no `META-INF/maven/**` descriptor (Gradle-built
 * Spring and Hibernate jars, Debian's commons-logging). Syft reads it from MANIFEST.MF
 * fields that start with a reverse domain (syft/pkg/cataloger/java/package_url.go); we use
 * the same fields in an order that prefers evidence naming this very artifact, then the
 * package prefix of the classes inside, and otherwise leave the groupId unknown: an empty
 * groupId matches no advisory, a made-up one matches the wrong ones.
 */

export type GroupIdSource = 'Group-Id' | 'Implementation-Title' | 'Automatic-Module-Name' | 'Bundle-SymbolicName' | 'Implementation-Vendor-Id' | 'Implementation-Vendor' | 'Specification-Vendor' | 'classes';

export interface GroupIdGuess {
  readonly groupId: string;
  readonly from: GroupIdSource;
}

/** A Maven coordinate segment list: `org.example`, no spaces, slashes or `${…}`. */
const GROUP = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+$/;
/** First labels of reverse-domain names seen as groupIds (Syft checks com/org/net/io). */
const TLD = new Set(['com', 'org', 'net', 'io', 'dev', 'edu', 'gov', 'de', 'fr', 'uk', 'nl', 'ch', 'eu', 'jp', 'me', 'info', 'biz', 'co', 'jakarta', 'javax', 'at', 'be', 'it', 'ru', 'cn']);
/**
 * Umbrella vendor ids that name a foundation, not a project: the Apache parent POM writes
 * `Implementation-Vendor-Id: org.apache` into every Apache jar, yet no artifact but the
 * parent itself has groupId `org.apache` (commons-logging is `commons-logging:…`).
 */
const UMBRELLA = new Set(['org.apache', 'org.eclipse', 'com.google', 'org.jboss', 'org.ow2', 'net.java', 'com.sun']);

function reverseDomain(value: string | undefined): string | undefined {
  const v = value?.split(';')[0]!.trim(); // OSGi directives: `org.foo;singleton:=true`
  if (!v || !GROUP.test(v)) return undefined;
  return TLD.has(v.slice(0, v.indexOf('.')).toLowerCase()) ? v : undefined;
}

function acceptable(group: string | undefined): group is string {
  return group !== undefined && !UMBRELLA.has(group.toLowerCase());
}

/** `spring-boot-autoconfigure` → tokens `spring boot autoconfigure`, joined `springbootautoconfigure`. */
function artifactWords(artifactId: string): { tokens: Set<string>; joined: string } {
  const tokens = artifactId.toLowerCase().split(/[-_.]+/).filter((t) => t !== '');
  return { tokens: new Set(tokens), joined: tokens.join('') };
}

/**
 * A module name minus the trailing segments that spell the artifact:
 * `org.hibernate.orm.core` for hibernate-core → `org.hibernate.orm`,
 * `org.aspectj.weaver` for aspectjweaver → `org.aspectj`. Undefined when no segment names
 * the artifact (`org.postgresql.jdbc` for postgresql): then the name is a module's, not a group's.
 */
function stripArtifact(moduleName: string, artifactId: string): string | undefined {
  const { tokens, joined } = artifactWords(artifactId);
  const segments = moduleName.split('.');
  let rest = joined;
  let stripped = 0;
  while (segments.length > 2) {
    const last = segments[segments.length - 1]!.toLowerCase().replace(/[-_]/g, '');
    if (!(tokens.has(last) || (last.length >= 3 && rest.endsWith(last)))) break;
    if (rest.endsWith(last)) rest = rest.slice(0, -last.length);
    segments.pop();
    stripped++;
  }
  return stripped > 0 ? segments.join('.') : undefined;
}

/** Gradle's and Ivy's `Implementation-Title: io.micrometer#micrometer-core;1.12.5`. */
function ivyTitle(title: string | undefined, artifactId: string): string | undefined {
  const m = /^([^#;\s]+)#([^#;\s]+)(?:;.*)?$/.exec(title ?? '');
  return m && m[2] === artifactId && GROUP.test(m[1]!) ? m[1] : undefined;
}

/**
 * The package path most classes share, descending while one child holds at least 80 % of
 * the classes below it. `dirs` counts `.class` entries per directory (`org/springframework/core`).
 */
export function dominantPackage(dirs: ReadonlyMap<string, number>): string[] {
  const entries = [...dirs].map(([d, n]) => ({ segs: d === '' ? [] : d.split('/'), n }));
  const path: string[] = [];
  for (let depth = 0; depth < 8; depth++) {
    const below = entries.filter((e) => path.every((s, i) => e.segs[i] === s));
    const total = below.reduce((sum, e) => sum + e.n, 0);
    const children = new Map<string, number>();
    for (const e of below) {
      const child = e.segs[depth];
      if (child !== undefined) children.set(child, (children.get(child) ?? 0) + e.n);
    }
    const best = [...children].sort((a, b) => b[1] - a[1])[0];
    if (!best || total === 0 || best[1] < total * 0.8) break;
    path.push(best[0]);
  }
  return path;
}

/**
 * Cuts the dominant package before the first segment (after the domain and organisation)
 * that names the artifact: `org.springframework.aop.framework` for spring-aop →
 * `org.springframework`. A two-segment path whose classes spread over several packages
 * (spring-core: `org/springframework/{core,util,cglib,asm,…}`) is taken whole. Otherwise the
 * classes are one project's package (`org.apache.commons.logging`), not a group.
 */
function fromClasses(dirs: ReadonlyMap<string, number>, artifactId: string): string | undefined {
  const { tokens, joined } = artifactWords(artifactId);
  const path = dominantPackage(dirs);
  if (!TLD.has(path[0]?.toLowerCase() ?? '')) return undefined;
  for (let i = 2; i < path.length; i++) {
    const seg = path[i]!.toLowerCase();
    if (tokens.has(seg) || (seg.length >= 3 && joined.includes(seg))) return path.slice(0, i).join('.');
  }
  return path.length === 2 && !tokens.has(path[1]!.toLowerCase()) ? path.join('.') : undefined;
}

/** Evidence in order; the first acceptable answer wins. */
export function inferGroupId(artifactId: string, manifest: Readonly<Record<string, string>> | undefined, classDirs: ReadonlyMap<string, number>): GroupIdGuess | undefined {
  const m = manifest ?? {};
  const candidates: Array<[GroupIdSource, () => string | undefined]> = [
    ['Group-Id', () => (m['Group-Id'] && GROUP.test(m['Group-Id']) ? m['Group-Id'] : undefined)],
    ['Implementation-Title', () => ivyTitle(m['Implementation-Title'], artifactId)],
    ['Automatic-Module-Name', () => stripOf(m['Automatic-Module-Name'], artifactId)],
    ['Bundle-SymbolicName', () => stripOf(m['Bundle-SymbolicName'], artifactId)],
    ['Implementation-Vendor-Id', () => reverseDomain(m['Implementation-Vendor-Id'])],
    ['Implementation-Vendor', () => reverseDomain(m['Implementation-Vendor'])],
    ['Specification-Vendor', () => reverseDomain(m['Specification-Vendor'])],
    ['classes', () => fromClasses(classDirs, artifactId)],
  ];
  for (const [from, get] of candidates) {
    const groupId = get();
    if (acceptable(groupId)) return { groupId, from };
  }
  return undefined;
}

function stripOf(moduleName: string | undefined, artifactId: string): string | undefined {
  const name = reverseDomain(moduleName);
  return name ? stripArtifact(name, artifactId) : undefined;
}
