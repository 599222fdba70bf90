import { PackageURL } from 'packageurl-js';
import { distroQualifier, type OsInfo } from '../../core/os.js';
import { packageId, type Location, type Package, type SourcePackage } from '../../core/package.js';
import { osPurlNamespace } from '../os/index.js';
import type { Stanza } from './deb822.js';

/** Fields the cataloger reads; all others are skipped while parsing. */
export const DPKG_FIELDS: ReadonlySet<string> = new Set([
  'package',
  'status',
  'version',
  'architecture',
  'source',
  'maintainer',
  'installed-size',
  'multi-arch',
  'section',
  'priority',
]);

// Debian Policy §5.6.1 (names) and §5.6.12 (versions), slightly lenient: dpkg accepts
// upper-case letters in versions, and `_` only shows up in hostile input but is harmless.
const NAME = /^[a-z0-9][a-z0-9+.-]*$/;
const VERSION = /^[A-Za-z0-9][A-Za-z0-9.+~:_-]*$/;
const ARCH = /^[a-z0-9-]+$/;
// `Source: name` or `Source: name (version)` (Policy §5.6.1, "Source" in DEBIAN/control).
const SOURCE = /^(\S+)(?:\s+\((\S+)\))?$/;

export type StanzaOutcome =
  | { readonly kind: 'package'; readonly pkg: Package }
  | { readonly kind: 'skipped' }
  | { readonly kind: 'invalid'; readonly reason: string };

export interface PackageContext {
  readonly location: Location;
  readonly os: OsInfo | undefined;
  readonly foundBy: string;
  /** status.d stanzas may omit Status; they describe installed packages. */
  readonly statusOptional: boolean;
}

/**
 * One stanza to a package. `Status: <want> <flag> <status>` (dpkg(1), "Package states"):
 * only `installed` counts; config-files, half-installed, unpacked and friends do not.
 */
export function stanzaToPackage(stanza: Stanza, ctx: PackageContext): StanzaOutcome {
  if (stanza.error) return { kind: 'invalid', reason: stanza.error };
  const f = stanza.fields;
  const name = f.get('package');
  if (name === undefined) return { kind: 'invalid', reason: `stanza at line ${stanza.line} has no Package field` };

  const status = f.get('status');
  if (status === undefined && !ctx.statusOptional) {
    return { kind: 'invalid', reason: `package ${name} (line ${stanza.line}) has no Status field` };
  }
  if (status !== undefined) {
    const words = status.split(/\s+/);
    if (words.length !== 3) return { kind: 'invalid', reason: `package ${name} has a malformed Status "${status}"` };
    if (words[2] !== 'installed') return { kind: 'skipped' };
  }

  if (!NAME.test(name)) return { kind: 'invalid', reason: `line ${stanza.line}: invalid package name "${name}"` };
  const version = f.get('version');
  if (version === undefined || !VERSION.test(version)) {
    return { kind: 'invalid', reason: `package ${name} has ${version === undefined ? 'no' : 'an invalid'} Version` };
  }
  const archField = f.get('architecture');
  const arch = archField !== undefined && ARCH.test(archField) ? archField : undefined;

  const source = parseSource(f.get('source'), name, version);
  if (source === undefined) return { kind: 'invalid', reason: `package ${name} has a malformed Source "${f.get('source')}"` };

  return {
    kind: 'package',
    pkg: {
      id: packageId('deb', name, version, arch),
      type: 'deb',
      name,
      version,
      ...(arch ? { arch } : {}),
      source,
      licenses: [],
      purl: debPurl(name, version, arch, source, ctx.os),
      foundBy: ctx.foundBy,
      locations: [ctx.location],
      metadata: metadata(f),
    },
  };
}

/** Absent → the binary itself; `name` → binary version; `name (version)` → that version. */
function parseSource(field: string | undefined, name: string, version: string): SourcePackage | undefined {
  if (field === undefined) return { name, version };
  const m = SOURCE.exec(field);
  if (!m || !NAME.test(m[1] as string)) return undefined;
  const srcVersion = m[2];
  if (srcVersion !== undefined && !VERSION.test(srcVersion)) return undefined;
  return { name: m[1] as string, version: srcVersion ?? version };
}

/**
 * `pkg:deb/<os id>/<name>@<version>?arch=…&distro=<id>-<version_id>`; `upstream=` names the
 * source package when it differs, with `@version` when that differs too (as syft does).
 * https://github.com/package-url/purl-spec/blob/main/PURL-TYPES.rst#deb
 */
function debPurl(name: string, version: string, arch: string | undefined, source: SourcePackage, os: OsInfo | undefined): string {
  const qualifiers: Record<string, string> = {};
  if (arch) qualifiers.arch = arch;
  const distro = distroQualifier(os);
  if (distro) qualifiers.distro = distro;
  if (source.version !== version) qualifiers.upstream = `${source.name}@${source.version}`;
  else if (source.name !== name) qualifiers.upstream = source.name;
  return new PackageURL('deb', osPurlNamespace(os, 'debian'), name, version, qualifiers, undefined).toString();
}

function metadata(f: ReadonlyMap<string, string>): Record<string, unknown> {
  const size = f.get('installed-size');
  const out: Record<string, unknown> = {};
  const maintainer = f.get('maintainer');
  if (maintainer !== undefined) out.maintainer = maintainer;
  // Installed-Size is in KiB (deb-control(5)).
  if (size !== undefined && /^\d{1,15}$/.test(size)) out.installedSize = Number(size);
  for (const [key, field] of [['multiArch', 'multi-arch'], ['section', 'section'], ['priority', 'priority']] as const) {
    const value = f.get(field);
    if (value !== undefined) out[key] = value;
  }
  return out;
}
