import { PSS_PROFILES } from '../benchmarks/pss/registry.js';
import { BENCHMARK_REGISTRY } from '../registry.js';
import type { Check } from '../types.js';
import { GDPR } from './gdpr.js';
import { HIPAA } from './hipaa.js';
import { NIST_800_190 } from './nist-800-190.js';
import { PCI_DSS_4 } from './pci-dss-4.js';
import type { Framework } from './schema.js';

/** A benchmark as a framework: one control per check, numbered as the benchmark numbers it. */
function benchmarkFramework(id: string, version: string, title: string, checks: readonly Check[], prefix: string): Framework {
  return { id, version, title, controls: checks.map((c) => ({ id: c.id.slice(prefix.length), title: c.title, checks: [c.id], concerns: [] })) };
}

const byId = (ids: readonly string[]) => BENCHMARK_REGISTRY.pss.checks.filter((c) => ids.includes(c.id));

/** Every built-in framework, sorted by id. Custom frameworks (YAML) are added beside these at run time. */
export const BUILTIN_FRAMEWORKS: readonly Framework[] = [
  benchmarkFramework('cis-docker-1.6', '1.6.0', 'CIS Docker Benchmark v1.6.0 (automated recommendations)', BENCHMARK_REGISTRY['cis-docker'].checks, 'cis-docker-'),
  benchmarkFramework('cis-k8s-1.9', '1.9.0', 'CIS Kubernetes Benchmark v1.9.0 section 5 (workload recommendations)', BENCHMARK_REGISTRY['cis-k8s'].checks, 'cis-k8s-'),
  GDPR,
  HIPAA,
  NIST_800_190,
  PCI_DSS_4,
  benchmarkFramework('pss-baseline', 'v1.30', 'Pod Security Standards: Baseline profile', byId(PSS_PROFILES.baseline), 'pss-'),
  benchmarkFramework('pss-restricted', 'v1.30', 'Pod Security Standards: Restricted profile', byId(PSS_PROFILES.restricted), 'pss-'),
];
