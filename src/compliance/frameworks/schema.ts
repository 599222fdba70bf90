import { z } from 'zod';
import { isConcern } from '../concerns.js';

/**
 * A compliance framework as data: controls, each mapped to check ids and/or concerns. The
 * built-in frameworks and custom YAML ones go through this one schema; references to checks
 * and concerns are validated against what exists, with a diagnostic per bad entry.
 */
export const ControlSchema = z
  .object({
    id: z.string().min(1).max(64),
    title: z.string().min(1).max(300),
    checks: z.array(z.string().min(1)).default([]),
    concerns: z.array(z.string().min(1)).default([]),
  })
  .strict();

export const FrameworkSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9.-]{0,63}$/, 'lower-case letters, digits, dots and dashes'),
    version: z.string().min(1).max(32),
    title: z.string().min(1).max(200),
    url: z.string().url().optional(),
    controls: z.array(ControlSchema).min(1).max(5000),
  })
  .strict();

export type Control = z.infer<typeof ControlSchema>;
export type Framework = z.infer<typeof FrameworkSchema>;

/** One thing wrong with a definition: where (`controls[2].checks[0]`) and why. */
export interface Diagnostic {
  readonly path: string;
  readonly message: string;
}

/** Cross-reference checks a schema cannot express: unknown check ids and concerns, duplicate control ids. */
export function frameworkDiagnostics(fw: Framework, checkIds: ReadonlySet<string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  fw.controls.forEach((c, i) => {
    if (seen.has(c.id)) out.push({ path: `controls[${i}].id`, message: `duplicate control id "${c.id}"` });
    seen.add(c.id);
    if (c.checks.length === 0 && c.concerns.length === 0) out.push({ path: `controls[${i}]`, message: `control "${c.id}" maps no check and no concern` });
    c.checks.forEach((id, j) => {
      if (!checkIds.has(id)) out.push({ path: `controls[${i}].checks[${j}]`, message: `unknown check "${id}"` });
    });
    c.concerns.forEach((k, j) => {
      if (!isConcern(k)) out.push({ path: `controls[${i}].concerns[${j}]`, message: `unknown concern "${k}"` });
    });
  });
  return out;
}
