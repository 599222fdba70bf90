import { readFile, rm, stat } from 'node:fs/promises';
import { z } from 'zod';
import { PART_META_SUFFIX, PART_SUFFIX, writeFileAtomic } from './files.js';

/**
 * Resuming a cut download (RFC 9110 §14.2 Range, §13.1.5 If-Range): the `.part` file keeps the
 * bytes received so far and `.part-meta` the validator of the representation they belong to.
 * The next attempt asks for the rest only "if it is still that representation"; a server
 * whose file changed answers 200 with the whole new body, and we start over.
 */

const PartMetaSchema = z.object({
  url: z.string(),
  etag: z.string().max(1024).optional(),
  lastModified: z.string().max(256).optional(),
});
export type PartMeta = z.infer<typeof PartMetaSchema>;

export interface Resume {
  readonly offset: number;
  readonly headers: Readonly<Record<string, string>>;
}

/** The validator If-Range may carry: a strong ETag, else the Last-Modified date. */
function ifRangeValue(meta: PartMeta): string | undefined {
  if (meta.etag && !meta.etag.startsWith('W/')) return meta.etag;
  return meta.lastModified;
}

export async function removePart(target: string): Promise<void> {
  await rm(`${target}${PART_SUFFIX}`, { force: true });
  await rm(`${target}${PART_META_SUFFIX}`, { force: true });
}

/**
 * How to resume `target` from `url`, or undefined to start from byte 0. A `.part` without a
 * usable meta (another URL, no validator, corrupt) cannot be resumed safely and is removed.
 */
export async function planResume(target: string, url: string): Promise<Resume | undefined> {
  const size = await stat(`${target}${PART_SUFFIX}`).then((s) => (s.isFile() ? s.size : -1), () => -1);
  if (size < 0) {
    await rm(`${target}${PART_META_SUFFIX}`, { force: true });
    return undefined;
  }
  const meta = await readFile(`${target}${PART_META_SUFFIX}`, 'utf8').then(
    (text) => PartMetaSchema.safeParse(JSON.parse(text)),
    () => undefined,
  ).catch(() => undefined);
  const validator = meta?.success && meta.data.url === url ? ifRangeValue(meta.data) : undefined;
  if (size === 0 || validator === undefined) {
    await removePart(target);
    return undefined;
  }
  return { offset: size, headers: { range: `bytes=${size}-`, 'if-range': validator } };
}

export async function writePartMeta(target: string, meta: PartMeta): Promise<void> {
  await writeFileAtomic(`${target}${PART_META_SUFFIX}`, JSON.stringify(meta));
}

/** Whether a response carries a validator we could resume with later. */
export function resumable(meta: PartMeta): boolean {
  return ifRangeValue(meta) !== undefined;
}

/** `bytes first-last/total` (RFC 9110 §14.4); total may be `*`. */
export function parseContentRange(value: string | undefined): { first: number; last: number; total: number | undefined } | undefined {
  const m = /^bytes (\d{1,16})-(\d{1,16})\/(\d{1,16}|\*)$/.exec(value?.trim() ?? '');
  if (!m) return undefined;
  const first = Number(m[1]);
  const last = Number(m[2]);
  const total = m[3] === '*' ? undefined : Number(m[3]);
  if (last < first || (total !== undefined && last >= total)) return undefined;
  return { first, last, total };
}
