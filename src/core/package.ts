/** The shared vocabulary of an inventory: packages, where they were found, how they relate. */

export const PACKAGE_TYPES = ['deb', 'apk', 'rpm', 'npm', 'pypi', 'gem', 'golang', 'maven', 'cargo', 'composer', 'nuget', 'binary'] as const;
export type PackageType = (typeof PACKAGE_TYPES)[number];

/** A layer as the inventory refers to it. */
export interface LayerRef {
  readonly index: number;
  readonly diffId: string;
  /** Blob digest as stored or transferred (compressed), when the source knows it. */
  readonly digest?: string;
  /** `created_by` of the history step that produced this layer. */
  readonly createdBy?: string;
}

export interface Location {
  /** Absolute path inside the image, e.g. `/var/lib/dpkg/status`. */
  readonly path: string;
  /** diffID of the layer that last wrote this file. */
  readonly layerDiffId?: string;
}

export interface SourcePackage {
  readonly name: string;
  readonly version: string;
}

export interface Package {
  /** Stable within one inventory, e.g. `deb:libssl3@3.0.15-1~deb12u1:amd64`. */
  readonly id: string;
  readonly type: PackageType;
  readonly name: string;
  /** The version exactly as the package database writes it (epoch included for deb/rpm). */
  readonly version: string;
  readonly arch?: string;
  /** rpm: epoch number as stored (undefined when absent). */
  readonly epoch?: number;
  readonly source?: SourcePackage;
  readonly licenses: readonly string[];
  readonly purl: string;
  /** `cataloger-id@version`. */
  readonly foundBy: string;
  /** Where the package was found (the database or manifest file). */
  readonly locations: readonly Location[];
  /** Files the package owns, absolute paths. */
  readonly files?: readonly string[];
  /** Layer that introduced this exact version (set by the inventory builder). */
  layer?: LayerRef;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

export type RelationshipType = 'built-from' | 'owned-by' | 'depends-on' | 'contains';

export interface Relationship {
  readonly from: string;
  readonly to: string;
  readonly type: RelationshipType;
}

export function packageId(type: PackageType, name: string, version: string, arch?: string, path?: string): string {
  return `${type}:${name}@${version}${arch ? `:${arch}` : ''}${path ? `#${path}` : ''}`;
}
