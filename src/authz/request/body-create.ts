import { z } from 'zod';
import { HOST_NAMESPACES, type ContainerCreateFacts, type ExecCreateFacts, type HostNamespace, type VolumeCreateFacts } from '../types.js';
import { goField, goFields, isObject, type JsonObject } from './go-json.js';
import { bindSource, normalizeHostPath } from './host-path.js';

/**
 * Container create and exec create bodies → facts. Field names and types follow moby's
 * api/types/container Config, HostConfig and Mount, and types.ExecConfig; a value of the
 * wrong type is refused, because dockerd refuses it too (Go's decoder errors) and a lenient
 * reading here could differ from dockerd's. JSON null is Go's "leave the zero value".
 */
const str = z.string().nullish();
const bool = z.boolean().nullish();
const strings = z.array(z.string().nullable()).nullish();
// strslice.StrSlice (CapAdd, Cmd): one string or a list.
const strSlice = z.union([z.string(), z.array(z.string().nullable())]).nullish();

const CONFIG_FIELDS = ['Image', 'User'] as const;
const ConfigSchema = z.object({ Image: str, User: str });

const HOST_FIELDS = ['Privileged', 'CapAdd', 'NetworkMode', 'PidMode', 'IpcMode', 'UTSMode', 'UsernsMode', 'CgroupnsMode', 'Binds', 'Mounts', 'Devices', 'SecurityOpt', 'VolumesFrom'] as const;
const HostSchema = z.object({
  Privileged: bool,
  CapAdd: strSlice,
  NetworkMode: str,
  PidMode: str,
  IpcMode: str,
  UTSMode: str,
  UsernsMode: str,
  CgroupnsMode: str,
  Binds: strings,
  Mounts: z.array(z.unknown()).nullish(),
  Devices: z.array(z.unknown()).nullish(),
  SecurityOpt: strings,
  VolumesFrom: strings,
});
type Host = z.infer<typeof HostSchema>;

const MountSchema = z.object({ Type: str, Source: str, VolumeOptions: z.unknown().optional() });
const DriverSchema = z.object({ Name: str, Options: z.record(z.string(), z.string()).nullish() });
const DeviceSchema = z.object({ PathOnHost: str });

const NAMESPACE_FIELDS: Readonly<Record<HostNamespace, keyof Host>> = {
  pid: 'PidMode',
  ipc: 'IpcMode',
  network: 'NetworkMode',
  uts: 'UTSMode',
  userns: 'UsernsMode',
  cgroup: 'CgroupnsMode',
};

const list = (v: string | readonly (string | null)[] | null | undefined): string[] => (v == null ? [] : typeof v === 'string' ? [v] : v.filter((s): s is string => s !== null));
const unique = (xs: readonly string[]) => [...new Set(xs)];

/** `cap_sys_admin`, `CAP_SYS_ADMIN`, `sys_admin` → `SYS_ADMIN` (dockerd NormalizeLegacyCapabilities). */
export function normalizeCapability(cap: string): string {
  const up = cap.toUpperCase();
  return up.startsWith('CAP_') ? up.slice(4) : up;
}

function parseObject<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new TypeError(`${what}: ${r.error.issues.map((i) => `${i.path.join('.') || '(value)'} ${i.message}`).join('; ')}`);
  return r.data;
}

/** Host paths a Mounts entry gives the container: a bind, or a local-driver volume that binds a host device. */
function mountSources(entry: unknown, index: number): string[] {
  if (entry === null) return [];
  if (!isObject(entry)) throw new TypeError(`HostConfig.Mounts[${index}] is not an object`);
  const m = parseObject(MountSchema, goFields(entry, ['Type', 'Source', 'VolumeOptions']), `HostConfig.Mounts[${index}]`);
  const type = (m.Type ?? '').toLowerCase();
  if (type === 'bind') return m.Source ? [normalizeHostPath(m.Source)] : [];
  if (type !== 'volume' || !isObject(m.VolumeOptions)) return [];
  const driverConfig = goField(m.VolumeOptions, 'DriverConfig');
  if (!isObject(driverConfig)) return [];
  // `--mount type=volume,volume-opt=type=none,volume-opt=o=bind,volume-opt=device=/etc`:
  // the local driver bind-mounts the host path, a bind in all but name.
  const d = parseObject(DriverSchema, goFields(driverConfig, ['Name', 'Options']), `HostConfig.Mounts[${index}].VolumeOptions.DriverConfig`);
  const opts = d.Options ?? {};
  const local = !d.Name || d.Name === 'local';
  const binds = (opts.o ?? '').split(',').includes('bind');
  return local && binds && opts.device?.startsWith('/') ? [normalizeHostPath(opts.device)] : [];
}

