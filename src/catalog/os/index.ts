import type { OsInfo } from '../../core/os.js';
import { problem, type Problem } from '../../core/problem.js';
import { MAX_RELEASE_FILE } from './os-release.js';
import {
  fromAlpineRelease,
  fromDebianVersion,
  fromLsbRelease,
  fromOsRelease,
  fromReleaseString,
} from './release-files.js';

/**
 * OS detection from release files (SCANNER-NOTES.md §2). The order below is the fixed
 * order in which candidates are considered; see `detectOs` for the merge rule.
 */
type Parser = (text: string, source: string) => OsInfo | undefined;

const DETECTORS: readonly (readonly [string, Parser])[] = [
  ['/etc/os-release', fromOsRelease],
  ['/usr/lib/os-release', fromOsRelease],
  ['/etc/lsb-release', fromLsbRelease],
  ['/etc/alpine-release', fromAlpineRelease],
  ['/etc/oracle-release', fromReleaseString],
  ['/etc/rocky-release', fromReleaseString],
  ['/etc/almalinux-release', fromReleaseString],
  ['/etc/centos-release', fromReleaseString],
  ['/etc/fedora-release', fromReleaseString],
  ['/etc/system-release', fromReleaseString],
  ['/usr/lib/system-release', fromReleaseString],
  ['/etc/redhat-release', fromReleaseString],
  ['/etc/debian_version', fromDebianVersion],
];

/** Absolute paths detection reads; the image layer should capture them. */
export const OS_FILES: readonly string[] = DETECTORS.map(([path]) => path);

const OS_FILE_SET = new Set(OS_FILES);

export function wantsOsFile(path: string): boolean {
  return OS_FILE_SET.has(path);
}

/** Families whose generic detection a more specific one overrides (trivy `OS.Merge`). */
const GENERIC_IDS = new Set(['debian', 'rhel']);

const DPKG_STATUS = '/var/lib/dpkg/status';
const DPKG_STATUS_D = '/var/lib/dpkg/status.d';

export interface OsDetection {
  readonly os: OsInfo | undefined;
  readonly problems: Problem[];
}

/**
 * Detects the OS. Merge rule, independent of file order in the image: the first candidate
 * in DETECTORS order whose id is not generic (debian, rhel) wins; when all are generic, the
 * first one wins. So Ubuntu's lsb-release beats its debian_version, and Oracle's
 * oracle-release beats the redhat-release it also ships, while a plain os-release is used
 * as is. `exists` (e.g. `CatalogView.exists`) enables distroless detection.
 */
export function detectOs(read: (path: string) => Buffer | undefined, exists?: (path: string) => boolean): OsDetection {
  const problems: Problem[] = [];
  const candidates: OsInfo[] = [];
  const unrecognised: string[] = [];
  for (const [path, parse] of DETECTORS) {
    const content = read(path);
    if (content === undefined) continue;
    if (content.length > MAX_RELEASE_FILE) {
      problems.push(problem('FILE_TOO_LARGE', `${path} is ${content.length} bytes, not a release file`, { path, source: 'os' }));
      continue;
    }
    const found = parse(content.toString('utf8'), path);
    if (found) candidates.push(found);
    else if (path.endsWith('os-release')) {
      problems.push(problem('CATALOG_PARSE', `${path} has no valid ID`, { path, source: 'os' }));
    } else unrecognised.push(path);
  }
  const chosen = candidates.find((c) => !GENERIC_IDS.has(c.id)) ?? candidates[0];
  if (!chosen) {
    // Only worth reporting when nothing identified the OS; stray files are common otherwise.
    for (const path of unrecognised) {
      problems.push(problem('CATALOG_PARSE', `${path} does not hold a release string Portcullis knows`, { path, source: 'os' }));
    }
    return { os: undefined, problems };
  }
  return { os: isDistroless(chosen, exists) ? { ...chosen, distroless: true } : chosen, problems };
}

/**
 * Google distroless images are Debian with one control file per package in status.d and
 * no dpkg status; some older ones also say so in PRETTY_NAME.
 */
function isDistroless(os: OsInfo, exists: ((path: string) => boolean) | undefined): boolean {
  if (os.id !== 'debian') return false;
  if (/distroless/i.test(os.prettyName ?? '')) return true;
  return exists?.(DPKG_STATUS_D) === true && !exists(DPKG_STATUS);
}

/**
 * The purl namespace for OS packages: the os-release ID (`debian`, `ubuntu`, `alpine`,
 * `wolfi`, …), or the ecosystem's usual vendor when no OS was detected.
 */
export function osPurlNamespace(os: OsInfo | undefined, fallback: string): string {
  return os?.id ?? fallback;
}
