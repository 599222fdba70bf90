import { createHash, createHmac } from 'node:crypto';
import { z } from 'zod';
import type { AuditEntry } from '../types.js';

/**
 * One audit record per line (JSON lines). A record is the AuditEntry plus `v`, `seq`, `time`,
 * `prev` (the previous record's hash), `alg` and `hash`, where
 *
 *   hash = SHA-256 (or HMAC-SHA-256 with the log's key) over the canonical JSON of the record
 *          without `hash`
 *
 * Canonical JSON is RFC 8785 (JCS) for the values a record can hold (strings, safe integers,
 * arrays, objects): keys sorted, no whitespace, JSON.stringify's escaping. The writer writes
 * exactly the canonical JSON of the sealed record, so the verifier can insist that a line's
 * bytes equal the canonical encoding of what it parses to: a changed escape or a space is an
 * edit even where it would not change the parsed value.
 */

export const RECORD_VERSION = 1;
/** `prev` of the very first record of a log. */
export const GENESIS = '0'.repeat(64);

const HEX64 = z.string().regex(/^[0-9a-f]{64}$/);
/** RFC 3339 in UTC with milliseconds, as Date.toISOString writes it. */
const TIME = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
const ALG = z.enum(['sha256', 'hmac-sha256']);
export type HashAlg = z.infer<typeof ALG>;

const SEALED = {
  v: z.literal(RECORD_VERSION),
  seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  time: TIME,
  prev: HEX64,
  alg: ALG,
  hash: HEX64,
};

const DecisionRecordSchema = z.strictObject({
  ...SEALED,
  kind: z.literal('decision'),
  phase: z.enum(['request', 'response']),
  user: z.string(),
  groups: z.array(z.string()),
  method: z.string(),
  uri: z.string(),
  action: z.string(),
  object: z.string().optional(),
  decision: z.enum(['allow', 'deny']),
  rule: z.string(),
  reason: z.string(),
  status: z.number().int().min(0).max(999).optional(),
});

/** Written by openAuditLog as the first record of a new file when the old tail did not verify. */
const BreakRecordSchema = z.strictObject({ ...SEALED, kind: z.literal('chain-break'), reason: z.string() });

export const AuditRecordSchema = z.discriminatedUnion('kind', [DecisionRecordSchema, BreakRecordSchema]);
export type AuditRecord = z.infer<typeof AuditRecordSchema>;
export type UnsealedRecord = Omit<AuditRecord, 'hash'>;

const INDEX_KEY = /^(?:0|[1-9]\d*)$/;

/** A copy with object keys inserted in sorted order, undefined members left out. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(obj).sort()) {
    // V8 puts array-index keys first whatever the insertion order; JSON.stringify would then not be sorted.
    if (INDEX_KEY.test(k)) throw new Error(`canonicalJson: index-like key "${k}" is not supported`);
    if (obj[k] !== undefined) out[k] = sorted(obj[k]);
  }
  return out;
}

/**
 * Sorted-key JSON without whitespace. JSON.stringify keeps insertion order for string keys,
 * so stringifying a key-sorted copy is canonical, and several times faster than assembling
 * the text key by key (this runs for every decision).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sorted(value));
}

export function digest(body: string, key: Uint8Array | undefined): string {
  return key ? createHmac('sha256', key).update(body).digest('hex') : createHash('sha256').update(body).digest('hex');
}

// A record's members are strings, numbers and arrays of strings, so stringifying an object
// built in the sorted key order below is its canonical JSON; this is the per-decision path.
const KEYS = {
  decision: Object.keys(DecisionRecordSchema.shape).sort(),
  'chain-break': Object.keys(BreakRecordSchema.shape).sort(),
} as const;

function inOrder(value: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (value[k] !== undefined) out[k] = value[k];
  return out;
}

/** canonicalJson for a record (or one without its hash), on the fast path. */
function canonicalRecord(r: UnsealedRecord | AuditRecord): string {
  return JSON.stringify(inOrder(r, KEYS[r.kind]));
}

/** Seals a record: computes its hash and the exact line (with the newline) to append. */
export function sealRecord(unsealed: UnsealedRecord, key: Uint8Array | undefined): { record: AuditRecord; line: string } {
  const hash = digest(canonicalRecord(unsealed), key);
  const record = { ...unsealed, hash } as AuditRecord;
  return { record, line: `${canonicalRecord(record)}\n` };
}

// Fields come from the wire (URIs, user names, daemon messages); a record stays well under the
// verifier's line limit however large they are.
// Worst case (every char escaped as \uXXXX) a record stays under 512 KiB.
const MAX_FIELD = 4096;
const MAX_GROUP = 128;
const MAX_GROUPS = 256;

function clamp(s: string, max = MAX_FIELD): string {
  return s.length <= max ? s : `${s.slice(0, max)}…[+${s.length - max} chars]`;
}

/** The decision part of a record from an AuditEntry, with oversized fields shortened. */
export function entryFields(entry: AuditEntry) {
  const groups = entry.groups.slice(0, MAX_GROUPS).map((g) => clamp(String(g), MAX_GROUP));
  if (entry.groups.length > MAX_GROUPS) groups.push(`…[+${entry.groups.length - MAX_GROUPS} groups]`);
  return {
    kind: 'decision' as const,
    phase: entry.phase,
    user: clamp(String(entry.user)),
    groups,
    method: clamp(String(entry.method)),
    uri: clamp(String(entry.uri)),
    action: clamp(String(entry.action)),
    ...(entry.object !== undefined ? { object: clamp(String(entry.object)) } : {}),
    decision: entry.decision,
    rule: clamp(String(entry.rule)),
    reason: clamp(String(entry.reason)),
    ...(entry.status !== undefined ? { status: entry.status } : {}),
  };
}

export type LineCheck =
  | { readonly ok: true; readonly record: AuditRecord }
  | { readonly ok: false; readonly kind: 'malformed' | 'edited' | 'key-required'; readonly message: string; readonly seq?: number };

/**
 * Checks one line on its own: JSON, schema, canonical bytes, hash. The chain (seq and prev)
 * is the caller's business.
 */
export function checkLine(bytes: Buffer, key: Uint8Array | undefined): LineCheck {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { ok: false, kind: 'malformed', message: 'not a JSON record' };
  }
  const rawSeq = (value as { seq?: unknown } | null)?.seq;
  const seq = typeof rawSeq === 'number' && Number.isSafeInteger(rawSeq) ? { seq: rawSeq } : {};
  const parsed = AuditRecordSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, kind: 'malformed', message: `not an audit record: ${issue ? `${issue.path.join('.') || 'record'}: ${issue.message}` : 'schema'}`, ...seq };
  }
  const record = parsed.data;
  if (!Buffer.from(canonicalRecord(record)).equals(bytes)) return { ok: false, kind: 'edited', message: 'the line is not the canonical encoding of its record (edited)', ...seq };
  if (record.alg === 'hmac-sha256' && !key) return { ok: false, kind: 'key-required', message: 'the record is keyed (hmac-sha256): verify with the log key', ...seq };
  if (record.alg === 'sha256' && key) return { ok: false, kind: 'edited', message: 'the record is not keyed although the log is (hash replaced)', ...seq };
  const { hash, ...rest } = record;
  if (digest(canonicalRecord(rest), key) !== hash) return { ok: false, kind: 'edited', message: 'the hash does not match the record (edited)', ...seq };
  return { ok: true, record };
}
