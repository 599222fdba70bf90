/**
 * CycloneDX 1.6 JSON encoder. https://cyclonedx.org/docs/1.6/json/
 * Layout follows what image SBOM tools commonly write (syft): the image is
 * `metadata.component` (type container), the OS is a component of type operating-system
 * that depends on its packages, each package is a library component whose image-specific
 * facts (introducing layer, database location, source package) are namespaced properties.
 */
import type { Inventory } from '../catalog/inventory.js';
import type { Package } from '../core/package.js';
import {
  compareText,
  documentUuid,
  type EncodeOptions,
  imageNameVersion,
  OS_PACKAGE_TYPES,
  sortPackages,
  toJson,
} from './common.js';
import { classifyLicenses, isCompound, type LicenseInfo } from './licenses.js';
import { jsonSafeScalar, normaliseTimestamp, uniqueRefs } from './refs.js';

export const CYCLONEDX_SPEC_VERSION = '1.6';
const NS = 'portcullis';

interface Property {
  name: string;
  value: string;
}
type CdxLicense = { license: { id: string } | { name: string } } | { expression: string };
interface Component {
  type: 'library' | 'operating-system' | 'container' | 'application';
  'bom-ref': string;
  name: string;
  version?: string;
  description?: string;
  purl?: string;
  licenses?: CdxLicense[];
  properties?: Property[];
}
interface Dependency {
  ref: string;
  dependsOn?: string[];
}

/** CycloneDX caps `version` at 1024 characters; longer ones are cut (full text in a property). */
const MAX_VERSION = 1024;
function cdxVersion(version: string): { version?: string } {
  if (!version) return {};
  const chars = Array.from(version);
  return { version: chars.length <= MAX_VERSION ? version : chars.slice(0, MAX_VERSION).join('') };
}

/** Adds a property when the value is present, stringifying numbers. */
function prop(out: Property[], name: string, value: string | number | undefined): void {
  if (value === undefined || value === '') return;
  out.push({ name: `${NS}:${name}`, value: String(value) });
}

/**
 * CycloneDX allows either a list of licenses (SPDX id or free-text name) or exactly one
 * SPDX expression. Several expressions are combined with AND (all apply, as in a Debian
 * copyright file); an expression mixed with free text cannot be, so it is kept as a name.
 */
export function cdxLicenses(infos: readonly LicenseInfo[]): CdxLicense[] | undefined {
  if (infos.length === 0) return undefined;
  const hasExpression = infos.some((i) => i.kind === 'expression');
  const allSpdx = infos.every((i) => i.kind !== 'name');
  if (hasExpression && allSpdx) {
    const parts = infos.map((i) => (i.kind === 'id' ? i.id : i.kind === 'expression' ? i.expression : ''));
    const expression = parts.length === 1 ? parts[0]! : parts.map((p) => (isCompound(p) ? `(${p})` : p)).join(' AND ');
    return [{ expression }];
  }
  return infos.map((i) => {
    if (i.kind === 'id') return { license: { id: i.id } };
    return { license: { name: i.kind === 'name' ? i.name : i.expression } };
  });
}

function packageProperties(pkg: Package, ownedBy: readonly string[]): Property[] {
  const out: Property[] = [];
  prop(out, 'package:type', pkg.type);
  prop(out, 'package:foundBy', pkg.foundBy);
  if (Array.from(pkg.version).length > MAX_VERSION) prop(out, 'package:version', pkg.version);
  prop(out, 'package:arch', pkg.arch);
  prop(out, 'package:epoch', pkg.epoch);
  prop(out, 'package:sourceName', pkg.source?.name);
  prop(out, 'package:sourceVersion', pkg.source?.version);
  if (pkg.files) prop(out, 'package:fileCount', pkg.files.length);
  for (const owner of ownedBy) prop(out, 'package:ownedBy', owner);
  pkg.locations.forEach((loc, i) => {
    prop(out, `location:${i}:path`, loc.path);
    prop(out, `location:${i}:layerDiffID`, loc.layerDiffId);
  });
  if (pkg.layer) {
    prop(out, 'layer:index', pkg.layer.index);
    prop(out, 'layer:diffID', pkg.layer.diffId);
    prop(out, 'layer:digest', pkg.layer.digest);
    prop(out, 'layer:createdBy', pkg.layer.createdBy);
  }
  // Scalar metadata only: nested structures vary per cataloger and belong in the native JSON.
  for (const key of Object.keys(pkg.metadata ?? {}).sort(compareText)) {
    prop(out, `metadata:${key}`, jsonSafeScalar(pkg.metadata?.[key]));
  }
  return out;
}

