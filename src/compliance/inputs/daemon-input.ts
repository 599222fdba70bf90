import { z } from 'zod';
import { type Endpoint, parseDockerHost } from '../../image/daemon/engine.js';
import { type Known, known, unknown } from '../outcome.js';
import { type ContainerdSocket, managedContainerdRunning, resolveContainerdSocket } from './containerd-socket.js';
import { lastFlag, parseDaemonFlags, type ParsedFlags } from './daemon-flags.js';
import { type DaemonProcess, findDaemonProcess } from './daemon-process.js';
import { type DaemonJson, DaemonJsonSchema, type DaemonSettings, resolveSettings } from './daemon-settings.js';
import { engineRead } from './engine-client.js';
import { ContainerSummarySchema, type EngineInfo, EngineInfoSchema, type EngineVersion, EngineVersionSchema, ImageSummarySchema } from './engine-schemas.js';
import { type FileFact, type HostFs, hostFs } from './host-fs.js';

/** Everything the daemon checks (CIS Docker sections 2, 3, 5.1 and 6) read. */
export interface DaemonInput {
  readonly endpoint: string;
  readonly info: Known<EngineInfo>;
  readonly version: Known<EngineVersion>;
  readonly process: Known<DaemonProcess>;
  /** Where daemon.json is (the `--config-file` flag, else /etc/docker/daemon.json). */
  readonly configPath: string;
  readonly settings: DaemonSettings;
  /** The containerd socket this daemon dials, and how that was decided. */
  readonly containerd: Known<ContainerdSocket>;
  readonly files: DaemonFiles;
  readonly inventory: Known<DaemonInventory>;
}

export interface DaemonFiles {
  readonly dockerService: FileFact | undefined;
  readonly dockerSocketUnit: FileFact | undefined;
  readonly etcDocker: FileFact;
  /** Files below /etc/docker/certs.d (registry certificates). */
  readonly registryCerts: readonly FileFact[];
  readonly tlsCaCert: Known<FileFact | undefined>;
  readonly tlsCert: Known<FileFact | undefined>;
  readonly tlsKey: Known<FileFact | undefined>;
  /** The unix sockets the daemon listens on. */
  readonly sockets: Known<readonly FileFact[]>;
  readonly daemonJson: FileFact;
  readonly etcDefaultDocker: FileFact;
  readonly sysconfigDocker: FileFact;
  /** The socket of the containerd this daemon uses (see containerd-socket.ts). */
  readonly containerdSocket: Known<FileFact>;
}

export interface DaemonInventory {
  readonly images: readonly { readonly id: string; readonly tags: readonly string[]; readonly inUse: boolean; readonly dangling: boolean }[];
  readonly containers: readonly { readonly id: string; readonly name: string; readonly state: string }[];
}

export interface DaemonGatherOptions {
  readonly dockerHost?: string | undefined;
  /** Host root prefix for files (default `/`). */
  readonly root?: string;
  /** Where /proc is (default `/proc`). */
  readonly procRoot?: string;
  readonly daemonPid?: number | undefined;
  readonly signal?: AbortSignal;
}

const UNIT_DIRS = ['/etc/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system'];
const DEFAULT_CONFIG = '/etc/docker/daemon.json';

function unitFile(fs: HostFs, name: string): FileFact | undefined {
  for (const dir of UNIT_DIRS) {
    const f = fs.stat(`${dir}/${name}`);
    if (f.exists) return f;
  }
  return undefined;
}

