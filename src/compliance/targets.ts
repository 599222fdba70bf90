import { HOST_AUDIT_PATHS } from './benchmarks/cis-docker/host.js';
import { PortcullisError } from '../core/errors.js';
import type { Problem } from '../core/problem.js';
import { parseDockerHost } from '../image/daemon/engine.js';
import type { LayerCache } from '../image/layers/cache.js';
import type { OpenedImage } from '../image/types.js';
import type { CapabilityAudit } from './inputs/capabilities.js';
import { gatherContainers } from './inputs/container-input.js';
import { type DaemonInput, gatherDaemon } from './inputs/daemon-input.js';
import { gatherHost } from './inputs/host-input.js';
import { gatherImage } from './inputs/image-input.js';
import { readManifests } from './inputs/workload-input.js';
import { known, unknown } from './outcome.js';
import { checksFor } from './registry.js';
import { runChecks } from './run.js';
import type { Check, CheckResult } from './types.js';

/**
 * One function per target: gather the input at the edge, then run the target's checks. The
 * CLI, the agent and the server call these; none of them reads sockets or files itself.
 */
export interface Evaluation {
  readonly subject: string;
  readonly checks: readonly Check[];
  readonly results: readonly CheckResult[];
  readonly problems: readonly Problem[];
  readonly capabilities?: Readonly<Record<string, CapabilityAudit>>;
  /** Subject → source file, for SARIF locations. */
  readonly sources?: ReadonlyMap<string, string>;
}

export interface EngineOptions {
  readonly dockerHost?: string | undefined;
  readonly root?: string;
  readonly procRoot?: string;
  readonly daemonPid?: number | undefined;
  readonly signal?: AbortSignal;
}

function daemonOpts(o: EngineOptions) {
  return { dockerHost: o.dockerHost, daemonPid: o.daemonPid, ...(o.root ? { root: o.root } : {}), ...(o.procRoot ? { procRoot: o.procRoot } : {}), ...(o.signal ? { signal: o.signal } : {}) };
}

export async function evaluateDaemon(all: readonly Check[], o: EngineOptions): Promise<Evaluation> {
  const d = await gatherDaemon(daemonOpts(o));
  if (!d.info.known && !d.process.known) {
    throw new PortcullisError('COMPLIANCE_TARGET', `the Docker daemon cannot be read: ${d.info.reason}; ${d.process.reason}`, { daemon: d.endpoint });
  }
  const checks = checksFor(all, 'daemon');
  return { subject: d.endpoint, checks, results: runChecks(checks, [{ subject: d.endpoint, input: d }]), problems: [] };
}

export async function evaluateHost(all: readonly Check[], o: EngineOptions & { env: Readonly<Record<string, string | undefined>> }): Promise<Evaluation> {
  // The daemon tells where its data root is and which version it runs; a silent daemon leaves those unknown.
  let d: DaemonInput | undefined;
  try {
    d = await gatherDaemon(daemonOpts(o));
  } catch (err) {
    if (!(err instanceof PortcullisError)) throw err;
  }
  const root = o.root ?? '/';
  const host = await gatherHost({
    root,
    dataRoot: d ? d.settings.dataRoot : unknown('the daemon endpoint is invalid'),
    engineVersion: d?.version.known ? known(d.version.value.Version) : unknown(d?.version.known === false ? d.version.reason : 'no daemon'),
    paths: HOST_AUDIT_PATHS,
    containerdSocket: d ? d.files.containerdSocket : unknown('the daemon endpoint is invalid'),
    env: o.env,
    queryKernel: root === '/',
    ...(o.signal ? { signal: o.signal } : {}),
  });
  const checks = checksFor(all, 'host');
  return { subject: root === '/' ? 'host' : `host ${root}`, checks, results: runChecks(checks, [{ subject: 'host', input: host }]), problems: [] };
}

export async function evaluateContainers(all: readonly Check[], o: EngineOptions & { refs: readonly string[]; all?: boolean }): Promise<Evaluation> {
  const ep = parseDockerHost(o.dockerHost);
  const daemon = await gatherDaemon(daemonOpts(o));
  const containers = await gatherContainers({ ep, daemon, refs: o.refs, ...(o.all ? { all: true } : {}), ...(o.procRoot ? { procRoot: o.procRoot } : {}), ...(o.signal ? { signal: o.signal } : {}) });
  const checks = checksFor(all, 'container');
  const capabilities: Record<string, CapabilityAudit> = {};
  for (const c of containers) capabilities[c.name] = c.capabilities;
  const problems: Problem[] = containers.length === 0 ? [{ code: 'COMPLIANCE_TARGET', message: 'no container to examine (use --all to include stopped containers)' }] : [];
  return { subject: daemon.endpoint, checks, results: runChecks(checks, containers.map((c) => ({ subject: c.name, input: c }))), problems, capabilities };
}

export async function evaluateImage(all: readonly Check[], image: OpenedImage, opts: { cache?: LayerCache } = {}): Promise<Evaluation> {
  const input = await gatherImage(image, opts);
  const checks = checksFor(all, 'image');
  return { subject: input.reference, checks, results: runChecks(checks, [{ subject: input.reference, input }]), problems: input.problems };
}

/** Manifests: `files` maps a display name to its text. */
export function evaluateManifests(all: readonly Check[], files: readonly { name: string; text: string }[]): Evaluation {
  const workloads = [];
  const problems: Problem[] = [];
  for (const f of files) {
    const set = readManifests(f.text, f.name);
    workloads.push(...set.workloads);
    problems.push(...set.problems);
  }
  if (workloads.length === 0) {
    const why = problems.length ? problems.map((p) => p.message).join('; ') : 'no Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or AdmissionReview found';
    throw new PortcullisError('COMPLIANCE_TARGET', `no workload to examine: ${why}`, { path: files.map((f) => f.name).join(', ') });
  }
  const checks = checksFor(all, 'k8s-workload');
  const sources = new Map(workloads.map((w) => [w.subject, w.source]));
  return { subject: files.map((f) => f.name).join(', '), checks, results: runChecks(checks, workloads.map((w) => ({ subject: w.subject, input: w }))), problems, sources };
}
