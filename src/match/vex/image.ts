import type { ComponentRef } from './model.js';
import { parsePurl, type Purl } from './purl.js';

/**
 * Is a statement's product the scanned image? The caller lists what it knows about the image
 * (`imageRefs`): digests (`sha256:…`: image id, manifest digest), references
 * (`registry/repo:tag`, `repo@sha256:…`) and purls (`pkg:oci/app@sha256:…?repository_url=…`,
 * https://github.com/package-url/purl-spec/blob/main/types-doc/oci-definition.md).
 */

/** The bom-ref Portcullis gives the image in its CycloneDX SBOMs (src/sbom/cyclonedx.ts), reached by BOM-Link. */
export const SBOM_IMAGE_BOM_REF = 'portcullis:image';

export interface ImageIdentity {
  matches(ref: ComponentRef): boolean;
}

interface Known {
  readonly raw: Set<string>;
  readonly digests: Set<string>;
  readonly repositories: Set<string>;
  readonly names: Set<string>;
  readonly tags: Set<string>;
  /** Qualifiers of pkg:oci purls given as image refs (`arch`, …), key=value. */
  readonly qualifiers: Set<string>;
}

export function imageIdentity(imageRefs: readonly string[]): ImageIdentity {
  const known: Known = { raw: new Set(), digests: new Set(), repositories: new Set(), names: new Set(), tags: new Set(), qualifiers: new Set() };
  for (const text of imageRefs.map((r) => r.trim()).filter((r) => r !== '')) {
    known.raw.add(text);
    const purl = parsePurl(text);
    if (purl?.type === 'oci') addOciPurl(known, purl);
    else if (!purl) addReference(known, text);
  }
  return {
    matches: (ref) =>
      ref.ids.some((id) => id === SBOM_IMAGE_BOM_REF || known.raw.has(id) || referenceMatches(known, id)) ||
      ref.digests.some((d) => known.digests.has(d)) ||
      ref.purls.some((p) => ociPurlMatches(known, p)),
  };
}

function addOciPurl(known: Known, purl: Purl): void {
  if (purl.version) known.digests.add(purl.version);
  known.names.add(purl.name.toLowerCase());
  for (const [key, value] of Object.entries(purl.qualifiers)) {
    if (key === 'repository_url') known.repositories.add(normalizeRepository(value));
    else if (key === 'tag') known.tags.add(value);
    else known.qualifiers.add(`${key}=${value}`);
  }
}

/** `[registry/]path[:tag][@digest]` or a bare `algorithm:hex` digest. */
function addReference(known: Known, text: string): void {
  const parsed = parseReference(text);
  if (parsed.digest) known.digests.add(parsed.digest);
  if (!parsed.repository) return;
  known.repositories.add(normalizeRepository(parsed.repository));
  known.names.add(parsed.repository.split('/').pop()!.toLowerCase());
  if (parsed.tag) known.tags.add(parsed.tag);
}

function parseReference(text: string): { repository?: string; tag?: string; digest?: string } {
  if (/^[a-z0-9]+:[0-9a-f]{32,}$/i.test(text)) return { digest: text.toLowerCase() };
  const at = text.indexOf('@');
  const digest = at >= 0 ? text.slice(at + 1).toLowerCase() : undefined;
  const name = at >= 0 ? text.slice(0, at) : text;
  const colon = name.lastIndexOf(':');
  const hasTag = colon > name.lastIndexOf('/');
  const repository = hasTag ? name.slice(0, colon) : name;
  return {
    ...(repository ? { repository } : {}),
    ...(hasTag ? { tag: name.slice(colon + 1) } : {}),
    ...(digest && /^[a-z0-9]+:[0-9a-f]{32,}$/.test(digest) ? { digest } : {}),
  };
}

/**
 * A product id written as an image reference: a digest (or `repo@digest`) names the content,
 * so the digest decides; otherwise the repository must be the image's, and the tag if given.
 */
function referenceMatches(known: Known, id: string): boolean {
  const ref = parseReference(id);
  if (ref.digest) return known.digests.has(ref.digest);
  if (!ref.repository || !known.repositories.has(normalizeRepository(ref.repository))) return false;
  return ref.tag === undefined || known.tags.has(ref.tag);
}

/**
 * pkg:oci: the digest (version) must be one of the image's; without a version, the name must be
 * the image's. Every qualifier the statement gives must be known for the image.
 */
function ociPurlMatches(known: Known, p: Purl): boolean {
  if (p.type !== 'oci') return false;
  if (p.version) {
    if (!known.digests.has(p.version)) return false;
    if (known.names.size && !known.names.has(p.name.toLowerCase())) return false;
  } else if (!known.names.has(p.name.toLowerCase())) return false;
  return Object.entries(p.qualifiers).every(([key, value]) => {
    if (key === 'repository_url') return known.repositories.has(normalizeRepository(value));
    if (key === 'tag') return known.tags.has(value);
    return known.qualifiers.has(`${key}=${value}`);
  });
}

/** `debian`, `library/debian`, `docker.io/library/debian`, `index.docker.io/library/debian` are one repository. */
export function normalizeRepository(text: string): string {
  let repo = text.trim().replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
  const first = repo.split('/')[0] ?? '';
  const hasRegistry = repo.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasRegistry) repo = `docker.io/${repo}`;
  repo = repo.replace(/^(index\.docker\.io|registry-1\.docker\.io)\//i, 'docker.io/');
  const [registry, ...rest] = repo.split('/');
  if (registry!.toLowerCase() === 'docker.io' && rest.length === 1) rest.unshift('library');
  return [registry!.toLowerCase(), ...rest].join('/').toLowerCase();
}
