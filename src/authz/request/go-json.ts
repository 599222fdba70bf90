/**
 * Reading a JSON body the way dockerd's Go encoding/json will, so the facts we derive are
 * the ones dockerd acts on:
 *  - Go matches object keys to struct fields case-insensitively, with Unicode simple
 *    folding: `privileged`, `PRIVILEGED` and `ſecurityOpt` (U+017F) all set the field
 *    (testdata/raw-lowercase-keys-create.json is a privileged container dockerd created);
 *  - when several keys match one field, the last one wins in Go; JSON.parse keeps the last
 *    value of an exact duplicate but at the first one's position, so the two can disagree.
 *    We refuse both shapes instead of guessing: no Docker client sends either.
 * JSON.parse also refuses what Go's Decoder would skip (a second value after the first), which
 * errs on the side of refusing.
 */

export type JsonObject = { readonly [key: string]: unknown };

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Go's fold for ASCII field names: lower-case, plus the two non-ASCII letters that fold into
 * ASCII. String.toLowerCase already maps the Kelvin sign (U+212A) to `k` and is the only
 * non-ASCII lower-casing that yields ASCII (checked over all code points); the long s
 * (U+017F) is lower-case already, so it is mapped by hand.
 */
export function goFold(key: string): string {
  const lower = key.toLowerCase();
  return lower.includes('\u017F') ? lower.replaceAll('\u017F', 's') : lower;
}

// Folded key → the object's keys with that fold, built once per object.
const indexes = new WeakMap<JsonObject, Map<string, string[]>>();

function foldIndex(obj: JsonObject): Map<string, string[]> {
  let index = indexes.get(obj);
  if (index) return index;
  index = new Map();
  for (const key of Object.keys(obj)) {
    const f = goFold(key);
    const keys = index.get(f);
    if (keys) keys.push(key);
    else index.set(f, [key]);
  }
  indexes.set(obj, index);
  return index;
}

export class AmbiguousFieldError extends Error {}

/**
 * The value Go's decoder puts in struct field `name` of `obj`, or undefined when absent or
 * null (Go leaves the field at its zero value for both). Throws AmbiguousFieldError when
 * two keys fold to the field.
 */
export function goField(obj: JsonObject, name: string): unknown {
  const keys = foldIndex(obj).get(goFold(name));
  if (!keys) return undefined;
  if (keys.length > 1) throw new AmbiguousFieldError(`the body has both "${keys[0]}" and "${keys[1]}", which Go reads as one field ${name}`);
  return obj[keys[0] as string] ?? undefined;
}

/** Picks Go struct fields by name into an object keyed by the canonical names, for a zod schema to check. */
export function goFields<K extends string>(obj: JsonObject, names: readonly K[]): Partial<Record<K, unknown>> {
  const out: Partial<Record<K, unknown>> = {};
  for (const n of names) {
    const v = goField(obj, n);
    if (v !== undefined) out[n] = v;
  }
  return out;
}

/**
 * The first object key that appears twice in one object (exactly), or undefined. The text
 * has already passed JSON.parse, so a small scanner suffices: strings are skipped whole, and
 * a string followed by `:` is a key of the innermost object.
 */
export function findDuplicateKey(text: string): string | undefined {
  const stack: (Set<string> | undefined)[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b) stack.push(new Set());
    else if (c === 0x5b) stack.push(undefined);
    else if (c === 0x7d || c === 0x5d) stack.pop();
    else if (c === 0x22) {
      let j = i + 1;
      let escaped = false;
      for (let d = text.charCodeAt(j); d !== 0x22; d = text.charCodeAt(j)) {
        if (d === 0x5c) {
          escaped = true;
          j++;
        }
        j++;
      }
      const start = i;
      i = j;
      let k = j + 1;
      // JSON whitespace: space, tab, LF, CR.
      for (let d = text.charCodeAt(k); d === 0x20 || d === 0x09 || d === 0x0a || d === 0x0d; d = text.charCodeAt(k)) k++;
      const keys = stack[stack.length - 1];
      if (text.charCodeAt(k) !== 0x3a || !keys) continue;
      const key = escaped ? (JSON.parse(text.slice(start, j + 1)) as string) : text.slice(start + 1, j);
      if (keys.has(key)) return key;
      keys.add(key);
    }
  }
  return undefined;
}
