/**
 * SPDX 2.3 JSON encoder. https://spdx.github.io/spdx-spec/v2.3/
 * The image is the described package (purpose CONTAINER), the OS a package of purpose
 * OPERATING_SYSTEM, each catalogued package a LIBRARY with its purl as a PACKAGE-MANAGER
 * external reference. Source packages (deb/rpm/apk origin) become SOURCE packages that
 * binaries are GENERATED_FROM. Licenses that are not SPDX become `LicenseRef-`s declared in
 * `hasExtractedLicensingInfos` (§10), so `licenseDeclared` is always a valid expression.
 */
import type { Inventory } from '../catalog/inventory.js';
import type { Package, RelationshipType } from '../core/package.js';
import { compareText, documentUuid, type EncodeOptions, imageNameVersion, sortPackages, toJson } from './common.js';
import { classifyLicenses, isCompound } from './licenses.js';
import { normaliseTimestamp, shortHash, spdxIdPart, uniqueRefs } from './refs.js';
import { SPDX_LICENSE_LIST_VERSION } from './spdx-license-ids.js';

export const SPDX_VERSION = 'SPDX-2.3';
/** Base of `documentNamespace`: unique per document, not meant to be dereferenced (§6.5). */
export const SPDX_NAMESPACE_BASE = 'https://portcullis.invalid/spdx';
const NOASSERTION = 'NOASSERTION';

type Purpose = 'CONTAINER' | 'OPERATING_SYSTEM' | 'LIBRARY' | 'SOURCE';
interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo?: string;
  downloadLocation: string;
  filesAnalyzed: false;
  licenseConcluded: string;
  licenseDeclared: string;
  copyrightText: string;
  description?: string;
  externalRefs?: { referenceCategory: 'PACKAGE-MANAGER'; referenceType: 'purl'; referenceLocator: string }[];
  sourceInfo?: string;
  comment?: string;
  primaryPackagePurpose: Purpose;
}
interface SpdxRelationship {
  spdxElementId: string;
  relatedSpdxElement: string;
  relationshipType: string;
  comment?: string;
}
interface ExtractedLicense {
  licenseId: string;
  name: string;
  extractedText: string;
  comment: string;
}

function bare(SPDXID: string, name: string, version: string | undefined, purpose: Purpose): SpdxPackage {
  return {
    SPDXID,
    name,
    ...(version ? { versionInfo: version } : {}),
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    licenseConcluded: NOASSERTION,
    licenseDeclared: NOASSERTION,
    copyrightText: NOASSERTION,
    primaryPackagePurpose: purpose,
  };
}

/** `licenseDeclared` for a package: its licenses joined with AND, free text as LicenseRefs. */
function declaredLicense(pkg: Package, extracted: Map<string, ExtractedLicense>): string {
  const parts = classifyLicenses(pkg.licenses).map((info) => {
    if (info.kind === 'id') return info.id;
    if (info.kind === 'expression') return info.expression;
    const licenseId = `LicenseRef-${spdxIdPart(info.name, 48)}-${shortHash(info.name, 8)}`;
    extracted.set(licenseId, {
      licenseId,
      name: info.name,
      extractedText: info.name,
      comment: 'License as written by the package database; not an SPDX License List identifier.',
    });
    return licenseId;
  });
  if (parts.length === 0) return NOASSERTION;
  if (parts.length === 1) return parts[0]!;
  return parts.map((p) => (isCompound(p) ? `(${p})` : p)).join(' AND ');
}

/** The purl as a locator: SPDX wants no spaces in `referenceLocator`. */
function purlLocator(purl: string): string | undefined {
  const trimmed = purl.trim();
  return trimmed ? trimmed.replace(/\s/g, (c) => encodeURIComponent(c)) : undefined;
}

function packageInfo(pkg: Package): { sourceInfo: string; comment?: string } {
  const where = pkg.locations
    .map((l) => (l.layerDiffId ? `${l.path} (layer ${l.layerDiffId})` : l.path))
    .join(', ');
  const sourceInfo = `acquired package info from ${where || 'the image'} by ${pkg.foundBy}`;
  const layer = pkg.layer;
  if (!layer) return { sourceInfo };
  const createdBy = layer.createdBy ? `: ${layer.createdBy}` : '';
  return { sourceInfo, comment: `introduced by layer ${layer.index} (${layer.diffId})${createdBy}` };
}

const RELATIONSHIP_TYPES: Readonly<Record<RelationshipType, { type: string; comment?: string }>> = {
  'depends-on': { type: 'DEPENDS_ON' },
  contains: { type: 'CONTAINS' },
  'built-from': { type: 'GENERATED_FROM' },
  // SPDX has no "owned by"; syft writes file-ownership overlap as OTHER with a comment too.
  'owned-by': { type: 'OTHER', comment: 'owned-by: the files of this package are owned by the related package' },
};

/**
 * `created` is required and must be `YYYY-MM-DDThh:mm:ssZ` (§6.9). An inventory whose
 * createdAt is not a timestamp gets the epoch (deterministic) or the current time.
 */
function fallbackCreated(opts: EncodeOptions): string {
  return opts.deterministic ? '1970-01-01T00:00:00Z' : `${new Date().toISOString().slice(0, 19)}Z`;
}