function imageComponent(inv: Inventory, ref: string): Component {
  const { name, version } = imageNameVersion(inv);
  const img = inv.image;
  const props: Property[] = [];
  prop(props, 'image:source', img.source);
  prop(props, 'image:reference', img.reference);
  for (const tag of img.tags) prop(props, 'image:tag', tag);
  prop(props, 'image:id', img.configDigest);
  prop(props, 'image:manifestDigest', img.manifestDigest);
  for (const d of img.repoDigests ?? []) prop(props, 'image:repoDigest', d);
  prop(props, 'image:os', img.config.os);
  prop(props, 'image:architecture', img.config.architecture);
  prop(props, 'image:variant', img.config.variant);
  for (const layer of inv.layers) {
    prop(props, `image:layer:${layer.index}:diffID`, layer.diffId);
    prop(props, `image:layer:${layer.index}:createdBy`, layer.createdBy);
  }
  return { type: 'container', 'bom-ref': ref, name, ...cdxVersion(version), properties: props };
}

function osComponent(inv: Inventory, ref: string): Component | undefined {
  const os = inv.os;
  if (!os) return undefined;
  const props: Property[] = [];
  prop(props, 'distro:id', os.id);
  prop(props, 'distro:versionID', os.versionId);
  prop(props, 'distro:versionCodename', os.versionCodename);
  for (const like of os.idLike ?? []) prop(props, 'distro:idLike', like);
  if (os.distroless) prop(props, 'distro:distroless', 'true');
  prop(props, 'distro:source', os.source);
  return {
    type: 'operating-system',
    'bom-ref': ref,
    name: os.id || 'unknown',
    ...cdxVersion(os.versionId),
    ...(os.prettyName ? { description: os.prettyName } : {}),
    properties: props,
  };
}

/** The CycloneDX document as an object (for callers that post-process it). */
export function buildCycloneDx(inv: Inventory, opts: EncodeOptions = {}): Record<string, unknown> {
  const packages = sortPackages(inv.packages);
  const refs = uniqueRefs(packages, ['image', 'os']);
  const imageRef = refs.reserved.get('image')!;
  const osRef = refs.reserved.get('os')!;
  const os = osComponent(inv, osRef);

  const deps = new Map<string, Set<string>>();
  const ownedBy = new Map<string, Set<string>>();
  const link = (from: string, to: string): void => {
    if (from !== to) deps.get(from)?.add(to);
  };
  for (const ref of [imageRef, ...(os ? [osRef] : []), ...refs.byIndex]) deps.set(ref, new Set());
  if (os) link(imageRef, osRef);
  packages.forEach((pkg, i) => {
    const ref = refs.byIndex[i]!;
    link(os && OS_PACKAGE_TYPES.has(pkg.type) ? osRef : imageRef, ref);
  });
  for (const rel of inv.relationships) {
    const from = refs.byId.get(rel.from);
    const to = refs.byId.get(rel.to);
    if (!from || !to) continue;
    if (rel.type === 'depends-on' || rel.type === 'contains') link(from, to);
    if (rel.type === 'owned-by') ownedBy.set(from, (ownedBy.get(from) ?? new Set()).add(to));
  }

  const components: Component[] = os ? [os] : [];
  packages.forEach((pkg, i) => {
    const ref = refs.byIndex[i]!;
    const licenses = cdxLicenses(classifyLicenses(pkg.licenses));
    components.push({
      type: 'library',
      'bom-ref': ref,
      name: pkg.name,
      ...cdxVersion(pkg.version),
      ...(pkg.purl ? { purl: pkg.purl } : {}),
      ...(licenses ? { licenses } : {}),
      properties: packageProperties(pkg, [...(ownedBy.get(ref) ?? [])].sort(compareText)),
    });
  });

  const dependencies: Dependency[] = [...deps].map(([ref, on]) =>
    on.size ? { ref, dependsOn: [...on].sort(compareText) } : { ref },
  );
  const timestamp = normaliseTimestamp(inv.createdAt);
  // Which catalogers ran, and how many problems the scan recorded (details: native JSON).
  const scanProps: Property[] = [];
  for (const c of inv.catalogers) prop(scanProps, 'scan:cataloger', `${c.id}@${c.version}`);
  prop(scanProps, 'scan:problemCount', inv.problems.length);
  const body = {
    metadata: {
      ...(timestamp ? { timestamp } : {}),
      tools: { components: [{ type: 'application', name: inv.tool.name, version: inv.tool.version }] },
      component: imageComponent(inv, imageRef),
      properties: scanProps,
    },
    components,
    dependencies,
  };
  const serialNumber = `urn:uuid:${documentUuid(() => toJson(body), opts.deterministic)}`;
  return {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: CYCLONEDX_SPEC_VERSION,
    serialNumber,
    version: 1,
    ...body,
  };
}

export function encodeCycloneDx(inv: Inventory, opts: EncodeOptions = {}): string {
  return toJson(buildCycloneDx(inv, opts));
}
