import type { Concern } from './concerns.js';
import type { ContainerInput } from './inputs/container-input.js';
import type { DaemonInput } from './inputs/daemon-input.js';
import type { HostInput } from './inputs/host-input.js';
import type { ImageInput } from './inputs/image-input.js';
import type { WorkloadInput } from './inputs/workload-input.js';

/**
 * The Check seam (ARCHITECTURE.md "Extension seams"): metadata plus one pure `evaluate`.
 * Inputs are gathered at the edges (inputs/), so a check never touches a socket or a file.
 */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const TARGETS = ['host', 'daemon', 'image', 'container', 'k8s-workload'] as const;
export type Target = (typeof TARGETS)[number];

export const STATUSES = ['pass', 'fail', 'warn', 'skip'] as const;
export type Status = (typeof STATUSES)[number];

/** Benchmarks whose checks Portcullis ships; custom checks carry `custom`. */
export const BENCHMARKS = ['cis-docker', 'cis-k8s', 'pss', 'custom'] as const;
export type BenchmarkId = (typeof BENCHMARKS)[number];

/** One fact behind an outcome: which thing, where, and what was seen. Never a secret's value. */
export interface Evidence {
  /** Container name, image reference, workload `Kind/namespace/name`, file path… */
  readonly subject?: string;
  /** Field or file the fact comes from, e.g. `HostConfig.Privileged`, `/etc/docker/daemon.json`. */
  readonly field?: string;
  /** What was found, as text. */
  readonly value?: string;
  readonly message: string;
}

export interface Outcome {
  readonly status: Status;
  /** Why the check could not decide (skip), or what to look at (warn). Always set for skip and warn. */
  readonly reason?: string;
  readonly evidence: readonly Evidence[];
}

export interface InputOf {
  readonly host: HostInput;
  readonly daemon: DaemonInput;
  readonly image: ImageInput;
  readonly container: ContainerInput;
  readonly 'k8s-workload': WorkloadInput;
}

export interface CheckMeta {
  /** `<benchmark>-<number>`, the benchmark's own numbering: `cis-docker-5.5`, `cis-k8s-5.2.2`, `pss-baseline-privileged`. */
  readonly id: string;
  readonly benchmark: BenchmarkId;
  readonly title: string;
  /** Why it matters, one or two sentences. */
  readonly description: string;
  readonly severity: Severity;
  readonly target: Target;
  readonly remediation: string;
  /**
   * What the check protects; framework controls are mapped through these (frameworks/),
   * so adding a framework never means touching every check.
   */
  readonly concerns: readonly Concern[];
  /** Spec sections and pages the check implements. */
  readonly references?: readonly string[];
}

/** A check bound to its target's input type. */
export type Check<T extends Target = Target> = {
  [K in T]: CheckMeta & { readonly target: K; evaluate(input: InputOf[K]): Outcome };
}[T];

/** A benchmark recommendation that needs a person (documented, never evaluated). */
export interface ManualCheck {
  readonly id: string;
  readonly benchmark: BenchmarkId;
  readonly title: string;
  /** Why it cannot be decided from what Portcullis can read. */
  readonly why: string;
}

/** One evaluation: a check against one subject (a container, an image, a workload, the daemon). */
export interface CheckResult {
  readonly checkId: string;
  readonly subject: string;
  readonly status: Status;
  readonly reason?: string;
  readonly evidence: readonly Evidence[];
}
