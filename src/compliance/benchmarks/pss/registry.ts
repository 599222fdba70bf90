import type { Check } from '../../types.js';
import { PSS_BASELINE } from './baseline.js';
import { PSS_RESTRICTED } from './restricted.js';

/**
 * Pod Security Standards checks, sorted by id. The Baseline profile is the baseline checks;
 * the Restricted profile is both lists (the spec: "Restricted … in addition to Baseline").
 */
export const PSS_CHECKS: readonly Check<'k8s-workload'>[] = [...PSS_BASELINE, ...PSS_RESTRICTED];

export const PSS_PROFILES = {
  baseline: PSS_BASELINE.map((c) => c.id),
  restricted: [...PSS_BASELINE, ...PSS_RESTRICTED].map((c) => c.id),
} as const;
