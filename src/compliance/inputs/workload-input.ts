import { parseAllDocuments } from 'yaml';
import { problem, type Problem } from '../../core/problem.js';

/**
 * Kubernetes workloads from manifests: files, multi-document YAML (Helm-rendered output
 * included), `List` kinds and AdmissionReview objects (admission.k8s.io/v1). Each workload is
 * reduced to its pod template, where Pod Security Standards and CIS Kubernetes section 5 look.
 */
export interface WorkloadInput {
  readonly kind: string;
  readonly name: string;
  /** Undefined when the manifest leaves it to the client's context. */
  readonly namespace: string | undefined;
  /** `Kind/namespace/name`. */
  readonly subject: string;
  /** `file#document` it came from. */
  readonly source: string;
  /** Dotted path of the pod spec inside the object, for evidence (`spec.template.spec`). */
  readonly podPath: string;
  /** Pod metadata (annotations carry AppArmor profiles before v1.30). */
  readonly podMeta: Readonly<Record<string, unknown>>;
  readonly pod: Readonly<Record<string, unknown>>;
}

export interface ManifestSet {
  readonly workloads: readonly WorkloadInput[];
  /** Kinds read that hold no pod (Service, ConfigMap, …), counted for the report. */
  readonly otherKinds: Readonly<Record<string, number>>;
  readonly problems: readonly Problem[];
}

/** Where the pod spec lives, per workload kind. */
const POD_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec'],
  PodTemplate: ['template', 'spec'],
  Deployment: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

const MAX_DOCS = 10_000;
const MAX_DEPTH = 4;
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function at(obj: unknown, path: readonly string[]): unknown {
  let cur = obj;
  for (const p of path) cur = isRecord(cur) ? cur[p] : undefined;
  return cur;
}

interface Acc {
  workloads: WorkloadInput[];
  otherKinds: Record<string, number>;
  problems: Problem[];
}

function visit(obj: unknown, source: string, acc: Acc, depth: number): void {
  if (obj === null || obj === undefined) return;
  if (!isRecord(obj)) {
    acc.problems.push(problem('COMPLIANCE_TARGET', `${source}: a manifest must be an object, found ${Array.isArray(obj) ? 'a list' : typeof obj}`, { path: source }));
    return;
  }
  const kind = obj.kind;
  if (typeof kind !== 'string' || kind === '') {
    acc.problems.push(problem('COMPLIANCE_TARGET', `${source}: the object has no kind`, { path: source }));
    return;
  }
  if (depth > MAX_DEPTH) {
    acc.problems.push(problem('COMPLIANCE_TARGET', `${source}: objects nested deeper than ${MAX_DEPTH} levels were not read`, { path: source }));
    return;
  }
  if (kind === 'AdmissionReview') {
    const inner = at(obj, ['request', 'object']);
    if (inner === undefined) acc.problems.push(problem('COMPLIANCE_TARGET', `${source}: AdmissionReview has no request.object`, { path: source }));
    else visit(inner, `${source}/request.object`, acc, depth + 1);
    return;
  }
  if (kind.endsWith('List') && Array.isArray(obj.items)) {
    obj.items.forEach((item, i) => visit(item, `${source}/items[${i}]`, acc, depth + 1));
    return;
  }
  const podPath = POD_PATHS[kind];
  if (!podPath) {
    acc.otherKinds[kind] = (acc.otherKinds[kind] ?? 0) + 1;
    return;
  }
  const meta = isRecord(obj.metadata) ? obj.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : typeof meta.generateName === 'string' ? `${meta.generateName}*` : '(unnamed)';
  const namespace = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : undefined;
  const pod = at(obj, podPath);
  if (!isRecord(pod)) {
    acc.problems.push(problem('COMPLIANCE_TARGET', `${source}: ${kind} ${name} has no pod spec at ${podPath.join('.')}`, { path: source }));
    return;
  }
  const podMetaPath = kind === 'Pod' ? ['metadata'] : [...podPath.slice(0, -1), 'metadata'];
  const podMeta = at(obj, podMetaPath);
  acc.workloads.push({
    kind,
    name,
    namespace,
    subject: `${kind}/${namespace ?? '-'}/${name}`,
    source,
    podPath: podPath.join('.'),
    podMeta: isRecord(podMeta) ? podMeta : {},
    pod,
  });
}

/** Parses one manifest file's text (YAML or JSON, one or many documents). */
export function readManifests(text: string, file: string): ManifestSet {
  const acc: Acc = { workloads: [], otherKinds: {}, problems: [] };
  if (text.length > MAX_MANIFEST_BYTES) {
    acc.problems.push(problem('COMPLIANCE_TARGET', `${file} is larger than ${MAX_MANIFEST_BYTES} bytes`, { path: file }));
    return acc;
  }
  let docs;
  try {
    docs = parseAllDocuments(text, { prettyErrors: false });
  } catch (err) {
    acc.problems.push(problem('COMPLIANCE_TARGET', `${file}: ${(err as Error).message}`, { path: file }));
    return acc;
  }
  const list = Array.isArray(docs) ? docs : [docs];
  list.slice(0, MAX_DOCS).forEach((doc, i) => {
    const source = `${file}#${i + 1}`;
    const error = doc.errors[0];
    if (error) {
      acc.problems.push(problem('COMPLIANCE_TARGET', `${source}: invalid YAML: ${error.message.split('\n')[0]}`, { path: source }));
      return;
    }
    try {
      visit(doc.toJS({ maxAliasCount: 100 }), source, acc, 0);
    } catch (err) {
      acc.problems.push(problem('COMPLIANCE_TARGET', `${source}: ${(err as Error).message.split('\n')[0]}`, { path: source }));
    }
  });
  if (list.length > MAX_DOCS) acc.problems.push(problem('COMPLIANCE_TARGET', `${file}: only the first ${MAX_DOCS} documents were read`, { path: file }));
  return acc;
}
