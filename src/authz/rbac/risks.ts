import type { ContainerCreateFacts, ExecCreateFacts, VolumeCreateFacts } from '../types.js';
import type { CompiledRole } from './compile.js';

/**
 * What a request body asks for that can hand the container the host, and whether a role
 * allows it. Each risk is one sentence the docker client shows when it is denied.
 */

const UNCONFINED = /^(seccomp[=:]unconfined|apparmor[=:]unconfined|label[=:]disable|systempaths[=:]unconfined)$/i;

/** `path` is `s`, under `s`, or above `s` (binding `/var` exposes `/var/lib/docker`). */
export function touches(path: string, s: string): boolean {
  if (path === s) return true;
  const p = path === '/' ? '/' : `${path}/`;
  const t = s === '/' ? '/' : `${s}/`;
  return path.startsWith(t) || s.startsWith(p);
}

function createRisks(role: CompiledRole, c: ContainerCreateFacts, sensitive: readonly string[]): string[] {
  const out: string[] = [];
  const a = role.allow;
  if (c.privileged && !a.privileged) out.push('privileged containers are not allowed');
  const ns = c.hostNamespaces.filter((n) => !a.hostNamespaces.includes(n) && !a.hostNamespaces.includes('*'));
  if (ns.length > 0) out.push(`host namespaces are not allowed: ${ns.join(', ')}`);
  if (!role.capabilities.has('ALL')) {
    const caps = c.capAdd.filter((x) => !role.capabilities.has(x));
    if (caps.length > 0) out.push(`added capabilities are not allowed: ${caps.join(', ')}`);
  }
  for (const b of c.bindMounts) out.push(...bindRisks(role, b, sensitive));
  if (c.joins.length > 0 && !a.joinContainers) out.push(`sharing other containers' namespaces or volumes is not allowed: ${c.joins.join(', ')}`);
  const devs = c.devices.filter((d) => !role.devices.some((g) => g.test(d)));
  if (devs.length > 0) out.push(`host devices are not allowed: ${devs.join(', ')}`);
  const unconfined = c.securityOpt.filter((o) => UNCONFINED.test(o));
  if (unconfined.length > 0 && !a.unconfined) out.push(`security options are not allowed: ${unconfined.join(', ')}`);
  return out;
}

function bindRisks(role: CompiledRole, b: string, sensitive: readonly string[]): string[] {
  const hit = sensitive.find((s) => touches(b, s));
  if (hit !== undefined && !role.allow.sensitiveMounts) return [`bind mount of ${b} is not allowed (sensitive: ${hit === b ? b : `touches ${hit}`})`];
  return role.bindMounts.some((g) => g.test(b)) ? [] : [`bind mount of ${b} is not allowed`];
}

function execRisks(role: CompiledRole, e: ExecCreateFacts): string[] {
  return e.privileged && !role.allow.privileged ? ['privileged exec is not allowed'] : [];
}

/** The risks `role` does not allow for this request body; empty when it allows all of them (or there is no body to judge). */
export function disallowedRisks(role: CompiledRole, body: { create?: ContainerCreateFacts; exec?: ExecCreateFacts; volume?: VolumeCreateFacts }, sensitive: readonly string[]): string[] {
  return [
    ...(body.create ? createRisks(role, body.create, sensitive) : []),
    ...(body.exec ? execRisks(role, body.exec) : []),
    ...(body.volume?.bindSource ? bindRisks(role, body.volume.bindSource, sensitive).map((r) => `volume: ${r}`) : []),
  ];
}
