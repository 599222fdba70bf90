import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { z } from 'zod';
import { problem } from '../../../core/problem.js';
import type { KevEntry } from '../../model.js';
import type { FeedSink } from '../types.js';
import { KevCoreSchema, KevEnvelopeSchema, KevVulnerabilitySchema } from './schema.js';

const SOURCE = 'kev';
/** The real catalog is about 1.3 MB. */
export const MAX_KEV_BYTES = 64 * 1024 * 1024;
const MAX_PROBLEMS = 20;

/**
 * Emits one KevEntry per catalog entry. An entry that breaks the schema but still has a valid
 * cveID and dateAdded is kept (dropping a known-exploited flag is the worse error) and reported.
 * Returns how many entries were emitted.
 */
export async function parseKevFile(path: string, sink: FeedSink, maxBytes = MAX_KEV_BYTES): Promise<number> {
  const name = basename(path);
  const where = { path: name, source: SOURCE };
  let shown = 0;
  let hidden = 0;
  const note = (m: string): void => {
    if (shown++ < MAX_PROBLEMS) sink.problem(problem('FEED_PARSE', `${name}: ${m}`, where));
    else hidden++;
  };
  const doc = await readJson(path, maxBytes);
  if (!doc.ok) {
    note(doc.why);
    return 0;
  }
  const envelope = KevEnvelopeSchema.safeParse(doc.value);
  if (!envelope.success) {
    note(`not a KEV catalog (${issues(envelope.error)})`);
    return 0;
  }
  const { vulnerabilities, count } = envelope.data;
  if (count !== vulnerabilities.length) note(`count says ${count} entries but the file holds ${vulnerabilities.length} (truncated or edited?)`);
  const seen = new Set<string>();
  vulnerabilities.forEach((raw, i) => {
    const full = KevVulnerabilitySchema.safeParse(raw);
    const core = full.success ? full : KevCoreSchema.safeParse(raw);
    if (!core.success) {
      note(`vulnerabilities[${i}] skipped: ${issues(core.error)}`);
      return;
    }
    const v = core.data;
    if (!full.success) note(`${v.cveID} does not match the KEV schema (${issues(full.error)}); kept`);
    if (seen.has(v.cveID)) {
      note(`${v.cveID} is listed twice; the first entry was kept`);
      return;
    }
    seen.add(v.cveID);
    sink.kev(toEntry(v));
  });
  if (hidden > 0) sink.problem(problem('FEED_PARSE', `${name}: ${hidden} more problems not shown`, where));
  return seen.size;
}

function toEntry(v: z.infer<typeof KevCoreSchema>): KevEntry {
  const ransomware = v.knownRansomwareCampaignUse?.trim().toLowerCase();
  // "Unknown" means CISA has no confirmation of ransomware use: not known, so false.
  const knownRansomware = ransomware === 'known' ? true : ransomware === 'unknown' ? false : undefined;
  return {
    cve: v.cveID,
    dateAdded: v.dateAdded,
    ...(v.dueDate !== undefined ? { dueDate: v.dueDate } : {}),
    ...(knownRansomware !== undefined ? { knownRansomware } : {}),
  };
}

type Read = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly why: string };

async function readJson(path: string, maxBytes: number): Promise<Read> {
  try {
    const size = (await stat(path)).size;
    if (size > maxBytes) return { ok: false, why: `is ${size} bytes, more than the ${maxBytes} a KEV catalog can be` };
    return { ok: true, value: JSON.parse(await readFile(path, 'utf8')) as unknown };
  } catch (err) {
    return { ok: false, why: `cannot be read as JSON: ${(err as Error).message}` };
  }
}

function issues(err: z.ZodError): string {
  return err.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}
