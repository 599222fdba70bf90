import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { z } from 'zod';
import { problem } from '../../../core/problem.js';
import type { AdvisoryInput } from '../../model.js';
import { BACKUP_SUFFIX, PART_META_SUFFIX, PART_SUFFIX, STATE_FILE } from '../../update/files.js';
import type { FeedSink } from '../types.js';
import { legacyItemToAdvisory } from './legacy.js';
import { cveToAdvisory, type Note, SOURCE } from './map.js';
import { CveSchema, LegacyFeedSchema, LegacyItemSchema, PageSchema } from './schema.js';

/**
 * Reads every NVD file under a directory, in name order: API 2.0 pages as fetch writes them
 * (`pages/*.json`), single CVE objects (the vuln-list-nvd layout), and retired 1.1 feeds
 * (`nvdcve-1.1-*.json[.gz]`). A file is read whole (one page of 2000 CVEs is tens of MB), never
 * the whole directory at once. The same CVE may come from several pages; the database keeps the
 * newest `modified`.
 */

export interface NvdParseLimits {
  /** A larger file (or gzip output) is refused; a 1.1 year feed is under 100 MB unpacked. */
  readonly maxFileBytes: number;
  readonly maxProblemsPerFile: number;
}

export const DEFAULT_NVD_PARSE_LIMITS: NvdParseLimits = { maxFileBytes: 256 * 1024 * 1024, maxProblemsPerFile: 20 };

const NVD_FILE = /\.json(?:\.gz)?$/;
/** fetch writes one level (pages/); hand-made layouts such as api/2024/ go two. */
const MAX_DIR_DEPTH = 4;
const GZIP = promisify(gunzip);
const HasCve = z.looseObject({ cve: z.unknown() });

export async function parseNvdDir(dir: string, sink: FeedSink, limits = DEFAULT_NVD_PARSE_LIMITS): Promise<void> {
  const files: string[] = [];
  try {
    await listFiles(dir, '', 0, files);
  } catch (err) {
    sink.problem(problem('FEED_PARSE', `cannot list ${dir}: ${(err as Error).message}`, { path: dir, source: SOURCE }));
    return;
  }
  if (files.length === 0) sink.problem(problem('FEED_PARSE', `no NVD files (*.json, *.json.gz) in ${dir}`, { path: dir, source: SOURCE }));
  // Plain code-unit order, not locale order: the same on every machine.
  files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const rel of files) await parseNvdFile(join(dir, rel), rel, sink, limits);
}

/** Emits the advisories of one file and returns how many. */
export async function parseNvdFile(path: string, rel: string, sink: FeedSink, limits = DEFAULT_NVD_PARSE_LIMITS): Promise<number> {
  const where = { path: rel, source: SOURCE };
  let shown = 0;
  let hidden = 0;
  const note: Note = (m) => {
    if (shown++ < limits.maxProblemsPerFile) sink.problem(problem('FEED_PARSE', `${rel}: ${m}`, where));
    else hidden++;
  };
  let emitted = 0;
  const emit = (made: AdvisoryInput | string): void => {
    if (typeof made === 'string') return note(made);
    sink.advisory(made);
    emitted++;
  };
  const cve = (raw: unknown, at: string): void => {
    const r = CveSchema.safeParse(raw);
    if (r.success) emit(cveToAdvisory(r.data, note));
    else note(`${at} skipped: ${describe(raw, r.error)}`);
  };

  const doc = await readJson(path, limits.maxFileBytes);
  if (!doc.ok) note(doc.why);
  else if (has(doc.value, 'vulnerabilities')) {
    const page = PageSchema.safeParse(doc.value);
    if (!page.success) note(`not a CVE API 2.0 page: ${describe(doc.value, page.error)}`);
    else page.data.vulnerabilities.forEach((v, i) => {
      const w = HasCve.safeParse(v);
      cve(w.success ? w.data.cve : v, `vulnerabilities[${i}]`);
    });
  } else if (has(doc.value, 'CVE_Items')) {
    const feed = LegacyFeedSchema.safeParse(doc.value);
    if (!feed.success) note(`not an NVD 1.1 feed: ${describe(doc.value, feed.error)}`);
    else feed.data.CVE_Items.forEach((item, i) => {
      const r = LegacyItemSchema.safeParse(item);
      if (r.success) emit(legacyItemToAdvisory(r.data, note));
      else note(`CVE_Items[${i}] skipped: ${describe(item, r.error)}`);
    });
  } else if (has(doc.value, 'id')) cve(doc.value, 'the CVE record');
  else note('not an NVD CVE API 2.0 page, CVE record or 1.1 feed');

  if (hidden > 0) sink.problem(problem('FEED_PARSE', `${rel}: ${hidden} more problems not shown`, where));
  return emitted;
}

async function listFiles(dir: string, rel: string, depth: number, out: string[]): Promise<void> {
  for (const d of await readdir(join(dir, rel), { withFileTypes: true })) {
    const child = rel === '' ? d.name : `${rel}/${d.name}`;
    if (isBookkeeping(child)) continue;
    if (d.isDirectory() && depth + 1 < MAX_DIR_DEPTH) await listFiles(dir, child, depth + 1, out);
    else if (d.isFile() && NVD_FILE.test(d.name)) out.push(child);
  }
}

/**
 * Not NVD's: the update orchestrator's state.json, partial downloads and backups
 * (src/vulndb/update/files.ts), and dot files. Symlinks are never followed (isFile/isDirectory
 * of a Dirent are false for them).
 */
function isBookkeeping(rel: string): boolean {
  const name = rel.slice(rel.lastIndexOf('/') + 1);
  if (rel === STATE_FILE || name.startsWith('.') || rel.includes('.tmp-')) return true;
  return [PART_SUFFIX, PART_META_SUFFIX, BACKUP_SUFFIX].some((s) => rel.endsWith(s));
}

type Read = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly why: string };

/** The parsed file (gunzipped when it starts with the gzip magic), or why there is none. */
async function readJson(path: string, maxBytes: number): Promise<Read> {
  try {
    const size = (await stat(path)).size;
    if (size > maxBytes) return { ok: false, why: `is ${size} bytes, more than the limit of ${maxBytes}` };
    let bytes = await readFile(path);
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
      try {
        // maxOutputLength stops a gzip bomb before it is in memory.
        bytes = await GZIP(bytes, { maxOutputLength: maxBytes });
      } catch (err) {
        return { ok: false, why: `cannot be gunzipped (corrupt, truncated, or more than ${maxBytes} bytes unpacked): ${(err as Error).message}` };
      }
    }
    return { ok: true, value: JSON.parse(bytes.toString('utf8')) as unknown };
  } catch (err) {
    return { ok: false, why: `cannot be read as JSON: ${(err as Error).message}` };
  }
}

function has(doc: unknown, key: string): boolean {
  return typeof doc === 'object' && doc !== null && !Array.isArray(doc) && key in doc;
}

/** The record's id when it has one, and the first schema issue. */
function describe(raw: unknown, err: z.ZodError): string {
  const id = typeof raw === 'object' && raw !== null && 'id' in raw && typeof raw.id === 'string' ? `${raw.id.slice(0, 40)}: ` : '';
  const issue = err.issues[0];
  return `${id}${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`;
}
