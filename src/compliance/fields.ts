import type { ContainerInput } from './inputs/container-input.js';
import type { DaemonInput } from './inputs/daemon-input.js';
import { SETTING_KEYS } from './inputs/daemon-settings.js';
import type { HostInput } from './inputs/host-input.js';
import type { ImageInput } from './inputs/image-input.js';
import type { WorkloadInput } from './inputs/workload-input.js';
import { type Known, known, unknown } from './outcome.js';
import type { InputOf, Target } from './types.js';

/**
 * The fields declarative checks (built-in data and custom YAML) may name, per target. A rule
 * naming a field that is not here is rejected when it is loaded (STYLE.md habit 7). A field
 * reads as a list of (subject, value) pairs: one for scalar facts, one per container for pod
 * fields; a rule holds when it holds for every pair.
 */
export interface FieldValue {
  readonly subject: string;
  readonly value: unknown;
}

type Reader<T extends Target> = (input: InputOf[T], field: string) => Known<readonly FieldValue[]>;

// Engine API v1.41 ContainerInspect: HostConfig and Config keys (https://docs.docker.com/reference/api/engine/version/v1.41/#tag/Container/operation/ContainerInspect).
const HOST_CONFIG_KEYS = [
  'AutoRemove', 'Binds', 'BlkioWeight', 'CapAdd', 'CapDrop', 'Cgroup', 'CgroupParent', 'CgroupnsMode', 'CpuPeriod', 'CpuQuota',
  'CpuShares', 'CpusetCpus', 'CpusetMems', 'Devices', 'Dns', 'ExtraHosts', 'GroupAdd', 'Init', 'IpcMode', 'Isolation', 'LogConfig',
  'MaskedPaths', 'Memory', 'MemoryReservation', 'MemorySwap', 'MemorySwappiness', 'NanoCpus', 'NetworkMode', 'OomKillDisable',
  'OomScoreAdj', 'PidMode', 'PidsLimit', 'PortBindings', 'Privileged', 'PublishAllPorts', 'ReadonlyPaths', 'ReadonlyRootfs',
  'RestartPolicy', 'Runtime', 'SecurityOpt', 'ShmSize', 'Sysctls', 'Tmpfs', 'UTSMode', 'Ulimits', 'UsernsMode', 'VolumeDriver', 'VolumesFrom',
];
const CONFIG_KEYS = ['Cmd', 'Entrypoint', 'Env', 'ExposedPorts', 'Healthcheck', 'Hostname', 'Image', 'Labels', 'StopSignal', 'User', 'Volumes', 'WorkingDir'];
const CONTAINER_TOP = ['AppArmorProfile', 'Driver', 'Image', 'Mounts', 'Name', 'Platform', 'RestartCount'];

function dig(obj: unknown, parts: readonly string[]): unknown {
  let cur = obj;
  for (const p of parts) cur = typeof cur === 'object' && cur !== null ? (cur as Record<string, unknown>)[p] : undefined;
  return cur;
}

function containerFieldKnown(field: string): boolean {
  const [top, key] = field.split('.');
  if (top === 'HostConfig') return key !== undefined && HOST_CONFIG_KEYS.includes(key);
  if (top === 'Config') return key !== undefined && CONFIG_KEYS.includes(key);
  if (top === 'State') return key !== undefined && ['Status', 'Running', 'Health'].includes(key);
  return top !== undefined && CONTAINER_TOP.includes(top) && key === undefined;
}

const one = (subject: string, value: unknown): Known<readonly FieldValue[]> => known([{ subject, value }]);

function fromKnown(subject: string, k: Known<unknown>): Known<readonly FieldValue[]> {
  return k.known ? one(subject, k.value) : unknown(k.reason);
}

const IMAGE_FIELDS: Readonly<Record<string, (i: ImageInput) => unknown>> = {
  user: (i) => i.config.user ?? '',
  env: (i) => i.config.env,
  healthcheck: (i) => i.config.healthcheck,
  labels: (i) => i.config.labels,
  exposedPorts: (i) => i.config.exposedPorts ?? [],
  workingDir: (i) => i.config.workingDir ?? '',
  entrypoint: (i) => i.config.entrypoint ?? [],
  cmd: (i) => i.config.cmd ?? [],
  os: (i) => i.config.os,
  architecture: (i) => i.config.architecture,
  setuidFileCount: (i) => i.specialFiles.length,
  secretFileCount: (i) => i.secretFiles.length,
};

