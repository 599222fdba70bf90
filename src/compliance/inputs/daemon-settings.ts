import { z } from 'zod';
import { type Known, known, unknown } from '../outcome.js';
import { boolFlag, lastFlag, listFlag, type ParsedFlags } from './daemon-flags.js';
import type { EngineInfo } from './engine-schemas.js';

/**
 * The daemon's effective configuration, from three sources in this order: what the running
 * engine reports (`/info`), daemon.json, then its command line, then dockerd's defaults.
 * dockerd refuses a key set both in daemon.json and as a flag, so the order between those two
 * never hides anything. A value is unknown only when every source that could set it is.
 * daemon.json keys: https://docs.docker.com/reference/cli/dockerd/#daemon-configuration-file
 */
export const DaemonJsonSchema = z
  .object({
    icc: z.boolean().optional(),
    iptables: z.boolean().optional(),
    'log-level': z.string().optional(),
    debug: z.boolean().optional(),
    'insecure-registries': z.array(z.string()).optional(),
    'storage-driver': z.string().optional(),
    'storage-opts': z.array(z.string()).optional(),
    tls: z.boolean().optional(),
    tlsverify: z.boolean().optional(),
    tlscacert: z.string().optional(),
    tlscert: z.string().optional(),
    tlskey: z.string().optional(),
    hosts: z.array(z.string()).optional(),
    'default-ulimits': z.record(z.string(), z.unknown()).optional(),
    'userns-remap': z.string().optional(),
    'cgroup-parent': z.string().optional(),
    'authorization-plugins': z.array(z.string()).optional(),
    'log-driver': z.string().optional(),
    'log-opts': z.record(z.string(), z.string()).optional(),
    'no-new-privileges': z.boolean().optional(),
    'live-restore': z.boolean().optional(),
    'userland-proxy': z.boolean().optional(),
    'seccomp-profile': z.string().optional(),
    experimental: z.boolean().optional(),
    'data-root': z.string().optional(),
    'exec-root': z.string().optional(),
    /** The containerd socket dockerd dials (`--containerd`). */
    containerd: z.string().optional(),
    group: z.string().optional(),
    pidfile: z.string().optional(),
  })
  .passthrough();
export type DaemonJson = z.infer<typeof DaemonJsonSchema>;

export interface SettingValues {
  readonly icc: boolean;
  readonly iptables: boolean;
  readonly logLevel: string;
  readonly insecureRegistries: readonly string[];
  readonly storageDriver: string | undefined;
  readonly storageOpts: readonly string[];
  readonly tls: boolean;
  readonly tlsVerify: boolean;
  readonly tlsCaCert: string | undefined;
  readonly tlsCert: string | undefined;
  readonly tlsKey: string | undefined;
  readonly hosts: readonly string[];
  readonly defaultUlimits: readonly string[];
  readonly usernsRemap: string | undefined;
  readonly cgroupParent: string | undefined;
  readonly authorizationPlugins: readonly string[];
  readonly logDriver: string;
  readonly logOpts: Readonly<Record<string, string>>;
  readonly noNewPrivileges: boolean;
  readonly liveRestore: boolean;
  readonly userlandProxy: boolean;
  readonly seccompProfile: string | undefined;
  readonly experimental: boolean;
  readonly dataRoot: string;
  readonly group: string;
}

export type DaemonSettings = { readonly [K in keyof SettingValues]: Known<SettingValues[K]> };
export const SETTING_KEYS = [
  'authorizationPlugins', 'cgroupParent', 'dataRoot', 'defaultUlimits', 'experimental', 'group', 'hosts', 'icc', 'insecureRegistries',
  'iptables', 'liveRestore', 'logDriver', 'logLevel', 'logOpts', 'noNewPrivileges', 'seccompProfile', 'storageDriver', 'storageOpts',
  'tls', 'tlsCaCert', 'tlsCert', 'tlsKey', 'tlsVerify', 'usernsRemap', 'userlandProxy',
] as const satisfies readonly (keyof SettingValues)[];

export interface SettingSources {
  /** The running daemon's flags, or why they could not be read. */
  readonly flags: Known<ParsedFlags>;
  /** daemon.json (undefined value: no such file), or why it could not be read. */
  readonly json: Known<DaemonJson | undefined>;
  readonly info: Known<EngineInfo>;
}

const DEFAULT_HOST = 'unix:///var/run/docker.sock';

function keyValues(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq > 0) out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** The info's insecure registries, less the loopback range dockerd always adds. */
function infoInsecure(info: EngineInfo): string[] {
  const cidrs = (info.RegistryConfig?.InsecureRegistryCIDRs ?? []).filter((c) => c !== '127.0.0.0/8');
  const names = Object.values(info.RegistryConfig?.IndexConfigs ?? {})
    .filter((c) => c.Secure === false && c.Name)
    .map((c) => c.Name as string);
  return [...cidrs, ...names].sort();
}

function securityOption(info: EngineInfo, name: string): string | undefined {
  return (info.SecurityOptions ?? []).find((o) => o === `name=${name}` || o.startsWith(`name=${name},`));
}

