import { createHash, randomUUID } from 'node:crypto';
import type { Package } from '../core/package.js';
import type { Inventory } from '../catalog/inventory.js';

/** Options shared by every encoder. */
export interface EncodeOptions {
  /** Byte-stable output for the same inventory: ids derived from content, never random. */
  readonly deterministic?: boolean;
}

/** Package types whose packages belong to the operating system (the OS component holds them). */
export const OS_PACKAGE_TYPES: ReadonlySet<string> = new Set(['deb', 'rpm', 'apk']);

/** Plain code-unit order: locale-independent, so output does not vary between machines. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Packages ordered by type, name, version, arch, id (the documented stable order). */
export function sortPackages(packages: readonly Package[]): Package[] {
  return [...packages].sort(
    (a, b) =>
      compareText(a.type, b.type) ||
      compareText(a.name, b.name) ||
      compareText(a.version, b.version) ||
      compareText(a.arch ?? '', b.arch ?? '') ||
      compareText(a.id, b.id),
  );
}

/** Pretty JSON with a trailing newline: the one serialisation every format uses. */
export function toJson(doc: unknown): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * A UUID for a document: random normally; with `deterministic`, derived from a SHA-256 of
 * `content()` and laid out as an RFC 9562 version-8 (custom) UUID. `content` is a thunk so
 * that the (possibly large) serialisation is only made when it is needed.
 */
export function documentUuid(content: () => string, deterministic: boolean | undefined): string {
  if (!deterministic) return randomUUID();
  const h = sha256Hex(content()).slice(0, 32).split('');
  h[12] = '8';
  h[16] = ((Number.parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20, 32)}`;
}

/** The image's display name and version: first tag split at its last `:`, else the reference. */
export function imageNameVersion(inv: Inventory): { name: string; version: string } {
  const image = inv.image;
  const tag = image.tags[0];
  const digest = image.manifestDigest ?? image.configDigest;
  if (tag) {
    const colon = tag.lastIndexOf(':');
    if (colon > tag.lastIndexOf('/')) return { name: tag.slice(0, colon), version: tag.slice(colon + 1) };
    return { name: tag, version: digest ?? 'latest' };
  }
  const name = image.reference.trim() || 'image';
  return { name, version: digest ?? '' };
}

/** `debian 12`, `alpine 3.20.3`: the OS as a package-like name/version pair. */
export function osNameVersion(inv: Inventory): { name: string; version: string } | undefined {
  if (!inv.os) return undefined;
  return { name: inv.os.id || 'unknown', version: inv.os.versionId };
}

/** Where each package was found, as one line (`/var/lib/dpkg/status`, …). */
export function locationPaths(pkg: Package): string {
  return pkg.locations.map((l) => l.path).join(', ');
}
