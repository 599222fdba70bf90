import { readFileSync } from 'node:fs';
import { auditCapabilities, configuredCaps, parseProcStatus } from '../inputs/capabilities.js';
import type { ContainerInput } from '../inputs/container-input.js';
import { resolveContainerdSocket } from '../inputs/containerd-socket.js';
import type { DaemonFiles, DaemonInput } from '../inputs/daemon-input.js';
import { parseDaemonFlags } from '../inputs/daemon-flags.js';
import { type DaemonJson, resolveSettings } from '../inputs/daemon-settings.js';
import { ContainerInspectSchema, type EngineInfo, EngineInfoSchema } from '../inputs/engine-schemas.js';
import type { HostInput } from '../inputs/host-input.js';
import type { ImageInput } from '../inputs/image-input.js';
import type { WorkloadInput } from '../inputs/workload-input.js';
import { type Known, known, unknown } from '../outcome.js';

/** Inputs for check tests, built from the real engine replies in engine/ (see README.md). */
export const fixture = (name: string): string => readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');
export const engineJson = (name: string): unknown => JSON.parse(fixture(`engine/${name}`));

const NO: Known<never> = unknown('not available in this test');
const absent = (path: string) => ({ path, exists: false });

export function noFiles(): DaemonFiles {
  return {
    dockerService: undefined,
    dockerSocketUnit: undefined,
    etcDocker: absent('/etc/docker'),
    registryCerts: [],
    tlsCaCert: NO,
    tlsCert: NO,
    tlsKey: NO,
    sockets: NO,
    daemonJson: absent('/etc/docker/daemon.json'),
    etcDefaultDocker: absent('/etc/default/docker'),
    sysconfigDocker: absent('/etc/sysconfig/docker'),
    containerdSocket: known(absent('/run/containerd/containerd.sock')),
  };
}

/** A daemon nothing could be read from. */
export function unknownDaemon(): DaemonInput {
  return { endpoint: 'unix:///nowhere.sock', info: NO, version: NO, process: NO, configPath: '/etc/docker/daemon.json', settings: resolveSettings({ flags: NO, json: NO, info: NO }), containerd: NO, files: noFiles(), inventory: NO };
}

/** A daemon read from its argv, daemon.json and the weak /info fixture. */
export function daemonFrom(argv: string[], json?: DaemonJson, info: EngineInfo = EngineInfoSchema.parse(engineJson('info-weak.json')), files: Partial<DaemonFiles> = {}): DaemonInput {
  return {
    endpoint: 'unix:///tmp/test.sock',
    info: known(info),
    version: known({ Version: '20.10.24+dfsg1' }),
    process: known({ pid: 1, argv: ['dockerd', ...argv] }),
    configPath: '/etc/docker/daemon.json',
    settings: resolveSettings({ flags: known(parseDaemonFlags(argv)), json: known(json), info: known(info) }),
    // No socket exists in a fixture: the daemon's configured or default address.
    containerd: resolveContainerdSocket({ flags: known(parseDaemonFlags(argv)), json: known(json), exists: () => false, managedRunning: () => undefined }),
    files: { ...noFiles(), ...files },
    inventory: known({ images: [], containers: [] }),
  };
}

export function container(name: 'cap' | 'hard' | 'priv', daemon: DaemonInput = unknownDaemon(), patch: (i: Record<string, unknown>) => void = () => {}): ContainerInput {
  const raw = engineJson(`inspect-${name}.json`) as Record<string, unknown>;
  patch(raw);
  const inspect = ContainerInspectSchema.parse(raw);
  const running = inspect.State?.Running === true;
  const processes = running && name !== 'priv' ? known([parseProcStatus(inspect.State?.Pid ?? 0, fixture(`engine/proc-status-${name}.txt`))]) : unknown('container is created');
  const hc = inspect.HostConfig ?? {};
  const configured = configuredCaps(hc.Privileged === true, hc.CapAdd ?? [], hc.CapDrop ?? []);
  return { id: inspect.Id, name, inspect, running, processes, capabilities: auditCapabilities(configured, processes.known ? processes.value : []), daemon };
}

/** A container whose inspect reply carries nothing but its id, not running, on an unreadable daemon. */
export function bareContainer(): ContainerInput {
  const inspect = ContainerInspectSchema.parse({ Id: 'f'.repeat(64) });
  return { id: inspect.Id, name: 'bare', inspect, running: false, processes: unknown('not running'), capabilities: auditCapabilities(configuredCaps(false, [], []), []), daemon: unknownDaemon() };
}

export function unknownHost(): HostInput {
  return { root: '/nonexistent', dataRoot: NO, mounts: NO, auditRules: NO, paths: new Map(), containerdSocket: NO, dockerGroup: NO, engineVersion: NO, contentTrust: undefined, now: new Date('2025-06-01T00:00:00Z') };
}

export function image(patch: Partial<Omit<ImageInput, 'config'>> & { config?: Partial<ImageInput['config']> } = {}): ImageInput {
  const { config, ...rest } = patch;
  return {
    reference: 'docker:test/app:1',
    config: { os: 'linux', architecture: 'amd64', env: [], labels: {}, history: [], ...config },
    specialFiles: [],
    secretFiles: [],
    problems: [],
    ...rest,
  };
}

export function workload(pod: Record<string, unknown>, extra: Partial<WorkloadInput> = {}): WorkloadInput {
  return { kind: 'Pod', name: 'p', namespace: 'apps', subject: 'Pod/apps/p', source: 'test.yaml#1', podPath: 'spec', podMeta: {}, pod, ...extra };
}
