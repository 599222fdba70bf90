import { PackageURL } from 'packageurl-js';

/**
 * Package URLs as VEX matching compares them: parsed and normalised by packageurl-js (type and
 * per-type name rules: npm and pypi lower case, pypi `_` → `-`, percent-decoding), then compared
 * field by field. https://github.com/package-url/purl-spec
 */
export interface Purl {
  readonly type: string;
  readonly namespace: string;
  readonly name: string;
  /** Empty when the purl has no version. */
  readonly version: string;
  readonly qualifiers: Readonly<Record<string, string>>;
  readonly subpath: string;
}

/** Undefined when the text is not a purl packageurl-js accepts. */
export function parsePurl(text: string): Purl | undefined {
  if (!/^pkg:/i.test(text)) return undefined;
  let p: PackageURL;
  try {
    p = PackageURL.fromString(text);
  } catch {
    return undefined;
  }
  const qualifiers: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.qualifiers ?? {})) {
    if (typeof v === 'string' && v !== '') qualifiers[k.toLowerCase()] = v;
  }
  // An OCI version is a digest: hex is case-insensitive, the algorithm name is lower case.
  const version = p.type === 'oci' ? (p.version ?? '').toLowerCase() : (p.version ?? '');
  return { type: p.type, namespace: p.namespace ?? '', name: p.name, version, qualifiers, subpath: p.subpath ?? '' };
}

/**
 * Qualifier values a purl means when it leaves them out, from the purl-spec type definitions
 * (types-doc/maven-definition.md: `type` defaults to `jar`), so `?type=jar` in a statement still
 * matches a Maven package whose purl omits it. go-vex's PurlMatches lacks this rule.
 */
const QUALIFIER_DEFAULTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  maven: { type: 'jar' },
};

/**
 * Whether a statement's purl (`general`) covers a package's purl (`specific`): same type,
 * namespace and name; a statement without version covers every version; every qualifier and
 * the subpath the statement gives must be present and equal in the package's purl, which may
 * carry more. Same rule as go-vex's PurlMatches (pkg/vex/vex.go), which vexctl uses.
 */
export function purlCovers(general: Purl, specific: Purl): boolean {
  if (general.type !== specific.type || general.namespace !== specific.namespace || general.name !== specific.name) return false;
  if (general.version !== '' && general.version !== specific.version) return false;
  if (general.subpath !== '' && general.subpath !== specific.subpath) return false;
  const defaults = QUALIFIER_DEFAULTS[general.type] ?? {};
  for (const [key, value] of Object.entries(general.qualifiers)) {
    if ((specific.qualifiers[key] ?? defaults[key]) !== value) return false;
  }
  return true;
}
