import type { Identity, RequestFacts } from '../types.js';
import { type CompiledRbac, type CompiledRole, grants, rolesOf } from './compile.js';
import { disallowedRisks } from './risks.js';

/**
 * The RBAC decision: pure, synchronous, from an identity with its groups and the facts of
 * one request. Allowed when one role bound to the user grants the action and allows every
 * risk the body carries; otherwise denied with the reason the docker client shows.
 */

export interface RbacDecision {
  readonly allow: boolean;
  /** The deciding role and action (`role developer: container.create`), or why none applies. */
  readonly rule: string;
  readonly reason: string;
  /** The role that allowed, for the image gate and the audit. */
  readonly role?: string;
}

function who(id: Identity): string {
  return `user ${JSON.stringify(id.user)}${id.groups.length > 0 ? ` (groups ${id.groups.join(', ')})` : ''}`;
}

export function decideRbac(rbac: CompiledRbac, id: Identity, facts: RequestFacts): RbacDecision {
  const roles = rolesOf(rbac, id.user, id.groups);
  if (roles.length === 0) return { allow: false, rule: 'no-role', reason: `${who(id)} has no role` };
  const granting: CompiledRole[] = roles.filter((r) => grants(r, facts.action));
  if (granting.length === 0) {
    return { allow: false, rule: 'no-grant', reason: `${who(id)} with roles ${roles.map((r) => r.name).join(', ')} may not ${facts.action}` };
  }
  let firstDenial: { role: CompiledRole; risks: string[] } | undefined;
  for (const role of granting) {
    const risks = disallowedRisks(role, facts, rbac.sensitivePaths);
    if (risks.length === 0) return { allow: true, rule: `role ${role.name}: ${facts.action}`, reason: `${who(id)} may ${facts.action} as ${role.name}`, role: role.name };
    firstDenial ??= { role, risks };
  }
  const d = firstDenial as { role: CompiledRole; risks: string[] };
  return { allow: false, rule: `role ${d.role.name}: ${facts.action}`, reason: `${who(id)}: ${d.risks.join('; ')} (roles ${granting.map((r) => r.name).join(', ')})` };
}
