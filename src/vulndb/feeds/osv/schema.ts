import { z } from 'zod';

/**
 * The subset of an OSV record (https://ossf.github.io/osv-schema/, 1.7) this feed reads. Unknown
 * fields are ignored; a field we read with the wrong type fails the record (or, inside
 * `affected[]`, that one entry). `database_specific` is free-form per database, so its fields
 * are checked where they are read (map.ts) instead of failing the record. `id` and `modified` are required as the schema requires them,
 * which also keeps other JSON lying in a feed directory from passing as an advisory.
 */

const list = <T extends z.ZodType>(item: T) => z.array(item).nullish();

export const OsvSeveritySchema = z.object({ type: z.string(), score: z.string() });

export const OsvEventSchema = z
  .object({
    introduced: z.string().optional(),
    fixed: z.string().optional(),
    last_affected: z.string().optional(),
    limit: z.string().optional(),
  })
  .refine((e) => Object.values(e).filter((v) => v !== undefined).length === 1, 'an event holds exactly one of introduced, fixed, last_affected, limit');

export const OsvRangeSchema = z.object({ type: z.string(), events: z.array(OsvEventSchema) });
export type OsvRange = z.infer<typeof OsvRangeSchema>;

export const OsvAffectedSchema = z.object({
  /** Absent for GIT-only entries (OSS-Fuzz style), which name a repository instead. */
  package: z.object({ ecosystem: z.string(), name: z.string() }).nullish(),
  ranges: list(OsvRangeSchema),
  versions: list(z.string()),
  severity: list(OsvSeveritySchema),
  database_specific: z
    .object({
      /** GHSA: the upper bound of a range that has no fix yet, `< 2.1.3` or `<= 2.1.3`. */
      last_known_affected_version_range: z.unknown().optional(),
    })
    .nullish(),
});
export type OsvAffected = z.infer<typeof OsvAffectedSchema>;

export const OsvRecordSchema = z.object({
  id: z.string().min(1).max(256),
  modified: z.string(),
  published: z.string().nullish(),
  withdrawn: z.string().nullish(),
  aliases: list(z.string()),
  upstream: list(z.string()),
  related: list(z.string()),
  summary: z.string().nullish(),
  severity: list(OsvSeveritySchema),
  /** Each entry is validated on its own, so one bad package does not lose the others. */
  affected: list(z.unknown()),
  references: list(z.object({ type: z.string(), url: z.string() })),
  database_specific: z
    .object({
      /** GHSA: LOW | MODERATE | HIGH | CRITICAL. */
      severity: z.unknown().optional(),
      cwe_ids: z.unknown().optional(),
    })
    .nullish(),
});
export type OsvRecord = z.infer<typeof OsvRecordSchema>;
