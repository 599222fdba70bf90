import { textLines } from '../text-lines.js';

/**
 * Parser for apk's installed database (`lib/apk/db/installed`), the "package info
 * format" of apk-tools: stanzas separated by blank lines, one `X:value` line per field,
 * with `F:` (a directory) followed by its `R:` (files) and their `a:`/`Z:` lines.
 * Spec: https://wiki.alpinelinux.org/wiki/Apk_spec#Installed_Database_V2
 */

/** Single-valued fields we keep: name, version, arch, sizes, text, origin, maintainer… */
const SINGLE = new Set(['P', 'V', 'A', 'S', 'I', 'T', 'U', 'L', 'o', 'm', 't', 'c', 'C']);
/** Longest value kept for one field; real ones are far shorter. */
const MAX_VALUE = 64 * 1024;

export interface ApkStanza {
  /** 1-based line number of the stanza's first line. */
  readonly line: number;
  readonly fields: ReadonlyMap<string, string>;
  /** `D:` entries (space separated; `!` prefix = conflict; `so:`/`cmd:`/`pc:` virtuals). */
  readonly depends: readonly string[];
  /** `p:` entries. */
  readonly provides: readonly string[];
  /** `R:` files as absolute paths, joined with the preceding `F:` directory. */
  readonly files: readonly string[];
  readonly error?: string;
  readonly warnings: readonly string[];
}

interface Draft {
  line: number;
  fields: Map<string, string>;
  depends: string[];
  provides: string[];
  files: string[];
  dir: string;
  error?: string;
  warnings: string[];
}

/** Warnings kept per stanza; a stanza of a million bad lines needs only a few. */
const MAX_WARNINGS = 5;

/** Yields stanzas one at a time, so memory does not grow with the number of stanzas. */
export function* parseInstalledDb(text: string): Generator<ApkStanza> {
  let draft: Draft | undefined;
  /** Ends the open stanza, if any, and returns it. */
  const close = (): ApkStanza | undefined => {
    if (!draft) return undefined;
    const { line, fields, depends, provides, files, warnings, error } = draft;
    draft = undefined;
    return { line, fields, depends, provides, files, warnings, ...(error ? { error } : {}) };
  };

  for (const [line, lineNo] of textLines(text)) {
    if (line.trim() === '') {
      const done = close();
      if (done) yield done;
      continue;
    }
    draft ??= { line: lineNo, fields: new Map(), depends: [], provides: [], files: [], dir: '', warnings: [] };
    if (draft.error) continue;
    readLine(draft, line, lineNo);
  }
  const last = close();
  if (last) yield last;
}

function warn(d: Draft, message: string): void {
  if (d.warnings.length < MAX_WARNINGS) d.warnings.push(message);
}

function readLine(d: Draft, line: string, lineNo: number): void {
  const key = line[0] as string;
  if (line[1] !== ':' || !/^[A-Za-z]$/.test(key)) {
    d.error = `line ${lineNo}: not an "X:value" line`;
    return;
  }
  const value = line.slice(2);
  if (value.length > MAX_VALUE) {
    d.error = `line ${lineNo}: ${key}: value longer than ${MAX_VALUE} characters`;
    return;
  }
  if (SINGLE.has(key)) {
    if (d.fields.has(key)) warn(d, `line ${lineNo}: duplicate ${key}: field`);
    else d.fields.set(key, value);
    return;
  }
  switch (key) {
    case 'D':
      d.depends.push(...words(value));
      return;
    case 'p':
      d.provides.push(...words(value));
      return;
    case 'F':
      d.dir = value.replace(/^\/+|\/+$/g, '');
      return;
    case 'R':
      if (value === '' || value.includes('/') || value.includes('\0')) {
        warn(d, `line ${lineNo}: invalid file name in R: line`);
        return;
      }
      d.files.push(d.dir ? `/${d.dir}/${value}` : `/${value}`);
      return;
    default:
      // Other keys (a, M, Z, i, r, k, q, …) carry nothing the inventory uses.
      return;
  }
}

function words(value: string): string[] {
  return value.split(/\s+/).filter(Boolean);
}