const HOST_FIELDS: Readonly<Record<string, (h: HostInput) => Known<unknown>>> = {
  contentTrust: (h) => known(h.contentTrust),
  engineVersion: (h) => h.engineVersion,
  dockerGroupMembers: (h) => h.dockerGroup,
  dataRoot: (h) => h.dataRoot,
};

const POD_FIELDS = ['hostNetwork', 'hostPID', 'hostIPC', 'serviceAccountName', 'automountServiceAccountToken', 'priorityClassName', 'runtimeClassName', 'dnsPolicy', 'shareProcessNamespace'];
const POD_CONTAINER_FIELDS = ['image', 'imagePullPolicy', 'securityContext.readOnlyRootFilesystem', 'securityContext.runAsUser', 'securityContext.runAsNonRoot', 'securityContext.privileged', 'securityContext.allowPrivilegeEscalation', 'resources.limits.memory', 'resources.limits.cpu', 'resources.requests.memory', 'resources.requests.cpu', 'livenessProbe', 'readinessProbe'];

function workloadRead(w: WorkloadInput, field: string): Known<readonly FieldValue[]> {
  if (field === 'kind') return one(w.subject, w.kind);
  if (field === 'namespace') return one(w.subject, w.namespace);
  if (field.startsWith('pod.')) return one(w.subject, w.pod[field.slice(4)]);
  const rest = field.slice('containers.'.length).split('.');
  const out: FieldValue[] = [];
  for (const key of ['containers', 'initContainers']) {
    const list = w.pod[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) return unknown(`${w.podPath}.${key} is not a list`);
    list.forEach((c, i) => out.push({ subject: `${w.subject} ${key}[${i}]${typeof c?.name === 'string' ? ` (${c.name})` : ''}`, value: dig(c, rest) }));
  }
  return known(out);
}

export const FIELD_READERS: { readonly [T in Target]: { readonly names: readonly string[]; readonly read: Reader<T> } } = {
  container: {
    names: [...HOST_CONFIG_KEYS.map((k) => `HostConfig.${k}`), ...CONFIG_KEYS.map((k) => `Config.${k}`), 'State.Status', 'State.Running', 'State.Health', ...CONTAINER_TOP],
    // A key the engine always sends but this reply lacks is unknown, not unset: a truncated
    // or foreign inspect reply must not pass.
    read: (c: ContainerInput, field) => {
      const v = dig(c.inspect, field.split('.'));
      return v === undefined ? unknown(`the container's inspect data has no ${field}`) : one(c.name, v);
    },
  },
  daemon: {
    names: SETTING_KEYS.map((k) => `settings.${k}`),
    read: (d: DaemonInput, field) => fromKnown('daemon', d.settings[field.slice('settings.'.length) as (typeof SETTING_KEYS)[number]]),
  },
  image: {
    names: Object.keys(IMAGE_FIELDS),
    read: (i: ImageInput, field) => one(i.reference, (IMAGE_FIELDS[field] as (i: ImageInput) => unknown)(i)),
  },
  host: {
    names: Object.keys(HOST_FIELDS),
    read: (h: HostInput, field) => fromKnown('host', (HOST_FIELDS[field] as (h: HostInput) => Known<unknown>)(h)),
  },
  'k8s-workload': {
    names: ['kind', 'namespace', ...POD_FIELDS.map((f) => `pod.${f}`), ...POD_CONTAINER_FIELDS.map((f) => `containers.${f}`)],
    read: workloadRead,
  },
};

/** True when `field` may be named in a rule for `target`. Container fields also allow any nested key below a known one. */
export function isKnownField(target: Target, field: string): boolean {
  if (target === 'container') return containerFieldKnown(field.split('.').slice(0, 2).join('.'));
  return FIELD_READERS[target].names.includes(field);
}
