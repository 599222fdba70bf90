import cvssLib from 'ae-cvss-calculator';
import type { Cvss, Severity } from './model.js';

/**
 * CVSS vectors → base scores with ae-cvss-calculator (v2, v3.0, v3.1, v4.0). Feeds carry the
 * vector; a score printed next to it in a feed is never trusted over the computed one.
 */

const V3 = /^CVSS:3\.([01])\//;
const V4 = /^CVSS:4\.0\//;
const V2 = /^(\(?AV:[LAN]\/AC:[HML]\/Au:[MSN]\/C:[NPC]\/I:[NPC]\/A:[NPC])/;

/** Parses a vector into a Cvss record, or undefined when it is not a valid vector of a known version. */
export function cvssFromVector(vector: string, source: string): Cvss | undefined {
  const v = vector.trim();
  try {
    if (V4.test(v)) return scored('4.0', v, new cvssLib.Cvss4P0(v).calculateScores().base, source);
    const m3 = V3.exec(v);
    if (m3) {
      const calc = m3[1] === '1' ? new cvssLib.Cvss3P1(v) : new cvssLib.Cvss3P0(v);
      return scored(m3[1] === '1' ? '3.1' : '3.0', v, calc.calculateScores().base, source);
    }
    const m2 = V2.exec(v.replace(/^CVSS:2\.0\//, ''));
    if (m2) {
      const bare = (m2[1] ?? '').replace(/^\(/, '');
      return scored('2.0', bare, new cvssLib.Cvss2(bare).calculateScores().base, source);
    }
  } catch {
    return undefined;
  }
  return undefined;
}

function scored(version: Cvss['version'], vector: string, base: number | undefined, source: string): Cvss | undefined {
  if (base === undefined || !Number.isFinite(base) || base < 0 || base > 10) return undefined;
  return { version, vector, score: Math.round(base * 10) / 10, source };
}

/** Qualitative rating of a base score (CVSS v3/v4 table; v2 has no "critical", v3's scale is used). */
export function severityFromScore(score: number): Severity {
  if (score === 0) return 'negligible';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}
