import type { OsInfo } from '../../core/os.js';
import { parseKeyValues } from './os-release.js';

/**
 * Parsers for the distro-specific release files used when os-release is missing or too
 * generic (SCANNER-NOTES.md §2). Each returns an OsInfo or undefined when the text is not
 * what that file should hold.
 */

/** os-release `ID` and `VERSION_ID` characters (freedesktop spec: 0–9, a–z, ".", "_", "-"). */
export const ID_CHARS = /^[a-z0-9._-]{1,64}$/;
const PRINTABLE = /^[^\p{Cc}]{1,256}$/u;

/** `/etc/os-release` or `/usr/lib/os-release`. */
export function fromOsRelease(text: string, source: string): OsInfo | undefined {
  const { values } = parseKeyValues(text);
  const id = values.get('ID')?.toLowerCase();
  if (id === undefined || !ID_CHARS.test(id)) return undefined;
  const versionId = values.get('VERSION_ID') ?? '';
  const codename = values.get('VERSION_CODENAME');
  const pretty = values.get('PRETTY_NAME');
  const idLike = (values.get('ID_LIKE') ?? '').split(/\s+/).filter((s) => ID_CHARS.test(s));
  return {
    id,
    versionId: ID_CHARS.test(versionId) ? versionId : '',
    ...(codename && ID_CHARS.test(codename) ? { versionCodename: codename } : {}),
    ...(pretty && PRINTABLE.test(pretty) ? { prettyName: pretty } : {}),
    ...(idLike.length ? { idLike } : {}),
    source,
  };
}

/** `/etc/debian_version`: `12.5`, or `trixie/sid` on testing and unstable. */
export function fromDebianVersion(text: string, source: string): OsInfo | undefined {
  const line = firstLine(text);
  const numeric = /^(\d+)(\.\d+)*$/.exec(line);
  // os-release's VERSION_ID for Debian is the major number only.
  if (numeric) return { id: 'debian', versionId: numeric[1] as string, source };
  const sid = /^([a-z]+)\/sid$/.exec(line);
  if (sid) return { id: 'debian', versionId: '', versionCodename: sid[1] as string, source };
  return undefined;
}

/** `/etc/lsb-release`: `DISTRIB_ID=Ubuntu`, `DISTRIB_RELEASE=22.04`, `DISTRIB_CODENAME=jammy`. */
export function fromLsbRelease(text: string, source: string): OsInfo | undefined {
  const { values } = parseKeyValues(text);
  const id = values.get('DISTRIB_ID')?.toLowerCase();
  if (id === undefined || !ID_CHARS.test(id)) return undefined;
  const versionId = values.get('DISTRIB_RELEASE') ?? '';
  const codename = values.get('DISTRIB_CODENAME');
  const pretty = values.get('DISTRIB_DESCRIPTION');
  return {
    id,
    versionId: ID_CHARS.test(versionId) ? versionId : '',
    ...(codename && ID_CHARS.test(codename) ? { versionCodename: codename } : {}),
    ...(pretty && PRINTABLE.test(pretty) ? { prettyName: pretty } : {}),
    source,
  };
}

/** `/etc/alpine-release`: `3.20.3`, or `3.21.0_alpha20240807` on edge. */
export function fromAlpineRelease(text: string, source: string): OsInfo | undefined {
  const line = firstLine(text);
  return /^\d+\.\d+[a-z0-9._-]*$/.test(line) ? { id: 'alpine', versionId: line, source } : undefined;
}

/**
 * Red Hat family and Amazon release strings, matched on the product name because
 * derivatives keep a copy of `/etc/redhat-release` that names themselves.
 * Order matters: "CentOS Stream" before "CentOS", "Amazon Linux AMI" before "Amazon Linux".
 */
const RELEASE_NAMES: readonly (readonly [RegExp, string])[] = [
  [/^Red Hat Enterprise Linux\b/, 'rhel'],
  [/^CentOS Stream\b/, 'centos'],
  [/^CentOS( Linux)?\b/, 'centos'],
  [/^Rocky Linux\b/, 'rocky'],
  [/^AlmaLinux\b/, 'almalinux'],
  [/^Oracle Linux( Server)?\b/, 'ol'],
  [/^Fedora\b/, 'fedora'],
  [/^Amazon Linux AMI\b/, 'amzn'],
  [/^Amazon Linux\b/, 'amzn'],
];

export function fromReleaseString(text: string, source: string): OsInfo | undefined {
  const line = firstLine(text);
  if (!PRINTABLE.test(line)) return undefined;
  const entry = RELEASE_NAMES.find(([re]) => re.test(line));
  const version = /\brelease\s+(\d+(?:\.\d+)*)/.exec(line)?.[1];
  if (!entry || version === undefined) return undefined;
  const id = entry[1];
  // AL2022+ write `2023.3.20240131`; their os-release VERSION_ID is the year alone.
  const versionId = id === 'amzn' && /^20(2[2-9]|[3-9]\d)\./.test(version) ? (version.split('.')[0] as string) : version;
  return { id, versionId, prettyName: line, source };
}

function firstLine(text: string): string {
  return (text.split('\n', 1)[0] ?? '').trim();
}
