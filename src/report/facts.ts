import { createHash } from 'node:crypto';
import type { Inventory } from '../catalog/inventory.js';
import type { Finding, FindingSeverity } from '../core/finding.js';

/** Facts the CI reporters (sarif, junit, gitlab, github) word the same way. */

/** The page that describes an advisory id, when its namespace has a well-known one. */
export function advisoryUrl(id: string): string | undefined {
  if (/^CVE-\d{4}-\d+$/.test(id)) return `https://nvd.nist.gov/vuln/detail/${id}`;
  if (/^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$/.test(id)) return `https://github.com/advisories/${id}`;
  if (/^[A-Z][A-Z0-9]*-[A-Za-z0-9:._-]+$/.test(id)) return `https://osv.dev/vulnerability/${encodeURIComponent(id)}`;
  return undefined;
}

/**
 * A 0.0–10.0 score for the severity, the scale GitHub code scanning reads from
 * `security-severity` (critical > 9.0, high 7.0–8.9, medium 4.0–6.9, low 0.1–3.9,
 * https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning).
 * The CVSS base score of the source that gave the severity is used when it agrees with
 * that band, so the score never contradicts the severity every other report shows.
 */
const BAND: Readonly<Record<FindingSeverity, readonly [number, number, number]>> = {
  critical: [9.0, 10.0, 9.5],
  high: [7.0, 8.9, 8.0],
  medium: [4.0, 6.9, 5.5],
  low: [0.1, 3.9, 2.0],
  negligible: [0.0, 0.0, 0.0],
  unknown: [0.0, 0.0, 0.0],
};

export function severityScore(f: Pick<Finding, 'severity' | 'severitySource' | 'cvss'>): number {
  const [lo, hi, fallback] = BAND[f.severity];
  const own = f.cvss.find((c) => c.source === f.severitySource && Number.isFinite(c.score) && c.score >= lo && c.score <= hi);
  return own ? own.score : fallback;
}

/** The file inside the image the package was found in (absolute), if the cataloger recorded one. */
export function packagePath(f: Finding): string | undefined {
  return f.package.locations[0]?.path;
}

/** A short, stable name for the image: its first tag, else the reference without its source prefix. */
export function imageName(inv: Pick<Inventory, 'image'>): string {
  const tag = inv.image.tags[0];
  if (tag) return tag;
  return inv.image.reference.replace(/^(docker-archive|oci-archive|oci-dir|oci|registry|docker|dir):/, '') || inv.image.reference;
}

/** The repository part of an image name: `reg:5000/app:1@sha256:…` → `reg:5000/app`. */
export function repositoryOf(name: string): string {
  const noDigest = name.replace(/@.*$/, '');
  return noDigest.replace(/:[^/:]*$/, '') || noDigest;
}

/** `fixed in 1.2.3, 1.3.1`, or what the fix state says when there is no fixed version. */
export function fixText(f: Pick<Finding, 'fixedVersions' | 'fixState'>): string {
  if (f.fixedVersions.length) return `fixed in ${f.fixedVersions.join(', ')}`;
  return f.fixState === 'fixed' ? 'fixed' : `no fix (${f.fixState.replaceAll('_', ' ')})`;
}

/** One line per CVSS rating (version, base score, vector, source), for help texts. */
export function cvssLines(f: Pick<Finding, 'cvss'>): string[] {
  return f.cvss.filter((c) => Number.isFinite(c.score)).map((c) => `CVSS ${c.version} ${c.score.toFixed(1)} ${c.vector} (${c.source})`);
}

/** Hex sha256 of the parts joined by NUL: stable fingerprints that survive any character in the parts. */
export function digestOf(...parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}
