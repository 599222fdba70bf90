import type { Problem } from '../core/problem.js';
import { aggregate, type ControlRef, controlsOf, type FrameworkReport, frameworkReport } from './frameworks/mapping.js';
import type { Framework } from './frameworks/schema.js';
import type { CapabilityAudit } from './inputs/capabilities.js';
import type { BenchmarkId, Check, CheckResult, InputOf, Severity, Status, Target } from './types.js';

/** Evaluates checks over subjects. A check that throws is a bug: it warns with the reason, it never passes. */
export function runChecks<T extends Target>(checks: readonly Check<T>[], subjects: readonly { subject: string; input: InputOf[T] }[]): CheckResult[] {
  const out: CheckResult[] = [];
  for (const check of checks) {
    for (const s of subjects) {
      let outcome;
      try {
        outcome = (check.evaluate as (i: InputOf[T]) => ReturnType<Check['evaluate']>)(s.input);
      } catch (err) {
        outcome = { status: 'warn' as const, reason: `check failed: ${(err as Error).message}`, evidence: [] };
      }
      out.push({ checkId: check.id, subject: s.subject, status: outcome.status, ...(outcome.reason ? { reason: outcome.reason } : {}), evidence: outcome.evidence });
    }
  }
  return out;
}

export interface CheckSummary {
  readonly id: string;
  readonly benchmark: BenchmarkId;
  readonly title: string;
  readonly severity: Severity;
  readonly target: Target;
  readonly status: Status;
  readonly remediation: string;
  readonly controls: readonly ControlRef[];
  readonly results: readonly CheckResult[];
}

export interface ComplianceReport {
  readonly tool: { readonly name: 'portcullis'; readonly version: string };
  readonly createdAt: string;
  readonly target: Target;
  /** What was examined: an image reference, a daemon endpoint, a manifest file. */
  readonly subject: string;
  readonly summary: Readonly<Record<Status, number>>;
  readonly checks: readonly CheckSummary[];
  readonly frameworks: readonly FrameworkReport[];
  /** Per container: the capability audit (configuration vs. /proc vs. Docker's default set). */
  readonly capabilities?: Readonly<Record<string, CapabilityAudit>>;
  readonly problems: readonly Problem[];
}

export interface ReportInput {
  readonly toolVersion: string;
  readonly target: Target;
  readonly subject: string;
  readonly checks: readonly Check[];
  readonly results: readonly CheckResult[];
  /** Frameworks to map to; reports are made for those with at least one decided control. */
  readonly frameworks: readonly Framework[];
  /** Only these framework reports, when given (`--framework`). */
  readonly onlyFrameworks?: readonly string[];
  readonly capabilities?: Readonly<Record<string, CapabilityAudit>>;
  readonly problems?: readonly Problem[];
  readonly now?: Date;
}

export function buildReport(r: ReportInput): ComplianceReport {
  const byCheck = new Map<string, CheckResult[]>();
  for (const res of r.results) byCheck.set(res.checkId, [...(byCheck.get(res.checkId) ?? []), res]);
  const checks: CheckSummary[] = r.checks.map((c) => {
    const results = byCheck.get(c.id) ?? [];
    const status = results.length === 0 ? 'skip' : aggregate(results.map((x) => x.status));
    return { id: c.id, benchmark: c.benchmark, title: c.title, severity: c.severity, target: c.target, status, remediation: c.remediation, controls: controlsOf(c, r.frameworks), results };
  });
  const summary = { pass: 0, fail: 0, warn: 0, skip: 0 };
  for (const c of checks) summary[c.status]++;
  const wanted = r.onlyFrameworks ? r.frameworks.filter((f) => r.onlyFrameworks?.includes(f.id)) : r.frameworks;
  const frameworks = wanted.map((fw) => frameworkReport(fw, r.checks, r.results)).filter((f) => r.onlyFrameworks !== undefined || f.passRate !== null);
  return {
    tool: { name: 'portcullis', version: r.toolVersion },
    createdAt: (r.now ?? new Date()).toISOString(),
    target: r.target,
    subject: r.subject,
    summary,
    checks,
    frameworks,
    ...(r.capabilities ? { capabilities: r.capabilities } : {}),
    problems: r.problems ?? [],
  };
}

/** Checks whose failure should fail the run (`--fail-on high,critical`). */
export function failedAtSeverity(report: ComplianceReport, severities: readonly Severity[]): CheckSummary[] {
  return report.checks.filter((c) => c.status === 'fail' && severities.includes(c.severity));
}
