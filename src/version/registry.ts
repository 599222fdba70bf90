import { apkScheme } from './apk/index.js';
import { cargoScheme } from './cargo/index.js';
import { composerScheme } from './composer/index.js';
import { debScheme } from './deb/index.js';
import { gemScheme } from './gem/index.js';
import { goScheme } from './go/index.js';
import { mavenScheme } from './maven/index.js';
import { nugetScheme } from './nuget/index.js';
import { pep440Scheme } from './pep440/index.js';
import { rpmScheme } from './rpm/index.js';
import { semverScheme } from './semver/index.js';
import type { SchemeId, VersionScheme } from './types.js';

/** Every version scheme, sorted by id. Nothing registers itself: add a scheme here. */
export const SCHEMES: readonly VersionScheme[] = [
  apkScheme,
  cargoScheme,
  composerScheme,
  debScheme,
  gemScheme,
  goScheme,
  mavenScheme,
  nugetScheme,
  pep440Scheme,
  rpmScheme,
  semverScheme,
];

const BY_ID: ReadonlyMap<string, VersionScheme> = new Map(SCHEMES.map((s) => [s.id, s]));

export function isSchemeId(id: string): id is SchemeId {
  return BY_ID.has(id);
}

/** The scheme with this id, or undefined for an unknown id (callers decide how to report it). */
export function schemeById(id: string): VersionScheme | undefined {
  return BY_ID.get(id);
}
