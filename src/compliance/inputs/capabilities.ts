/**
 * Linux capabilities by bit number (include/uapi/linux/capability.h) and Docker's default
 * set (moby oci/caps/defaults.go), for the per-container capability audit.
 */
export const CAPABILITIES = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP', 'LINUX_IMMUTABLE',
  'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT',
  'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE', 'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE',
  'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP', 'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ',
  'PERFMON', 'BPF', 'CHECKPOINT_RESTORE',
] as const;

export const DOCKER_DEFAULT_CAPS: readonly string[] = [
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'NET_RAW', 'SETFCAP', 'SETGID',
  'SETPCAP', 'SETUID', 'SYS_CHROOT',
];

/** Capabilities that amount to host root or kernel access when granted to a container. */
export const DANGEROUS_CAPS: ReadonlySet<string> = new Set([
  'AUDIT_CONTROL', 'BPF', 'CHECKPOINT_RESTORE', 'DAC_READ_SEARCH', 'IPC_OWNER', 'LINUX_IMMUTABLE', 'MAC_ADMIN', 'MAC_OVERRIDE',
  'NET_ADMIN', 'PERFMON', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_MODULE', 'SYS_PTRACE', 'SYS_RAWIO', 'SYS_RESOURCE', 'SYS_TIME', 'SYSLOG',
]);

/** `cap_sys_admin`, `CAP_SYS_ADMIN` and `SYS_ADMIN` all name one capability. */
export function normalizeCap(name: string): string {
  return name.trim().toUpperCase().replace(/^CAP_/, '');
}

/** A /proc status hex mask (`CapEff: 00000000a80425fb`) as names; bits past the table as `CAP_<n>`. */
export function decodeCapMask(hex: string): string[] | undefined {
  if (!/^[0-9a-fA-F]{1,16}$/.test(hex)) return undefined;
  const mask = BigInt(`0x${hex}`);
  const out: string[] = [];
  for (let bit = 0; bit < 64; bit++) {
    if ((mask >> BigInt(bit)) & 1n) out.push(CAPABILITIES[bit] ?? `CAP_${bit}`);
  }
  return out.sort();
}

/**
 * The capabilities a container's configuration grants (moby oci/caps TweakCapabilities):
 * privileged gets all; otherwise the default set, `ALL` in CapDrop empties it, drops apply,
 * then adds (`ALL` adds everything not dropped).
 */
export function configuredCaps(privileged: boolean, capAdd: readonly string[], capDrop: readonly string[]): string[] {
  const all: readonly string[] = CAPABILITIES;
  if (privileged) return [...all].sort();
  const adds = capAdd.map(normalizeCap);
  const drops = capDrop.map(normalizeCap);
  let caps = new Set(drops.includes('ALL') ? [] : DOCKER_DEFAULT_CAPS);
  for (const d of drops) caps.delete(d);
  if (adds.includes('ALL')) caps = new Set(all.filter((c) => !drops.includes(c)));
  for (const a of adds) if (a !== 'ALL') caps.add(a);
  return [...caps].sort();
}

/** One process of a container as /proc/<pid>/status shows it (proc(5)). */
export interface ProcessStatus {
  readonly pid: number;
  readonly name: string;
  /** Effective uid. */
  readonly uid: number | undefined;
  readonly effective: readonly string[] | undefined;
  readonly bounding: readonly string[] | undefined;
  readonly noNewPrivs: boolean | undefined;
  /** 0 disabled, 1 strict, 2 filter. */
  readonly seccomp: number | undefined;
}

export function parseProcStatus(pid: number, text: string): ProcessStatus {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  const num = (k: string): number | undefined => {
    const v = fields.get(k);
    const n = v === undefined ? Number.NaN : Number(v.split(/\s+/)[0]);
    return Number.isInteger(n) ? n : undefined;
  };
  const uid = fields.get('Uid')?.split(/\s+/)[1];
  const nnp = num('NoNewPrivs');
  return {
    pid,
    name: fields.get('Name') ?? '',
    uid: uid !== undefined && /^\d+$/.test(uid) ? Number(uid) : undefined,
    effective: decodeCapMask(fields.get('CapEff') ?? ''),
    bounding: decodeCapMask(fields.get('CapBnd') ?? ''),
    noNewPrivs: nnp === undefined ? undefined : nnp === 1,
    seccomp: num('Seccomp'),
  };
}

export interface CapabilityAudit {
  /** What the configuration grants. */
  readonly configured: readonly string[];
  /** Granted beyond Docker's default set. */
  readonly added: readonly string[];
  /** Default capabilities the configuration removes. */
  readonly dropped: readonly string[];
  readonly dangerous: readonly string[];
  /** Capabilities some process of the container holds in its bounding set beyond the default set. */
  readonly runtimeBeyondDefault: readonly string[];
  /** Configured capabilities that no running process holds effectively (candidates for --cap-drop). */
  readonly heldByNoProcess: readonly string[] | undefined;
}

export function auditCapabilities(configured: readonly string[], processes: readonly ProcessStatus[]): CapabilityAudit {
  const def = new Set(DOCKER_DEFAULT_CAPS);
  const conf = new Set(configured);
  const runtime = new Set<string>();
  const held = new Set<string>();
  for (const p of processes) {
    for (const c of p.bounding ?? []) if (!def.has(c)) runtime.add(c);
    for (const c of p.effective ?? []) held.add(c);
  }
  const readable = processes.some((p) => p.effective !== undefined);
  return {
    configured: [...configured],
    added: configured.filter((c) => !def.has(c)),
    dropped: DOCKER_DEFAULT_CAPS.filter((c) => !conf.has(c)),
    dangerous: configured.filter((c) => DANGEROUS_CAPS.has(c)),
    runtimeBeyondDefault: [...runtime].sort(),
    heldByNoProcess: readable ? configured.filter((c) => !held.has(c)) : undefined,
  };
}
