import { inflateSync } from 'node:zlib';
import { z } from 'zod';
import { parseElf, sectionData } from '../go/elf.js';

/**
 * Dependency data embedded by cargo-auditable: the ELF section `.dep-v0` holds zlib-compressed
 * JSON (https://github.com/rust-secure-code/cargo-auditable/blob/master/PARSING.md).
 * `kind` is omitted for runtime dependencies; `dependencies` are indices into `packages`.
 */

/** PARSING.md recommends a cap on the decompressed size; real data is a few KB. */
export const MAX_DECOMPRESSED = 8 * 1024 * 1024;

const AuditPackageSchema = z.object({
  name: z.string().min(1),
  version: z.string().min(1),
  source: z.string(),
  kind: z.enum(['runtime', 'build']).optional(),
  dependencies: z.array(z.number().int().nonnegative()).optional(),
  root: z.boolean().optional(),
});

const AuditSchema = z.object({
  packages: z.array(AuditPackageSchema).max(100_000),
  format: z.number().int().optional(),
});

export type AuditData = z.infer<typeof AuditSchema>;
export type AuditResult = { kind: 'found'; data: AuditData } | { kind: 'none' } | { kind: 'error'; message: string };

export function readAuditable(buf: Buffer): AuditResult {
  const elf = parseElf(buf);
  if (!elf) return { kind: 'none' };
  const compressed = sectionData(buf, elf, '.dep-v0');
  if (!compressed) {
    return elf.sections.some((s) => s.name === '.dep-v0') ? { kind: 'error', message: '.dep-v0 lies outside the file' } : { kind: 'none' };
  }
  let json: Buffer;
  try {
    // maxOutputLength makes zlib stop (with a RangeError) instead of inflating a bomb.
    json = inflateSync(compressed, { maxOutputLength: MAX_DECOMPRESSED });
  } catch (err) {
    const bomb = err instanceof RangeError || (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    return { kind: 'error', message: bomb ? `.dep-v0 inflates beyond ${MAX_DECOMPRESSED} bytes` : `.dep-v0 is not zlib data` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(json.toString('utf8'));
  } catch {
    return { kind: 'error', message: '.dep-v0 is not JSON' };
  }
  const parsed = AuditSchema.safeParse(raw);
  if (!parsed.success) return { kind: 'error', message: `.dep-v0 does not match the schema: ${parsed.error.issues[0]?.message ?? ''}` };
  return { kind: 'found', data: parsed.data };
}
