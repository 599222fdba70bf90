import { CIS_DOCKER_CHECKS, CIS_DOCKER_MANUAL } from './benchmarks/cis-docker/registry.js';
import { CIS_K8S_CHECKS, CIS_K8S_MANUAL } from './benchmarks/cis-k8s/registry.js';
import { byNumbering } from './benchmarks/define.js';
import { PSS_CHECKS } from './benchmarks/pss/registry.js';
import type { Check, ManualCheck, Target } from './types.js';

/**
 * Every built-in check, one explicit list per benchmark (STYLE.md habit 1): CIS Docker
 * Benchmark v1.6.0, CIS Kubernetes Benchmark v1.9.0 section 5, Pod Security Standards.
 */
export const BENCHMARK_REGISTRY = {
  'cis-docker': { title: 'CIS Docker Benchmark', version: '1.6.0', checks: CIS_DOCKER_CHECKS, manual: CIS_DOCKER_MANUAL },
  'cis-k8s': { title: 'CIS Kubernetes Benchmark, section 5 (Policies)', version: '1.9.0', checks: CIS_K8S_CHECKS, manual: CIS_K8S_MANUAL },
  pss: { title: 'Kubernetes Pod Security Standards', version: 'v1.30', checks: PSS_CHECKS, manual: [] as readonly ManualCheck[] },
} as const;

export const BUILTIN_CHECKS: readonly Check[] = [...CIS_DOCKER_CHECKS, ...CIS_K8S_CHECKS, ...PSS_CHECKS];

export const MANUAL_CHECKS: readonly ManualCheck[] = [...CIS_DOCKER_MANUAL, ...CIS_K8S_MANUAL].sort(byNumbering);

/** The checks of one target, in numbering order. */
export function checksFor<T extends Target>(checks: readonly Check[], target: T): Check<T>[] {
  return (checks.filter((c) => c.target === target) as Check<T>[]).sort(byNumbering);
}
