import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { PortcullisError } from '../../core/errors.js';
import { formatDiagnostic, loadPolicies, type LoadedPolicy, readPolicySources } from '../../policy/index.js';
import { type CompiledRbac, compileRbac } from '../rbac/compile.js';
import { type AuthzConfig, AuthzConfigSchema } from './schema.js';

/**
 * Reads, validates and compiles the plugin configuration and the image policies it names.
 * Any problem is AUTHZ_CONFIG (or the policy engine's POLICY_INVALID) listing every
 * diagnostic with its path; the server then denies everything until a good one loads.
 */

export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

export interface LoadedAuthzConfig {
  readonly file: string;
  readonly config: AuthzConfig;
  readonly rbac: CompiledRbac;
  readonly policies: readonly LoadedPolicy[];
  /** Every file the configuration was read from (for reload on change). */
  readonly files: readonly string[];
}

function issues(file: string, err: z.ZodError): string[] {
  return err.issues.map((i) => `${file}: ${i.path.join('.') || '(root)'}: ${i.message}`);
}

function invalid(file: string, lines: readonly string[]): PortcullisError {
  return new PortcullisError('AUTHZ_CONFIG', `${file} is invalid:\n  ${lines.join('\n  ')}`, { path: file });
}

/** Makes the config's relative paths absolute against its own directory. */
function anchor(config: AuthzConfig, dir: string): AuthzConfig {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(dir, p));
  const g = config.spec.identity.groups;
  const groups = {
    ...g,
    ...(g.file ? { file: abs(g.file) } : {}),
    ...(g.ldap ? { ldap: { ...g.ldap, ...(g.ldap.bindPasswordFile ? { bindPasswordFile: abs(g.ldap.bindPasswordFile) } : {}), ...(g.ldap.caFile ? { caFile: abs(g.ldap.caFile) } : {}) } } : {}),
  };
  const im = config.spec.images;
  const au = config.spec.audit;
  return {
    ...config,
    spec: {
      ...config.spec,
      identity: { ...config.spec.identity, groups },
      images: { ...im, policies: im.policies.map(abs), ...(im.db ? { db: abs(im.db) } : {}), ...(im.cacheDir ? { cacheDir: abs(im.cacheDir) } : {}) },
      audit: { ...au, dir: abs(au.dir), ...(au.hmacKeyFile ? { hmacKeyFile: abs(au.hmacKeyFile) } : {}) },
    },
  };
}

export function parseAuthzConfig(text: string, file: string): AuthzConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100, uniqueKeys: true });
  } catch (err) {
    throw invalid(file, [`not valid YAML: ${(err as Error).message.split('\n')[0]}`]);
  }
  const parsed = AuthzConfigSchema.safeParse(doc);
  if (!parsed.success) throw invalid(file, issues(file, parsed.error));
  return anchor(parsed.data, dirname(file));
}

export async function loadAuthzConfig(path: string): Promise<LoadedAuthzConfig> {
  const file = resolve(path);
  let text: string;
  try {
    if (statSync(file).size > MAX_CONFIG_BYTES) throw invalid(file, [`larger than ${MAX_CONFIG_BYTES} bytes`]);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof PortcullisError) throw err;
    throw new PortcullisError('AUTHZ_CONFIG', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { path: file });
  }
  const config = parseAuthzConfig(text, file);
  const { rbac, diagnostics } = compileRbac(config.spec.roles, config.spec.bindings, config.spec.sensitivePaths);
  if (diagnostics.length > 0) throw invalid(file, diagnostics.map((d) => `${d.path}: ${d.message}`));
  const sources = config.spec.images.policies.length > 0 ? readPolicySources(config.spec.images.policies, dirname(file)) : [];
  const { BUILTIN_CHECKS } = await import('../../compliance/registry.js');
  const policies =
    sources.length > 0
      ? await loadPolicies(sources, {
          knownCheckIds: new Set(BUILTIN_CHECKS.map((c) => c.id)),
          // Base images named by reference would need a registry or daemon read at load; the plugin takes diffIDs only.
          resolveImage: async (ref) => {
            throw new PortcullisError('AUTHZ_CONFIG', `base image ${ref}: name it by its diffIDs in policies the authz plugin loads`);
          },
        })
      : [];
  // The plugin gathers image metadata and findings; a blocking deploy rule that needs more
  // (compliance results, signatures) could never be decided here, so it is refused at load.
  // Alert rules that need them are evaluated without those facts, as the CI gate does.
  for (const p of policies) {
    for (const r of p.rules) {
      if (!r.stages.has('deploy') || r.action !== 'block' || !(r.needs.has('compliance') || r.needs.has('signatures'))) continue;
      throw invalid(file, [formatDiagnostic({ file: p.file, path: '', rule: r.name, message: `this blocking deploy rule needs ${[...r.needs].join(', ')}, which the authz plugin does not gather; enforce it at admission or in CI` })]);
    }
  }
  return { file, config, rbac, policies, files: [file, ...sources.map((s) => s.file)] };
}