function devicePaths(devices: readonly unknown[]): string[] {
  return devices.flatMap((d, i) => {
    if (d === null) return [];
    if (!isObject(d)) throw new TypeError(`HostConfig.Devices[${i}] is not an object`);
    const path = parseObject(DeviceSchema, goFields(d, ['PathOnHost']), `HostConfig.Devices[${i}]`).PathOnHost;
    return path ? [normalizeHostPath(path)] : [];
  });
}

function hostFacts(h: Host) {
  return {
    privileged: h.Privileged === true,
    capAdd: list(h.CapAdd).map(normalizeCapability),
    hostNamespaces: HOST_NAMESPACES.filter((ns) => (h[NAMESPACE_FIELDS[ns]] as string | null | undefined)?.toLowerCase() === 'host'),
    bindMounts: [...list(h.Binds).flatMap((b) => bindSource(b) ?? []), ...(h.Mounts ?? []).flatMap(mountSources)],
    devices: devicePaths(h.Devices ?? []),
    securityOpt: list(h.SecurityOpt),
    joins: [
      ...HOST_NAMESPACES.flatMap((ns) => {
        const mode = (h[NAMESPACE_FIELDS[ns]] as string | null | undefined) ?? '';
        return /^container:/i.test(mode) ? [`${ns}=${mode}`] : [];
      }),
      ...list(h.VolumesFrom).map((v) => `volumes-from=${v}`),
    ],
  };
}

/**
 * Facts of a `POST /containers/create` body. dockerd decodes it into ContainerConfigWrapper
 * (moby runconfig), which embeds Config AND the deprecated top-level HostConfig: a body
 * `{"Image":"x","Privileged":true}` with no "HostConfig" key creates a privileged container
 * (testdata/raw-toplevel-hostconfig-create.json). dockerd uses the top-level fields when
 * "HostConfig" is absent or null, and the inner ones otherwise; we read both and take the
 * union, which is never less privileged than what dockerd does.
 * Throws TypeError or AmbiguousFieldError on a body dockerd would refuse or read differently.
 */
export function containerCreateFacts(body: JsonObject): ContainerCreateFacts {
  const config = parseObject(ConfigSchema, goFields(body, CONFIG_FIELDS), 'Config');
  if (!config.Image) throw new TypeError('Config.Image is missing or empty');
  const inner = goField(body, 'HostConfig');
  if (inner !== undefined && !isObject(inner)) throw new TypeError('HostConfig is not an object');
  const top = hostFacts(parseObject(HostSchema, goFields(body, HOST_FIELDS), 'top-level HostConfig fields'));
  const nested = inner ? hostFacts(parseObject(HostSchema, goFields(inner, HOST_FIELDS), 'HostConfig')) : undefined;
  const both = nested ? [top, nested] : [top];
  return {
    image: config.Image,
    privileged: both.some((f) => f.privileged),
    capAdd: unique(both.flatMap((f) => f.capAdd)),
    hostNamespaces: HOST_NAMESPACES.filter((ns) => both.some((f) => f.hostNamespaces.includes(ns))),
    bindMounts: unique(both.flatMap((f) => f.bindMounts)),
    devices: unique(both.flatMap((f) => f.devices)),
    securityOpt: unique(both.flatMap((f) => f.securityOpt)),
    joins: unique(both.flatMap((f) => f.joins)),
    ...(config.User ? { user: config.User } : {}),
  };
}

const ExecSchema = z.object({ Privileged: bool, User: str, Cmd: strings });

const VolumeSchema = z.object({ Driver: str, DriverOpts: z.record(z.string(), z.string()).nullish() });

/**
 * Facts of a `POST /volumes/create` body. `docker volume create -o type=none -o o=bind -o
 * device=/etc` makes a volume that bind-mounts /etc wherever it is used: a bind under
 * another name, judged like one.
 */
export function volumeCreateFacts(body: JsonObject): VolumeCreateFacts {
  const v = parseObject(VolumeSchema, goFields(body, ['Driver', 'DriverOpts']), 'VolumeCreateBody');
  const driver = v.Driver || 'local';
  const opts = v.DriverOpts ?? {};
  const binds = (opts.o ?? '').split(',').includes('bind');
  return { driver, ...(driver === 'local' && binds && opts.device?.startsWith('/') ? { bindSource: normalizeHostPath(opts.device) } : {}) };
}

/** Facts of a `POST /containers/{id}/exec` body (types.ExecConfig: Cmd is a plain []string). */
export function execCreateFacts(body: JsonObject): ExecCreateFacts {
  const e = parseObject(ExecSchema, goFields(body, ['Privileged', 'User', 'Cmd']), 'ExecConfig');
  return { privileged: e.Privileged === true, cmd: list(e.Cmd), ...(e.User ? { user: e.User } : {}) };
}