/** The SPDX document as an object (for callers that post-process it). */
export function buildSpdx(inv: Inventory, opts: EncodeOptions = {}): Record<string, unknown> {
  const packages = sortPackages(inv.packages);
  const image = imageNameVersion(inv);
  const refs = uniqueRefs(
    packages,
    ['Image', 'OperatingSystem'],
    (pkg) => `SPDXRef-Package-${spdxIdPart(pkg.type, 16)}-${spdxIdPart(pkg.name)}-${shortHash(pkg.id)}`,
    (key) => `SPDXRef-${key}`,
    '-',
  );
  const imageId = refs.reserved.get('Image')!;
  const osId = refs.reserved.get('OperatingSystem')!;
  const extracted = new Map<string, ExtractedLicense>();
  const rels: SpdxRelationship[] = [];
  const rel = (from: string, type: string, to: string, comment?: string): void => {
    rels.push({ spdxElementId: from, relatedSpdxElement: to, relationshipType: type, ...(comment ? { comment } : {}) });
  };

  const imagePkg = bare(imageId, image.name, image.version, 'CONTAINER');
  imagePkg.sourceInfo = `image ${inv.image.reference} read from ${inv.image.source}`;
  const digests = [inv.image.configDigest && `image id ${inv.image.configDigest}`, inv.image.manifestDigest && `manifest ${inv.image.manifestDigest}`];
  const digestText = digests.filter(Boolean).join(', ');
  if (digestText) imagePkg.comment = digestText;
  const out: SpdxPackage[] = [imagePkg];
  rel('SPDXRef-DOCUMENT', 'DESCRIBES', imageId);

  if (inv.os) {
    const osPkg = bare(osId, inv.os.id || 'unknown', inv.os.versionId, 'OPERATING_SYSTEM');
    if (inv.os.prettyName) osPkg.description = inv.os.prettyName;
    osPkg.sourceInfo = `detected from ${inv.os.source}`;
    out.push(osPkg);
    rel(imageId, 'CONTAINS', osId);
  }

  const sources = new Map<string, SpdxPackage>();
  packages.forEach((pkg, i) => {
    const id = refs.byIndex[i]!;
    const p = bare(id, pkg.name, pkg.version, 'LIBRARY');
    p.licenseDeclared = declaredLicense(pkg, extracted);
    const locator = purlLocator(pkg.purl);
    if (locator) p.externalRefs = [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: locator }];
    Object.assign(p, packageInfo(pkg));
    out.push(p);
    rel(imageId, 'CONTAINS', id);
    if (!pkg.source?.name) return;
    const key = `${pkg.type}\0${pkg.source.name}\0${pkg.source.version}`;
    let src = sources.get(key);
    if (!src) {
      const srcId = `SPDXRef-SourcePackage-${spdxIdPart(pkg.type, 16)}-${spdxIdPart(pkg.source.name)}-${shortHash(key)}`;
      src = bare(srcId, pkg.source.name, pkg.source.version, 'SOURCE');
      src.comment = `source package of ${pkg.type} binary packages`;
      sources.set(key, src);
    }
    rel(id, 'GENERATED_FROM', src.SPDXID);
  });
  out.push(...[...sources.values()].sort((a, b) => compareText(a.SPDXID, b.SPDXID)));

  const seen = new Set<string>();
  const mapped: SpdxRelationship[] = [];
  for (const r of inv.relationships) {
    const from = refs.byId.get(r.from);
    const to = refs.byId.get(r.to);
    const kind = RELATIONSHIP_TYPES[r.type];
    if (!from || !to || !kind || from === to) continue;
    const key = `${from}\0${kind.type}\0${to}`;
    if (seen.has(key)) continue;
    seen.add(key);
    mapped.push({ spdxElementId: from, relatedSpdxElement: to, relationshipType: kind.type, ...(kind.comment ? { comment: kind.comment } : {}) });
  }
  mapped.sort((a, b) => compareText(a.spdxElementId, b.spdxElementId) || compareText(a.relationshipType, b.relationshipType) || compareText(a.relatedSpdxElement, b.relatedSpdxElement));

  const body = {
    spdxVersion: SPDX_VERSION,
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: image.version ? `${image.name}${image.version.includes(':') ? '@' : ':'}${image.version}` : image.name,
    creationInfo: {
      created: normaliseTimestamp(inv.createdAt) ?? fallbackCreated(opts),
      creators: [`Tool: ${inv.tool.name}-${inv.tool.version}`],
      // SPDX 2.3 §6.7 wants `M.N`.
      licenseListVersion: SPDX_LICENSE_LIST_VERSION.split('.').slice(0, 2).join('.'),
      comment: `catalogers: ${inv.catalogers.map((c) => `${c.id}@${c.version}`).join(', ') || 'none'}; problems recorded: ${inv.problems.length}`,
    },
    packages: out,
    relationships: [...rels, ...mapped],
    ...(extracted.size ? { hasExtractedLicensingInfos: [...extracted.values()].sort((a, b) => compareText(a.licenseId, b.licenseId)) } : {}),
  };
  const uuid = documentUuid(() => toJson(body), opts.deterministic);
  const { spdxVersion, dataLicense, SPDXID, name, ...rest } = body;
  return {
    spdxVersion,
    dataLicense,
    SPDXID,
    name,
    documentNamespace: `${SPDX_NAMESPACE_BASE}/${spdxIdPart(image.name)}-${uuid}`,
    ...rest,
  };
}

export function encodeSpdx(inv: Inventory, opts: EncodeOptions = {}): string {
  return toJson(buildSpdx(inv, opts));
}
