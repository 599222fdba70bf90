/** The operating system an image is built on, as detected from its files. */
export interface OsInfo {
  /** os-release ID, e.g. `debian`, `alpine`, `rhel`, `ubuntu`. */
  readonly id: string;
  /** os-release VERSION_ID, e.g. `12`, `3.20.3`, `9.4` (may be empty on testing/sid). */
  readonly versionId: string;
  readonly versionCodename?: string;
  readonly prettyName?: string;
  readonly idLike?: readonly string[];
  /** True for Google's distroless images (no dpkg status, status.d instead). */
  readonly distroless?: boolean;
  /** Which file it came from, e.g. `/etc/os-release`. */
  readonly source: string;
}

/** `debian-12`, `alpine-3.20.3`, as used in purl `distro=` qualifiers. */
export function distroQualifier(os: OsInfo | undefined): string | undefined {
  if (!os) return undefined;
  return os.versionId ? `${os.id}-${os.versionId}` : os.id;
}
