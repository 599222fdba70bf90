import { type BenchmarkDoc, renderBenchmarkDoc, renderFrameworksDoc } from './docs.js';
import { BUILTIN_FRAMEWORKS } from './frameworks/registry.js';
import { BENCHMARK_REGISTRY, BUILTIN_CHECKS } from './registry.js';

/** The generated documentation files (docs/compliance/), keyed by file name. */
const BENCHMARK_DOCS: readonly BenchmarkDoc[] = [
  {
    file: 'cis-docker.md',
    title: BENCHMARK_REGISTRY['cis-docker'].title,
    version: BENCHMARK_REGISTRY['cis-docker'].version,
    intro:
      'Run with `portcullis compliance host|daemon|container|image`. Host checks read files under `--root` (default `/`); daemon checks read the Engine API, `/proc/<pid>/cmdline` of the dockerd serving the socket and its daemon.json; container checks read `docker inspect`, the container processes (`/containers/{id}/top`) and their `/proc/<pid>/status`; image checks read the image config, history and file tree. A check whose input cannot be read is `skip` with the reason, never `pass`.',
    checks: BENCHMARK_REGISTRY['cis-docker'].checks,
    manual: BENCHMARK_REGISTRY['cis-docker'].manual,
  },
  {
    file: 'cis-k8s.md',
    title: BENCHMARK_REGISTRY['cis-k8s'].title,
    version: BENCHMARK_REGISTRY['cis-k8s'].version,
    intro:
      'Run with `portcullis compliance k8s FILE…` on manifests (multi-document YAML, Helm-rendered output, List kinds) or AdmissionReview objects. Pods and the pod templates of Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs and PodTemplates are checked. Where a recommendation equals a Pod Security Standards control, the PSS check decides it.',
    checks: BENCHMARK_REGISTRY['cis-k8s'].checks,
    manual: BENCHMARK_REGISTRY['cis-k8s'].manual,
  },
  {
    file: 'pss.md',
    title: BENCHMARK_REGISTRY.pss.title,
    version: BENCHMARK_REGISTRY.pss.version,
    intro:
      'The Baseline profile is the `pss-baseline-*` checks; Restricted is Baseline plus the `pss-restricted-*` checks (https://kubernetes.io/docs/concepts/security/pod-security-standards/). Report a profile with `--framework pss-baseline` or `--framework pss-restricted`. A field of the wrong type is reported as invalid (warn), never read as unset.',
    checks: BENCHMARK_REGISTRY.pss.checks,
    manual: [],
  },
];

export function generatedDocs(): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of BENCHMARK_DOCS) out.set(d.file, renderBenchmarkDoc(d, BUILTIN_FRAMEWORKS));
  out.set('frameworks.md', renderFrameworksDoc(BUILTIN_FRAMEWORKS, BUILTIN_CHECKS));
  return out;
}
