/**
 * Parser for the os-release format, which lsb-release shares.
 * Spec: https://www.freedesktop.org/software/systemd/man/latest/os-release.html
 * "Variable assignments, in a shell-compatible syntax": `KEY=value`, values may be in
 * single or double quotes; in double quotes `\"`, `\\`, `\$` and `` \` `` are escapes;
 * lines starting with `#` are comments; anything else is ignored rather than fatal.
 */

/** Files larger than this are not os-release files (the real ones are < 1 KiB). */
export const MAX_RELEASE_FILE = 64 * 1024;

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface KeyValues {
  readonly values: ReadonlyMap<string, string>;
  /** Lines that are neither assignments, comments nor blank (1-based line numbers). */
  readonly badLines: readonly number[];
}

export function parseKeyValues(text: string): KeyValues {
  const values = new Map<string, string>();
  const badLines: number[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/\r$/, '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const key = eq > 0 ? line.slice(0, eq) : '';
    const value = eq > 0 ? unquote(line.slice(eq + 1)) : undefined;
    if (!KEY.test(key) || value === undefined) {
      badLines.push(i + 1);
      continue;
    }
    // Shell semantics: a later assignment wins.
    values.set(key, value);
  }
  return { values, badLines };
}

/** Undoes shell quoting of one value; undefined when the quoting is broken. */
function unquote(raw: string): string | undefined {
  const first = raw[0];
  if (first === "'") {
    // Single quotes: no escapes at all.
    return raw.length >= 2 && raw.endsWith("'") && raw.indexOf("'", 1) === raw.length - 1 ? raw.slice(1, -1) : undefined;
  }
  if (first !== '"') {
    // Unquoted values may still use backslash escapes; a stray quote means broken input.
    return /["'`]/.test(raw) ? undefined : unescapeShell(raw, /./);
  }
  if (raw.length < 2 || !raw.endsWith('"')) return undefined;
  const inner = raw.slice(1, -1);
  // An unescaped inner double quote means the value is not one quoted word.
  if (/(^|[^\\])(\\\\)*"/.test(inner)) return undefined;
  return unescapeShell(inner, /["\\$`]/);
}

/** Removes the backslash before characters in `escapable`; others keep it (as sh does in "..."). */
function unescapeShell(s: string, escapable: RegExp): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    const next = s[i + 1];
    if (c === '\\' && next !== undefined && escapable.test(next)) {
      out += next;
      i++;
    } else {
      out += c;
    }
  }
  return out;
}
