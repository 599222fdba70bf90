import { PackageURL } from 'packageurl-js';
import { type Package, packageId } from '../../core/package.js';
import { problem, type Problem } from '../../core/problem.js';
import type { CapturedFile } from '../types.js';
import { fileLocation } from '../captured-file.js';

export const ID = 'ruby';
export const VERSION = '1';
export const FOUND_BY = `${ID}@${VERSION}`;

/** Gem names: letters, digits, `.`, `_`, `-` (rubygems' own validation is similar). */
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
/** Gem::Version::VERSION_PATTERN, anchored: `1.2.3`, `1.0.0.pre.1`, `2.0.0.rc1`. */
const VERSION_RE = /^[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

export function validGem(name: string, version: string): boolean {
  return NAME_RE.test(name) && version.length <= 128 && VERSION_RE.test(version);
}

export interface GemInput {
  readonly name: string;
  readonly version: string;
  readonly file: CapturedFile;
  readonly source: 'installed' | 'lockfile';
  readonly licenses?: readonly string[];
  readonly idPath?: string;
  readonly metadata?: Record<string, unknown>;
}

export function makeGem(input: GemInput): Package {
  const { file } = input;
  return {
    id: packageId('gem', input.name, input.version, undefined, input.idPath),
    type: 'gem',
    name: input.name,
    version: input.version,
    licenses: input.licenses ?? [],
    purl: new PackageURL('gem', undefined, input.name, input.version, undefined, undefined).toString(),
    foundBy: FOUND_BY,
    locations: [fileLocation(file)],
    metadata: { source: input.source, ...input.metadata },
  };
}

export function parseProblem(file: CapturedFile, message: string, code: Problem['code'] = 'CATALOG_PARSE'): Problem {
  return problem(code, `${file.path}: ${message}`, {
    path: file.path,
    source: ID,
    ...(file.layerDiffId ? { layer: file.layerDiffId } : {}),
  });
}

export function looksBinary(content: Buffer): boolean {
  return content.subarray(0, 8192).includes(0);
}
