import { textLines } from '../text-lines.js';

/**
 * A bounded parser for dpkg's control-file format (deb822), as used by
 * `/var/lib/dpkg/status` and distroless `status.d/*` files.
 * Spec: Debian Policy §5.1 https://www.debian.org/doc/debian-policy/ch-controlfields.html
 * and deb822(5): paragraphs separated by blank (or whitespace-only) lines; `Name: value`
 * fields, names case-insensitive; continuation lines start with a space or tab, and a
 * continuation line of ` .` stands for an empty line.
 *
 * Only the fields named in `keep` are stored, so an endless Description costs no memory
 * beyond the input itself. Lines are walked with indexOf rather than split, so a file of
 * millions of empty lines does not become a huge array.
 */

/** Longest value kept for one field; real dpkg fields we keep are far shorter. */
export const MAX_FIELD_LENGTH = 64 * 1024;

export interface Stanza {
  /** Kept fields by lower-cased name. */
  readonly fields: ReadonlyMap<string, string>;
  /** 1-based line number where the stanza starts. */
  readonly line: number;
  /** Set when the stanza has a syntax error; such stanzas should not be used. */
  readonly error?: string;
  /** Non-fatal oddities (duplicated fields). */
  readonly warnings: readonly string[];
}

// Printable US-ASCII except space and colon, not starting with `#` or `-` (Policy §5.1).
const FIELD_NAME = /^[!-"$-,.-9;-~][!-9;-~]*$/;

/** Warnings kept per stanza; a stanza of a million duplicate lines needs only a few. */
const MAX_WARNINGS = 5;

/** Yields stanzas one at a time, so memory does not grow with the number of stanzas. */
export function* parseDeb822(text: string, keep: ReadonlySet<string>): Generator<Stanza> {
  let fields = new Map<string, string>();
  let warnings: string[] = [];
  let error: string | undefined;
  let start = 0; // line number of the current stanza's first line, 0 when none is open
  let current: string | undefined; // lower-cased name of the kept field being continued
  let seenField = false;

  /** Ends the open stanza, if any, and returns it. */
  const close = (): Stanza | undefined => {
    if (start === 0) return undefined; // runs of blank lines cost nothing
    const done: Stanza = { fields, line: start, warnings, ...(error ? { error } : {}) };
    fields = new Map();
    warnings = [];
    error = undefined;
    start = 0;
    current = undefined;
    seenField = false;
    return done;
  };

  for (const [line, lineNo] of textLines(text)) {
    if (line === '' || ((line[0] === ' ' || line[0] === '\t') && /^[ \t]*$/.test(line))) {
      const done = close();
      if (done) yield done;
      continue;
    }
    if (start === 0) start = lineNo;
    if (error) continue; // the rest of a broken stanza is skipped

    const first = line[0];
    if (first === ' ' || first === '\t') {
      if (!seenField) error = `line ${lineNo}: continuation line outside a field`;
      if (current === undefined) continue; // continuation of a field we do not keep
      const prev = fields.get(current) ?? '';
      const piece = line.trim() === '.' ? '' : line.trim();
      if (prev.length + piece.length + 1 > MAX_FIELD_LENGTH) {
        error = `line ${lineNo}: field ${current} is longer than ${MAX_FIELD_LENGTH} characters`;
        continue;
      }
      fields.set(current, `${prev}\n${piece}`);
      continue;
    }

    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!FIELD_NAME.test(name)) {
      error = `line ${lineNo}: not a "Field: value" line`;
      continue;
    }
    const key = name.toLowerCase();
    current = undefined;
    seenField = true;
    if (!keep.has(key)) continue;
    if (fields.has(key)) {
      // dpkg refuses such a database; we keep the first value and say so.
      if (warnings.length < MAX_WARNINGS) warnings.push(`line ${lineNo}: duplicate field ${name}`);
      continue;
    }
    const value = line.slice(colon + 1).trim();
    if (value.length > MAX_FIELD_LENGTH) {
      error = `line ${lineNo}: field ${name} is longer than ${MAX_FIELD_LENGTH} characters`;
      continue;
    }
    fields.set(key, value);
    current = key;
  }
  const last = close();
  if (last) yield last;
}
