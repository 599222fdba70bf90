import type { CheckMeta, CheckResult, Evidence, Status } from '../types.js';
import type { Control, Framework } from './schema.js';

/** Framework controls ⇄ checks, and the per-framework report (pass rate, failing controls, evidence). */
export interface ControlRef {
  readonly framework: string;
  readonly control: string;
  readonly title: string;
}

export function controlCovers(control: Control, check: Pick<CheckMeta, 'id' | 'concerns'>): boolean {
  return control.checks.includes(check.id) || control.concerns.some((k) => (check.concerns as readonly string[]).includes(k));
}

/** Every control of every framework that a check evidences. */
export function controlsOf(check: Pick<CheckMeta, 'id' | 'concerns'>, frameworks: readonly Framework[]): ControlRef[] {
  return frameworks.flatMap((fw) => fw.controls.filter((c) => controlCovers(c, check)).map((c) => ({ framework: fw.id, control: c.id, title: c.title })));
}

/** A check's outcome over all its subjects: any fail fails, then warn, then pass; skip only when nothing was decided. */
export function aggregate(statuses: readonly Status[]): Status {
  if (statuses.includes('fail')) return 'fail';
  if (statuses.includes('warn')) return 'warn';
  if (statuses.includes('pass')) return 'pass';
  return 'skip';
}

export type ControlStatus = Status | 'not-evaluated';

export interface ControlReport {
  readonly id: string;
  readonly title: string;
  readonly status: ControlStatus;
  readonly checks: readonly string[];
  /** Failed (or warned) results behind the status, with their evidence. */
  readonly findings: readonly { readonly checkId: string; readonly subject: string; readonly status: Status; readonly reason?: string; readonly evidence: readonly Evidence[] }[];
}

export interface FrameworkReport {
  readonly framework: { readonly id: string; readonly version: string; readonly title: string };
  /** Passed controls over decided controls (pass, warn or fail), 0–1; null when none was decided. */
  readonly passRate: number | null;
  readonly counts: Readonly<Record<ControlStatus, number>>;
  readonly controls: readonly ControlReport[];
}

const MAX_FINDINGS = 100;

export function frameworkReport(fw: Framework, checks: readonly Pick<CheckMeta, 'id' | 'concerns'>[], results: readonly CheckResult[]): FrameworkReport {
  const byCheck = new Map<string, CheckResult[]>();
  for (const r of results) byCheck.set(r.checkId, [...(byCheck.get(r.checkId) ?? []), r]);
  const controls: ControlReport[] = fw.controls.map((control) => {
    const ids = checks.filter((c) => controlCovers(control, c)).map((c) => c.id);
    const rs = ids.flatMap((id) => byCheck.get(id) ?? []);
    const status: ControlStatus = rs.length === 0 || rs.every((r) => r.status === 'skip') ? 'not-evaluated' : aggregate(rs.map((r) => r.status));
    const findings = rs
      .filter((r) => r.status === 'fail' || r.status === 'warn')
      .slice(0, MAX_FINDINGS)
      .map((r) => ({ checkId: r.checkId, subject: r.subject, status: r.status, ...(r.reason ? { reason: r.reason } : {}), evidence: r.evidence }));
    return { id: control.id, title: control.title, status, checks: ids, findings };
  });
  const counts = { pass: 0, fail: 0, warn: 0, skip: 0, 'not-evaluated': 0 };
  for (const c of controls) counts[c.status]++;
  const decided = counts.pass + counts.fail + counts.warn;
  return { framework: { id: fw.id, version: fw.version, title: fw.title }, passRate: decided === 0 ? null : counts.pass / decided, counts, controls };
}