function readDaemonJson(fs: HostFs, path: string): Known<DaemonJson | undefined> {
  const text = fs.readText(path, 1024 * 1024);
  if (!text.known) return text.absent ? known(undefined) : unknown(text.reason);
  let json: unknown;
  try {
    json = JSON.parse(text.value);
  } catch (err) {
    return unknown(`${path} is not JSON: ${(err as Error).message}`);
  }
  const parsed = DaemonJsonSchema.safeParse(json);
  if (parsed.success) return known(parsed.data);
  const issue = parsed.error.issues[0];
  return unknown(`${path} is invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
}

function pathFact(fs: HostFs, path: Known<string | undefined>): Known<FileFact | undefined> {
  if (!path.known) return unknown(path.reason);
  return known(path.value ? fs.stat(path.value) : undefined);
}

async function inventory(ep: Endpoint, signal?: AbortSignal): Promise<Known<DaemonInventory>> {
  const [images, containers] = await Promise.all([
    engineRead(ep, '/images/json?all=0', ImageSummarySchema, signal),
    engineRead(ep, '/containers/json?all=1', ContainerSummarySchema, signal),
  ]);
  if (!images.known) return unknown(images.reason);
  if (!containers.known) return unknown(containers.reason);
  const used = new Set(containers.value.map((c) => c.ImageID).filter(Boolean));
  return known({
    images: images.value.map((i) => {
      const tags = (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
      return { id: i.Id, tags, inUse: used.has(i.Id) || (i.Containers ?? 0) > 0, dangling: tags.length === 0 };
    }),
    containers: containers.value.map((c) => ({ id: c.Id, name: (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, ''), state: c.State ?? 'unknown' })),
  });
}

export async function gatherDaemon(opts: DaemonGatherOptions): Promise<DaemonInput> {
  const ep = parseDockerHost(opts.dockerHost);
  const fs = hostFs(opts.root ?? '/');
  const [info, version, inv] = await Promise.all([
    engineRead(ep, '/info', EngineInfoSchema, opts.signal),
    engineRead(ep, '/version', EngineVersionSchema, opts.signal),
    inventory(ep, opts.signal),
  ]);
  const procRoot = opts.procRoot ?? '/proc';
  const proc = findDaemonProcess(procRoot, ep, opts.daemonPid);
  const flags: Known<ParsedFlags> = proc.known ? known(parseDaemonFlags(proc.value.argv.slice(1))) : unknown(proc.reason);
  const configPath = (flags.known ? lastFlag(flags.value, 'config-file') : undefined) ?? DEFAULT_CONFIG;
  const json = readDaemonJson(fs, configPath);
  const settings = resolveSettings({ flags, json, info });
  const containerd = resolveContainerdSocket({
    flags,
    json,
    exists: (p) => fs.stat(p).exists,
    managedRunning: (execRoot) => (proc.known ? managedContainerdRunning(fs.root, procRoot, execRoot, proc.value.pid) : undefined),
  });
  const sockets: Known<FileFact[]> = settings.hosts.known
    ? known(settings.hosts.value.filter((h) => h.startsWith('unix://') || h.startsWith('fd://')).map((h) => fs.stat(h.startsWith('fd://') ? '/var/run/docker.sock' : h.slice('unix://'.length))))
    : unknown(settings.hosts.reason);
  const certsDir = '/etc/docker/certs.d';
  const registryCerts = fs.list(certsDir).flatMap((reg) => fs.list(`${certsDir}/${reg}`).map((f) => fs.stat(`${certsDir}/${reg}/${f}`)));
  return {
    endpoint: ep.display,
    info,
    version,
    process: proc,
    configPath,
    settings,
    containerd,
    inventory: inv,
    files: {
      dockerService: unitFile(fs, 'docker.service'),
      dockerSocketUnit: unitFile(fs, 'docker.socket'),
      etcDocker: fs.stat('/etc/docker'),
      registryCerts,
      tlsCaCert: pathFact(fs, settings.tlsCaCert),
      tlsCert: pathFact(fs, settings.tlsCert),
      tlsKey: pathFact(fs, settings.tlsKey),
      sockets,
      daemonJson: fs.stat(configPath),
      etcDefaultDocker: fs.stat('/etc/default/docker'),
      sysconfigDocker: fs.stat('/etc/sysconfig/docker'),
      containerdSocket: containerd.known ? known({ ...fs.stat(containerd.value.path), origin: containerd.value.why }) : unknown(containerd.reason),
    },
  };
}

export const DaemonPidSchema = z.coerce.number().int().positive();
