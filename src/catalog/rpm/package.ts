import { PackageURL } from 'packageurl-js';
import { distroQualifier, type OsInfo } from '../../core/os.js';
import { type Location, type Package, type SourcePackage, packageId } from '../../core/package.js';
import type { RpmHeader } from './header.js';

export const RPM_CATALOGER_ID = 'rpm';
export const RPM_CATALOGER_VERSION = '1';

/**
 * Splits `name-version-release.arch.rpm` from the right (arch, then release, then version),
 * the way the source rpm file name is built. The name itself may contain dashes.
 */
export function parseSourceRpm(sourceRpm: string): SourcePackage | undefined {
  const base = sourceRpm.endsWith('.rpm') ? sourceRpm.slice(0, -4) : sourceRpm;
  const archDot = base.lastIndexOf('.');
  if (archDot < 0) return undefined;
  const nvr = base.slice(0, archDot);
  const relDash = nvr.lastIndexOf('-');
  const verDash = relDash > 0 ? nvr.lastIndexOf('-', relDash - 1) : -1;
  if (verDash <= 0) return undefined;
  return { name: nvr.slice(0, verDash), version: nvr.slice(verDash + 1) };
}

/** purl namespace: the os-release ID, with Red Hat's `rhel` spelled `redhat` as purl-spec does. */
export function purlNamespace(os: OsInfo | undefined): string {
  if (!os) return 'unknown';
  return os.id === 'rhel' ? 'redhat' : os.id;
}

/** `[epoch:]version-release`: the EVR string rpm compares, epoch only when the tag exists. */
export function evrOf(h: Pick<RpmHeader, 'epoch' | 'version' | 'release'>): string {
  const vr = h.release === undefined ? h.version : `${h.version}-${h.release}`;
  return h.epoch === undefined ? vr : `${h.epoch}:${vr}`;
}

export function toPackage(h: RpmHeader, location: Location, os: OsInfo | undefined, dbFormat: string): Package {
  const version = evrOf(h);
  const qualifiers: Record<string, string> = {};
  if (h.arch) qualifiers.arch = h.arch;
  if (h.epoch !== undefined) qualifiers.epoch = String(h.epoch);
  const distro = distroQualifier(os);
  if (distro) qualifiers.distro = distro;
  if (h.sourceRpm) qualifiers.upstream = h.sourceRpm;
  const purlVersion = h.release === undefined ? h.version : `${h.version}-${h.release}`;
  const purl = new PackageURL('rpm', purlNamespace(os), h.name, purlVersion, qualifiers, undefined).toString();
  const source = h.sourceRpm ? parseSourceRpm(h.sourceRpm) : undefined;
  const metadata: Record<string, unknown> = {
    release: h.release ?? '',
    versionOnly: h.version,
    vendor: h.vendor ?? '',
    sourceRpm: h.sourceRpm ?? '',
    size: h.size ?? 0,
    dbFormat,
  };
  if (h.modularityLabel) metadata.modularityLabel = h.modularityLabel;
  return {
    id: packageId('rpm', h.name, version, h.arch),
    type: 'rpm',
    name: h.name,
    version,
    ...(h.arch ? { arch: h.arch } : {}),
    ...(h.epoch === undefined ? {} : { epoch: h.epoch }),
    ...(source ? { source } : {}),
    licenses: h.license ? [h.license] : [],
    purl,
    foundBy: `${RPM_CATALOGER_ID}@${RPM_CATALOGER_VERSION}`,
    locations: [location],
    files: h.files,
    metadata,
  };
}
