import { PortcullisError } from '../core/errors.js';
import { FINDING_SEVERITIES, type Finding, type FindingSeverity } from '../core/finding.js';

/**
 * The quick gates users know without a policy file:
 * - Grype `--fail-on SEVERITY`: fail when a reported finding is at or above the severity
 *   (unknown < negligible < low < medium < high < critical, Grype's order). Current Grype
 *   exits 2 (older releases 1); Portcullis exits 1 (POLICY_BLOCKED), as 2 is its usage error.
 * - Trivy `--exit-code N`: exit N when any reported finding remains, so `--severity`
 *   decides what counts (`--exit-code 1 --severity CRITICAL`). With `--fail-on`, N replaces
 *   the exit code of the severity gate.
 * "Reported" means after VEX, the ignore file, `--severity` and `--ignore-unfixed`.
 */

const ORDER: readonly FindingSeverity[] = FINDING_SEVERITIES;

export interface GateOptions {
  readonly failOn?: FindingSeverity;
  readonly exitCode?: number;
}

export interface GateResult {
  readonly triggered: boolean;
  readonly exitCode: number;
  readonly findings: number;
  readonly why: string;
}

export function parseFailOn(text: string): FindingSeverity {
  const s = text.trim().toLowerCase();
  if (!(ORDER as readonly string[]).includes(s)) throw new PortcullisError('USAGE', `--fail-on takes one severity: ${ORDER.join(', ')} (got "${text}")`);
  return s as FindingSeverity;
}

export function parseExitCode(text: string): number {
  if (!/^\d{1,3}$/.test(text.trim()) || Number(text) > 255) throw new PortcullisError('USAGE', `--exit-code takes a number from 0 to 255 (got "${text}")`);
  return Number(text);
}

/** undefined when no gate was asked for. */
export function quickGate(findings: readonly Finding[], opts: GateOptions): GateResult | undefined {
  if (opts.failOn !== undefined) {
    const min = ORDER.indexOf(opts.failOn);
    const n = findings.filter((f) => ORDER.indexOf(f.severity) >= min).length;
    const code = opts.exitCode ?? 1;
    return { triggered: n > 0 && code !== 0, exitCode: n > 0 ? code : 0, findings: n, why: `${n} reported finding${n === 1 ? '' : 's'} at or above ${opts.failOn} (--fail-on ${opts.failOn})` };
  }
  if (opts.exitCode !== undefined) {
    const n = findings.length;
    return { triggered: n > 0 && opts.exitCode !== 0, exitCode: n > 0 ? opts.exitCode : 0, findings: n, why: `${n} reported finding${n === 1 ? '' : 's'} (--exit-code ${opts.exitCode})` };
  }
  return undefined;
}
