import { inferGroupId, type GroupIdSource } from './group.js';
import type { Coordinates, PomXml } from './pom.js';

/**
 * Which packages one archive stands for, in trivy's order (SCANNER-NOTES.md §3.8):
 * every `META-INF/maven/<g>/<a>/` descriptor is a package (a shaded jar holds several);
 * when none of them matches the file name, the archive's own identity comes from
 * MANIFEST.MF, else from the file name. trivy validates manifest coordinates against its
 * Java DB and looks jars up by SHA-1; we are offline, so a manifest identity needs a
 * Maven-shaped artifactId and version, an identity that only repeats an artifactId already
 * found in a descriptor is not reported twice, and the file name (often changed by
 * distributions, e.g. Debian's `maven-core-3.x.jar`) is used only when the archive holds
 * no descriptor at all.
 */

export type IdentitySource = 'pom.properties' | 'pom.xml' | 'manifest' | 'filename';

export interface JavaArtifact {
  readonly groupId?: string;
  /** Which evidence gave a groupId not read from a descriptor (group.ts). */
  readonly groupIdFrom?: GroupIdSource;
  readonly artifactId: string;
  readonly version: string;
  readonly source: IdentitySource;
  /** `/image/path.war` or `/image/path.war:WEB-INF/lib/inner.jar`. */
  readonly virtualPath: string;
  readonly nested: boolean;
  readonly licenses: string[];
  /** The manifest attributes that gave this identity (only for source `manifest`). */
  readonly manifest?: Record<string, string>;
}

export interface Descriptor {
  /** Directory names under META-INF/maven: a fallback groupId / artifactId. */
  readonly group: string;
  readonly artifact: string;
  props?: Coordinates;
  xml?: PomXml;
}

export interface ArchiveFacts {
  readonly fileName: string;
  readonly virtualPath: string;
  readonly nested: boolean;
  readonly manifest: Record<string, string> | undefined;
  readonly descriptors: readonly Descriptor[];
  /** `.class` entries per directory (`org/springframework/core` → 120), outside META-INF. */
  readonly classDirs: ReadonlyMap<string, number>;
}

/** A Maven coordinate segment: no spaces, slashes or property references. */
const ID = /^[A-Za-z0-9_.-]+$/;
const VERSION = /^[0-9A-Za-z][0-9A-Za-z._+~-]*$/;
/** trivy's file-name heuristic, generalised to every archive suffix we read. */
const FILE_NAME = /^([a-zA-Z0-9._-]*[^-*])-(\d\S*?(?:-SNAPSHOT)?)\.(?:jar|war|ear|jpi|hpi|par|sar|nar|kar|rar)$/i;

export function parseFileName(fileName: string): { artifactId: string; version: string } | undefined {
  const m = FILE_NAME.exec(fileName);
  return m ? { artifactId: m[1]!, version: m[2]! } : undefined;
}

function fromDescriptor(d: Descriptor): Omit<JavaArtifact, 'virtualPath' | 'nested'> | undefined {
  const props = d.props;
  const xml = d.xml;
  const useProps = props?.artifactId !== undefined && props.version !== undefined;
  const artifactId = useProps ? props.artifactId : (xml?.artifactId ?? d.artifact);
  const version = useProps ? props.version : xml?.version;
  if (!artifactId || !version) return undefined;
  const groupId = (useProps ? props.groupId : undefined) ?? xml?.groupId ?? d.group;
  return { groupId, artifactId, version, source: useProps ? 'pom.properties' : 'pom.xml', licenses: xml?.licenses ?? [] };
}

function manifestLicenses(m: Record<string, string>): string[] {
  const l = m['Plugin-License-Name'] ?? m['Bundle-License'];
  return l ? [l] : [];
}

/** Manifest identity: Jenkins plugin attributes first, then Implementation/Specification/Bundle. */
function fromManifest(m: Record<string, string>): Omit<JavaArtifact, 'virtualPath' | 'nested'> | undefined {
  const used: Record<string, string> = {};
  const take = (...names: string[]): string | undefined => {
    for (const n of names) {
      const v = m[n];
      if (v !== undefined && v !== '') {
        used[n] = v;
        return v;
      }
    }
    return undefined;
  };
  const jenkins = m['Short-Name'] !== undefined && m['Plugin-Version'] !== undefined;
  const artifactId = jenkins ? take('Short-Name') : take('Implementation-Title', 'Specification-Title', 'Bundle-Name');
  const version = jenkins ? take('Plugin-Version') : take('Implementation-Version', 'Specification-Version', 'Bundle-Version');
  if (!artifactId || !version || !ID.test(artifactId) || !VERSION.test(version)) return undefined;
  if (m['Automatic-Module-Name']) used['Automatic-Module-Name'] = m['Automatic-Module-Name'];
  return { artifactId, version, source: 'manifest', licenses: manifestLicenses(m), manifest: used };
}

/** Distributions rename jars (`error_prone_annotations` ships as `error-prone-annotations`). */
function sameArtifact(a: string, b: string): boolean {
  return a.replace(/_/g, '-').toLowerCase() === b.replace(/_/g, '-').toLowerCase();
}

export function identify(facts: ArchiveFacts): JavaArtifact[] {
  const where = { virtualPath: facts.virtualPath, nested: facts.nested };
  const out: JavaArtifact[] = [];
  for (const d of facts.descriptors) {
    const a = fromDescriptor(d);
    if (a) out.push({ ...a, ...where });
  }
  const file = parseFileName(facts.fileName);
  const matches = out.some((a) => file && a.artifactId === file.artifactId && a.version === file.version);
  if (matches) return out;
  const fromName = file && out.length === 0 ? { ...file, source: 'filename' as const, licenses: facts.manifest ? manifestLicenses(facts.manifest) : [] } : undefined;
  const own: Omit<JavaArtifact, 'virtualPath' | 'nested'> | undefined = (facts.manifest && fromManifest(facts.manifest)) ?? fromName;
  if (!own || out.some((a) => sameArtifact(a.artifactId, own.artifactId))) return out;
  const group = inferGroupId(own.artifactId, facts.manifest, facts.classDirs);
  if (!group) {
    out.push({ ...own, ...where });
    return out;
  }
  // Record the manifest attribute that named the group beside those that named the artifact.
  const field = group.from === 'classes' ? undefined : facts.manifest?.[group.from];
  const manifest = field === undefined ? own.manifest : { ...own.manifest, [group.from]: field };
  out.push({ ...own, groupId: group.groupId, groupIdFrom: group.from, ...(manifest ? { manifest } : {}), ...where });
  return out;
}
