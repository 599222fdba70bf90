import { z } from 'zod';
import type { Matcher } from './fields/lists.js';
import type { CountTest, ImageTest, KeyedFindingTest, Need } from './fields/types.js';
import { STAGES, type Stage } from './input.js';
import { type CompiledScope, ScopeSchema } from './scope.js';

/**
 * Policy documents, as YAML (one or more `---` documents per file):
 *
 *   apiVersion: portcullis.dev/v1
 *   kind: Policy
 *   metadata: {name: vulnerability-sla, description: …}
 *   spec:
 *     rules:
 *       - name: critical-fix-30d
 *         stages: [deploy]
 *         action: block
 *         scope: {namespaces: ['prod-*']}
 *         criteria: {severity: critical, fixOlderThanDays: 30}
 *     exceptions:
 *       - {reason: …, owner: …, expires: 2026-12-31, match: {vulnerabilities: [CVE-…]}}
 *
 * Each level is validated on its own so that one diagnostic names the file, the rule and the
 * field; `criteria` keys are looked up in the field registry (fields/registry.ts).
 */

export const API_VERSION = 'portcullis.dev/v1';
export const ACTIONS = ['alert', 'block'] as const;
export type Action = (typeof ACTIONS)[number];

const Name = z.string().regex(/^[a-z0-9]([a-z0-9.-]{0,126}[a-z0-9])?$/, 'lower-case letters, digits, dots and dashes (at most 128)');

export const DocumentSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('Policy'),
  metadata: z.strictObject({ name: Name, description: z.string().max(2000).optional(), labels: z.record(z.string(), z.string()).optional() }),
  spec: z.strictObject({ rules: z.array(z.unknown()).min(1).max(10_000), exceptions: z.array(z.unknown()).max(10_000).default([]) }),
});

export const RuleSchema = z.strictObject({
  name: Name,
  description: z.string().max(2000).optional(),
  remediation: z.string().max(2000).optional(),
  stages: z.array(z.enum(STAGES, { error: (iss) => `unknown stage ${JSON.stringify(iss.input)}; stages are ${STAGES.join(', ')}` })).min(1),
  action: z.enum(ACTIONS, { error: (iss) => `unknown action ${JSON.stringify(iss.input)}; actions are ${ACTIONS.join(', ')}` }),
  scope: ScopeSchema.optional(),
  criteria: z.record(z.string(), z.unknown()).refine((c) => Object.keys(c).length > 0, 'a rule needs at least one criterion'),
});

const Globs = z.array(z.string()).min(1).max(10_000);

export const ExceptionSchema = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  reason: z.string().trim().min(1),
  owner: z.string().trim().min(1),
  expires: z.union([z.string(), z.date()]).transform((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v)),
  match: z
    .strictObject({
      vulnerabilities: Globs.optional(),
      packages: Globs.optional(),
      images: ScopeSchema.pick({ registries: true, repositories: true, tags: true }).optional(),
      rules: z.array(z.string().min(1)).min(1).optional(),
    })
    .refine((m) => m.vulnerabilities || m.packages || m.images, 'an exception matches vulnerabilities, packages and/or images'),
});

export interface CompiledRule {
  readonly policy: string;
  readonly name: string;
  readonly description: string | undefined;
  readonly remediation: string | undefined;
  readonly stages: ReadonlySet<Stage>;
  readonly action: Action;
  readonly scope: CompiledScope | undefined;
  /** Cheapest first. */
  readonly findingTests: readonly KeyedFindingTest[];
  /** The finding criteria as written, for explanations: `severity ≥ high and package in [qs]`. */
  readonly findingText: string;
  readonly count: CountTest | undefined;
  readonly imageTests: readonly ImageTest[];
  readonly needs: ReadonlySet<Need>;
}

export interface CompiledException {
  readonly policy: string;
  readonly name: string;
  readonly reason: string;
  readonly owner: string;
  readonly expires: string;
  readonly expiresMs: number;
  readonly vulnerabilities?: Matcher;
  readonly packages?: Matcher;
  readonly images?: CompiledScope;
  /** Rule names it applies to; all rules of its policy when absent. */
  readonly rules?: ReadonlySet<string>;
}

/** A validated, compiled policy. Only the loader makes these, so an invalid policy cannot reach the engine. */
export interface LoadedPolicy {
  readonly name: string;
  readonly file: string;
  readonly description?: string;
  readonly rules: readonly CompiledRule[];
  readonly exceptions: readonly CompiledException[];
}

export interface Diagnostic {
  readonly file: string;
  /** Path inside the file: `spec.rules[2].criteria.severity`. */
  readonly path: string;
  readonly rule?: string;
  readonly field?: string;
  readonly message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = [d.rule ? `rule ${d.rule}` : '', d.field ? `field ${d.field}` : ''].filter(Boolean).join(', ');
  return `${d.file}: ${d.path || '(root)'}: ${d.message}${where ? ` [${where}]` : ''}`;
}
