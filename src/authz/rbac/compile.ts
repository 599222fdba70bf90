import { compileGlob, type CompiledGlob } from '../../policy/glob.js';
import type { Allow, Binding, Role } from './model.js';

/**
 * Roles compiled once per configuration load: action patterns and host-path globs become
 * matchers, bindings become user → roles and group → roles indexes, so a decision does no
 * parsing and a handful of map lookups.
 */

type Glob = Extract<CompiledGlob, { ok: true }>;

export interface CompiledRole {
  readonly name: string;
  /** Exact actions, families (`container`) and whether `*` was given. */
  readonly actions: ReadonlySet<string>;
  readonly families: ReadonlySet<string>;
  readonly everything: boolean;
  readonly allow: Allow;
  readonly capabilities: ReadonlySet<string>;
  readonly bindMounts: readonly Glob[];
  readonly devices: readonly Glob[];
}

export interface CompiledRbac {
  readonly roles: ReadonlyMap<string, CompiledRole>;
  readonly byUser: ReadonlyMap<string, readonly CompiledRole[]>;
  readonly byGroup: ReadonlyMap<string, readonly CompiledRole[]>;
  readonly sensitivePaths: readonly string[];
}

export interface RbacDiagnostic {
  readonly path: string;
  readonly message: string;
}

function globs(patterns: readonly string[], path: string, diags: RbacDiagnostic[]): Glob[] {
  const out: Glob[] = [];
  patterns.forEach((p, i) => {
    const g = compileGlob(p, { segments: true });
    if (g.ok) out.push(g);
    else diags.push({ path: `${path}[${i}]`, message: `invalid glob "${p}": ${g.error}` });
  });
  return out;
}

function compileRole(r: Role, i: number, diags: RbacDiagnostic[]): CompiledRole {
  const actions = new Set<string>();
  const families = new Set<string>();
  let everything = false;
  for (const a of r.actions) {
    if (a === '*') everything = true;
    else if (a.endsWith('.*')) families.add(a.slice(0, -2));
    else actions.add(a);
  }
  return {
    name: r.name,
    actions,
    families,
    everything,
    allow: r.allow,
    capabilities: new Set(r.allow.capabilities),
    bindMounts: globs(r.allow.bindMounts, `spec.roles[${i}].allow.bindMounts`, diags),
    devices: globs(r.allow.devices, `spec.roles[${i}].allow.devices`, diags),
  };
}

function push(index: Map<string, CompiledRole[]>, key: string, role: CompiledRole): void {
  const list = index.get(key) ?? [];
  if (!list.includes(role)) list.push(role);
  index.set(key, list);
}

export function compileRbac(roles: readonly Role[], bindings: readonly Binding[], sensitivePaths: readonly string[]): { rbac: CompiledRbac; diagnostics: RbacDiagnostic[] } {
  const diagnostics: RbacDiagnostic[] = [];
  const byName = new Map<string, CompiledRole>();
  roles.forEach((r, i) => {
    if (byName.has(r.name)) diagnostics.push({ path: `spec.roles[${i}].name`, message: `role "${r.name}" is defined twice` });
    byName.set(r.name, compileRole(r, i, diagnostics));
  });
  const byUser = new Map<string, CompiledRole[]>();
  const byGroup = new Map<string, CompiledRole[]>();
  bindings.forEach((b, i) => {
    const role = byName.get(b.role);
    if (!role) {
      diagnostics.push({ path: `spec.bindings[${i}].role`, message: `unknown role "${b.role}"; roles are ${[...byName.keys()].join(', ') || '(none)'}` });
      return;
    }
    for (const u of b.users) push(byUser, u, role);
    for (const g of b.groups) push(byGroup, g, role);
  });
  return { rbac: { roles: byName, byUser, byGroup, sensitivePaths: [...sensitivePaths] }, diagnostics };
}

/** The roles bound to a user directly or through any of its groups, in definition order of the bindings met. */
export function rolesOf(rbac: CompiledRbac, user: string, groups: readonly string[]): CompiledRole[] {
  const out: CompiledRole[] = [];
  for (const r of rbac.byUser.get(user) ?? []) if (!out.includes(r)) out.push(r);
  for (const g of groups) for (const r of rbac.byGroup.get(g) ?? []) if (!out.includes(r)) out.push(r);
  return out;
}

export function grants(role: CompiledRole, action: string): boolean {
  if (role.everything || role.actions.has(action)) return true;
  const dot = action.indexOf('.');
  return dot > 0 && role.families.has(action.slice(0, dot));
}
