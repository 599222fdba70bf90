/**
 * Core metadata (METADATA / PKG-INFO): RFC 822 style headers, then a blank line and the
 * long description, which is ignored.
 * https://packaging.python.org/en/latest/specifications/core-metadata/
 */

/** Headers live at the top; real ones are a few KB. Past this we stop reading. */
const MAX_HEADER_BYTES = 1024 * 1024;

export interface CoreMetadata {
  /** Lower-cased header name → values in order (Classifier repeats). */
  readonly headers: ReadonlyMap<string, readonly string[]>;
}

export function parseCoreMetadata(text: string): CoreMetadata {
  const headers = new Map<string, string[]>();
  let last: { key: string; values: string[] } | undefined;
  const head = text.length > MAX_HEADER_BYTES ? text.slice(0, MAX_HEADER_BYTES) : text;
  for (const raw of head.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') break; // end of headers: the body is the description
    if (/^[ \t]/.test(line)) {
      // Continuation of the previous header (multi-line License, Description).
      if (last) last.values[last.values.length - 1] += `\n${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const values = headers.get(key) ?? [];
    values.push(value);
    headers.set(key, values);
    last = { key, values };
  }
  return { headers };
}

export function header(meta: CoreMetadata, key: string): string | undefined {
  return meta.headers.get(key.toLowerCase())?.[0];
}

const NO_LICENSE = new Set(['', 'unknown', 'none', 'n/a']);

/**
 * Licences in the order the spec ranks them: `License-Expression` (SPDX, metadata 2.4),
 * then the free-text `License`, then `License :: ...` trove classifiers.
 */
export function licensesOf(meta: CoreMetadata): string[] {
  const expr = header(meta, 'License-Expression')?.trim();
  if (expr) return [expr];
  const text = header(meta, 'License')?.trim();
  // A whole licence text pasted into the field is not an identifier: fall through.
  if (text && !NO_LICENSE.has(text.toLowerCase()) && !text.includes('\n') && text.length <= 100) return [text];
  const out: string[] = [];
  for (const c of meta.headers.get('classifier') ?? []) {
    const parts = c.split('::').map((p) => p.trim());
    if (parts[0] !== 'License' || parts.length < 2) continue;
    const last = parts[parts.length - 1];
    if (last && last !== 'OSI Approved' && !out.includes(last)) out.push(last);
  }
  return out;
}
