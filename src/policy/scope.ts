import { z } from 'zod';
import { compileGlobs, type Matcher } from './fields/lists.js';
import type { Diag } from './fields/types.js';
import type { GlobOptions } from './glob.js';
import type { PolicyInput } from './input.js';

/**
 * Where a rule (or an exception) applies: every key given must match; a key whose fact the
 * input lacks (no namespace in CI, no registry for an archive) does not match, so the rule
 * does not apply there. Scopes select; they never decide a verdict on their own.
 */

const Globs = z.array(z.string()).min(1).max(10_000);

export const ScopeSchema = z.strictObject({
  registries: Globs.optional(),
  repositories: Globs.optional(),
  tags: Globs.optional(),
  labels: z.record(z.string().min(1), z.string()).optional(),
  namespaces: Globs.optional(),
  clusters: Globs.optional(),
  hosts: Globs.optional(),
});
export type Scope = z.output<typeof ScopeSchema>;

type Key = 'registries' | 'repositories' | 'tags' | 'namespaces' | 'clusters' | 'hosts';

const KEYS: readonly { key: Key; what: string; opts: GlobOptions; values(i: PolicyInput): readonly string[] | undefined }[] = [
  { key: 'registries', what: 'registry', opts: { caseInsensitive: true }, values: (i) => (i.image.registry ? [i.image.registry] : undefined) },
  {
    key: 'repositories',
    what: 'repository',
    opts: { segments: true },
    values: (i) => (i.image.repository ? (i.image.registry ? [i.image.repository, `${i.image.registry}/${i.image.repository}`] : [i.image.repository]) : undefined),
  },
  { key: 'tags', what: 'tag', opts: {}, values: (i) => (i.image.tag ? [i.image.tag] : undefined) },
  { key: 'namespaces', what: 'namespace', opts: {}, values: (i) => (i.context?.namespace ? [i.context.namespace] : undefined) },
  { key: 'clusters', what: 'cluster', opts: {}, values: (i) => (i.context?.cluster ? [i.context.cluster] : undefined) },
  { key: 'hosts', what: 'host', opts: { caseInsensitive: true }, values: (i) => (i.context?.host ? [i.context.host] : undefined) },
];

export interface CompiledScope {
  /** undefined when the input is in scope, else why not. */
  outside(input: PolicyInput): string | undefined;
  readonly describe: string;
}

export function compileScope(scope: Scope, diag: Diag): CompiledScope | undefined {
  const parts: { what: string; globs: Matcher; source: readonly string[]; values(i: PolicyInput): readonly string[] | undefined }[] = [];
  let bad = false;
  for (const k of KEYS) {
    const list = scope[k.key];
    if (!list) continue;
    const globs = compileGlobs(list, k.opts, diag, k.key);
    if (!globs) bad = true;
    else parts.push({ what: k.what, globs, source: list, values: k.values });
  }
  const labels: { name: string; glob: Matcher; source: string }[] = [];
  for (const [name, pattern] of Object.entries(scope.labels ?? {})) {
    const g = compileGlobs([pattern], {}, (m) => diag(m, `labels.${name}`), `labels.${name}`);
    if (!g) bad = true;
    else labels.push({ name, glob: g, source: pattern });
  }
  if (bad) return undefined;
  const describe = [...parts.map((p) => `${p.what} ${p.source.join(' | ')}`), ...labels.map((l) => `label ${l.name}=${l.source}`)].join(', ');
  return {
    describe,
    outside(input) {
      for (const p of parts) {
        const vals = p.values(input);
        if (!vals) return `no ${p.what} is known, and the scope names ${p.what}s`;
        if (!vals.some((v) => p.globs.test(v))) return `${p.what} ${vals[vals.length - 1]} is not ${p.source.join(' | ')}`;
      }
      for (const l of labels) {
        const v = input.image.labels[l.name];
        if (v === undefined) return `the image has no label ${l.name}`;
        if (!l.glob.test(v)) return `label ${l.name}=${v} is not ${l.source}`;
      }
      return undefined;
    },
  };
}
