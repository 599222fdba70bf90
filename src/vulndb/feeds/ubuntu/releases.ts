/**
 * Ubuntu codenames → release numbers (https://wiki.ubuntu.com/Releases), and how the Ubuntu CVE
 * Tracker's release names (`focal`, `trusty/esm`, `esm-infra/xenial`, `upstream`, …) map to
 * ecosystems. ESM pockets are Ubuntu Pro: `Ubuntu:Pro:<n>`, the form normalizeEcosystem gives
 * OSV's `Ubuntu:Pro:16.04:LTS`.
 */
export const UBUNTU_CODENAMES: Readonly<Record<string, string>> = {
  warty: '4.10', hoary: '5.04', breezy: '5.10', dapper: '6.06', edgy: '6.10', feisty: '7.04', gutsy: '7.10',
  hardy: '8.04', intrepid: '8.10', jaunty: '9.04', karmic: '9.10', lucid: '10.04', maverick: '10.10',
  natty: '11.04', oneiric: '11.10', precise: '12.04', quantal: '12.10', raring: '13.04', saucy: '13.10',
  trusty: '14.04', utopic: '14.10', vivid: '15.04', wily: '15.10', xenial: '16.04', yakkety: '16.10',
  zesty: '17.04', artful: '17.10', bionic: '18.04', cosmic: '18.10', disco: '19.04', eoan: '19.10',
  focal: '20.04', groovy: '20.10', hirsute: '21.04', impish: '21.10', jammy: '22.04', kinetic: '22.10',
  lunar: '23.04', mantic: '23.10', noble: '24.04', oracular: '24.10', plucky: '25.04', questing: '25.10',
  resolute: '26.04',
};

/** UCT names that are not a release of the archive: not matched, not a problem. */
const NOT_RELEASES = new Set(['upstream', 'devel', 'snap', 'product']);

/** Pockets of an ESM (Ubuntu Pro) release: `trusty/esm`, `esm-infra/xenial`, `esm-apps/jammy`. */
const ESM_SUFFIX = /^([a-z]+)\/esm$/;
const ESM_PREFIX = /^esm-(?:infra|apps|infra-legacy)\/([a-z]+)$/;

export type ReleaseMapping = { readonly ecosystem: string } | { readonly skip: 'not-a-release' | 'unknown' };

/** The ecosystem of a UCT release name, or why it has none. */
export function ubuntuEcosystem(release: string): ReleaseMapping {
  const plain = UBUNTU_CODENAMES[release];
  if (plain) return { ecosystem: `Ubuntu:${plain}` };
  const esm = ESM_SUFFIX.exec(release) ?? ESM_PREFIX.exec(release);
  const esmVersion = esm ? UBUNTU_CODENAMES[esm[1] as string] : undefined;
  if (esmVersion) return { ecosystem: `Ubuntu:Pro:${esmVersion}` };
  if (esm) return { skip: 'unknown' };
  // Other pockets (vivid/ubuntu-core, fips-updates/…, ros-esm/…, realtime/…) are separate products.
  if (NOT_RELEASES.has(release) || release.includes('/')) return { skip: 'not-a-release' };
  return { skip: 'unknown' };
}