export function resolveSettings(src: SettingSources): DaemonSettings {
  const json = src.json.known ? src.json.value : undefined;
  const flags = src.flags.known ? src.flags.value : undefined;
  const info = src.info.known ? src.info.value : undefined;
  const why = [src.flags, src.json].map((k) => (k.known ? '' : k.reason)).filter(Boolean).join('; ');

  /** daemon.json, else the flag, else the default (only when the command line was read). */
  function pick<T>(fromJson: T | undefined, fromFlag: T | undefined, def: T): Known<T> {
    if (fromJson !== undefined) return known(fromJson);
    if (!flags || !src.json.known) return unknown(`daemon configuration not readable: ${why}`);
    return known(fromFlag !== undefined ? fromFlag : def);
  }
  const fl = <T>(read: (f: ParsedFlags) => T): T | undefined => (flags ? read(flags) : undefined);
  const nonEmpty = (l: string[] | undefined): string[] | undefined => (l && l.length > 0 ? l : undefined);

  const liveRestore = info?.LiveRestoreEnabled;
  const experimental = info?.ExperimentalBuild;
  const userns = info ? securityOption(info, 'userns') : undefined;
  const seccomp = info ? securityOption(info, 'seccomp') : undefined;
  const authz = info?.Plugins?.Authorization;
  const ulimitsJson = json?.['default-ulimits'] ? Object.keys(json['default-ulimits']).sort() : undefined;
  const ulimitsFlag = fl((f) => nonEmpty(listFlag(f, 'default-ulimit').map((u) => u.split('=')[0] as string)));

  return {
    icc: pick(json?.icc, fl((f) => boolFlag(f, 'icc')), true),
    iptables: pick(json?.iptables, fl((f) => boolFlag(f, 'iptables')), true),
    logLevel: info?.Debug === true ? known('debug') : pick(json?.['log-level'] ?? (json?.debug ? 'debug' : undefined), fl((f) => lastFlag(f, 'log-level') ?? (boolFlag(f, 'debug') ? 'debug' : undefined)), 'info'),
    insecureRegistries: info ? known(infoInsecure(info)) : pick(json?.['insecure-registries'], fl((f) => nonEmpty(listFlag(f, 'insecure-registry'))), []),
    storageDriver: info?.Driver ? known(info.Driver) : pick<string | undefined>(json?.['storage-driver'], fl((f) => lastFlag(f, 'storage-driver')), undefined),
    storageOpts: pick(json?.['storage-opts'], fl((f) => nonEmpty(listFlag(f, 'storage-opt'))), []),
    tls: pick(json?.tls, fl((f) => boolFlag(f, 'tls')), false),
    tlsVerify: pick(json?.tlsverify, fl((f) => boolFlag(f, 'tlsverify')), false),
    tlsCaCert: pick<string | undefined>(json?.tlscacert, fl((f) => lastFlag(f, 'tlscacert')), undefined),
    tlsCert: pick<string | undefined>(json?.tlscert, fl((f) => lastFlag(f, 'tlscert')), undefined),
    tlsKey: pick<string | undefined>(json?.tlskey, fl((f) => lastFlag(f, 'tlskey')), undefined),
    hosts: pick(json?.hosts, fl((f) => nonEmpty(listFlag(f, 'host'))), [DEFAULT_HOST]),
    defaultUlimits: pick(ulimitsJson, ulimitsFlag, []),
    usernsRemap: userns ? known(userns) : pick<string | undefined>(json?.['userns-remap'], fl((f) => lastFlag(f, 'userns-remap')), undefined),
    cgroupParent: pick<string | undefined>(json?.['cgroup-parent'], fl((f) => lastFlag(f, 'cgroup-parent')), undefined),
    authorizationPlugins: authz && authz.length > 0 ? known([...authz]) : pick(json?.['authorization-plugins'], fl((f) => nonEmpty(listFlag(f, 'authorization-plugin'))), []),
    logDriver: info?.LoggingDriver ? known(info.LoggingDriver) : pick(json?.['log-driver'], fl((f) => lastFlag(f, 'log-driver')), 'json-file'),
    logOpts: pick(json?.['log-opts'], fl((f) => (listFlag(f, 'log-opt').length ? keyValues(listFlag(f, 'log-opt')) : undefined)), {}),
    noNewPrivileges: pick(json?.['no-new-privileges'], fl((f) => boolFlag(f, 'no-new-privileges')), false),
    liveRestore: liveRestore !== undefined ? known(liveRestore) : pick(json?.['live-restore'], fl((f) => boolFlag(f, 'live-restore')), false),
    userlandProxy: pick(json?.['userland-proxy'], fl((f) => boolFlag(f, 'userland-proxy')), true),
    seccompProfile: seccomp ? known(seccomp) : pick<string | undefined>(json?.['seccomp-profile'], fl((f) => lastFlag(f, 'seccomp-profile')), undefined),
    experimental: experimental !== undefined ? known(experimental) : pick(json?.experimental, fl((f) => boolFlag(f, 'experimental')), false),
    dataRoot: pick(json?.['data-root'], fl((f) => lastFlag(f, 'data-root')), '/var/lib/docker'),
    group: pick(json?.group, fl((f) => lastFlag(f, 'group')), 'docker'),
  };
}
