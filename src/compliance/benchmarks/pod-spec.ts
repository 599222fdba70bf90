import type { WorkloadInput } from '../inputs/workload-input.js';
import { capped, fail, pass, warn } from '../outcome.js';
import type { Evidence, Outcome } from '../types.js';

/**
 * Typed reads of a pod spec for PSS and CIS Kubernetes checks. Manifests are user input: a
 * field of the wrong type is recorded as invalid (the check then warns), never read as unset,
 * so a malformed manifest can never pass. Field names: Kubernetes API reference, core/v1 PodSpec.
 */
export type Json = Readonly<Record<string, unknown>>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface PodContainer {
  /** `spec.template.spec.containers[0]` */
  readonly path: string;
  readonly name: string;
  readonly spec: Json;
}

/** Collects violations and invalid fields for one check over one workload. */
export class Verdict {
  private readonly evidence: Evidence[] = [];
  private readonly invalid: string[] = [];

  constructor(readonly w: WorkloadInput) {}

  violation(field: string, value: unknown, message: string): void {
    this.evidence.push({ subject: this.w.subject, field, value: typeof value === 'string' ? value : JSON.stringify(value), message });
  }

  bad(field: string, expected: string, value: unknown): void {
    this.invalid.push(`${field} should be ${expected}, found ${JSON.stringify(value)?.slice(0, 80)}`);
  }

  /** Reads a value that must be of `type` when present. */
  get(obj: Json, key: string, field: string, type: 'boolean' | 'string' | 'number' | 'object' | 'array'): unknown {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    const ok = type === 'array' ? Array.isArray(v) : type === 'object' ? isRecord(v) : typeof v === type;
    if (ok) return v;
    this.bad(field, type === 'array' ? 'a list' : `a ${type}`, v);
    return undefined;
  }

  /** `securityContext` (or any nested object) of `obj`, typed. */
  object(obj: Json, key: string, field: string): Json | undefined {
    return this.get(obj, key, field, 'object') as Json | undefined;
  }

  list(obj: Json, key: string, field: string): readonly unknown[] {
    return (this.get(obj, key, field, 'array') as unknown[] | undefined) ?? [];
  }

  /** Every container of the pod: containers, initContainers and ephemeralContainers. */
  containers(): PodContainer[] {
    const out: PodContainer[] = [];
    for (const key of ['containers', 'initContainers', 'ephemeralContainers']) {
      this.list(this.w.pod, key, `${this.w.podPath}.${key}`).forEach((c, i) => {
        const path = `${this.w.podPath}.${key}[${i}]`;
        if (!isRecord(c)) return this.bad(path, 'an object', c);
        out.push({ path, name: typeof c.name === 'string' ? c.name : `#${i}`, spec: c });
      });
    }
    return out;
  }

  outcome(): Outcome {
    if (this.evidence.length > 0) return fail(capped(this.evidence, this.w.subject), this.invalid.length ? `also invalid: ${this.invalid.join('; ')}` : undefined);
    if (this.invalid.length > 0) return warn(`manifest fields are invalid: ${this.invalid.join('; ')}`);
    return pass([{ subject: this.w.subject, message: 'no violation' }]);
  }
}

/** Runs `fn` with a fresh Verdict for the workload and returns its outcome. */
export function judge(w: WorkloadInput, fn: (v: Verdict) => void): Outcome {
  // A pod must have containers (core/v1 PodSpec); without them nothing below can be judged.
  const cs = w.pod.containers;
  if (!Array.isArray(cs) || cs.length === 0) return warn(`${w.podPath}.containers is ${cs === undefined ? 'missing' : 'not a non-empty list'}: the pod spec is invalid`);
  const v = new Verdict(w);
  fn(v);
  return v.outcome();
}

/** Pod-level then container-level securityContext: the container's value wins (PSS "Running as Non-root"). */
export function effective(v: Verdict, c: PodContainer, key: string, type: 'boolean' | 'number' | 'string' | 'object'): unknown {
  const csc = v.object(c.spec, 'securityContext', `${c.path}.securityContext`);
  const own = csc ? v.get(csc, key, `${c.path}.securityContext.${key}`, type) : undefined;
  if (own !== undefined) return own;
  const psc = v.object(v.w.pod, 'securityContext', `${v.w.podPath}.securityContext`);
  return psc ? v.get(psc, key, `${v.w.podPath}.securityContext.${key}`, type) : undefined;
}

/** Added capabilities of a container, normalized (`CAP_SYS_ADMIN` → `SYS_ADMIN`). */
export function capsOf(v: Verdict, c: PodContainer, which: 'add' | 'drop'): string[] {
  const sc = v.object(c.spec, 'securityContext', `${c.path}.securityContext`);
  const caps = sc ? v.object(sc, 'capabilities', `${c.path}.securityContext.capabilities`) : undefined;
  if (!caps) return [];
  return v.list(caps, which, `${c.path}.securityContext.capabilities.${which}`).flatMap((x, i) => {
    if (typeof x === 'string') return [x.toUpperCase().replace(/^CAP_/, '')];
    v.bad(`${c.path}.securityContext.capabilities.${which}[${i}]`, 'a string', x);
    return [];
  });
}
