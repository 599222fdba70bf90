/**
 * The VersionScheme seam: one folder per scheme, listed in registry.ts. A scheme says whether
 * a string is a version in its grammar and orders two versions the way the ecosystem's own
 * tool does (dpkg, rpm, apk-tools, node-semver, Python packaging, Maven, RubyGems, …).
 */
export type SchemeId =
  | 'apk'
  | 'cargo'
  | 'composer'
  | 'deb'
  | 'gem'
  | 'go'
  | 'maven'
  | 'nuget'
  | 'pep440'
  | 'rpm'
  | 'semver';

export type CompareResult = -1 | 0 | 1;

export interface VersionScheme {
  readonly id: SchemeId;
  /** Links to the spec or reference implementation the scheme follows. */
  readonly specs: readonly string[];
  /** True when `v` is a version in the scheme's grammar (the native tool accepts it without warning). */
  isValid(v: string): boolean;
  /**
   * Total order: never throws. Valid versions are ordered as the native tool orders them; each
   * scheme documents where invalid strings go (usually: below every valid version, and among
   * themselves by code-unit order). Use `compareChecked` to refuse invalid input instead.
   */
  compare(a: string, b: string): CompareResult;
}
