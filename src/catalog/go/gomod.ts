/**
 * A reader of the `go.mod` directives that name modules: `module`, `go`, `require`,
 * `replace` (single lines and parenthesized blocks), with `// indirect` comments.
 * Spec: https://go.dev/ref/mod#go-mod-file-grammar
 */

export interface GoModRequire {
  readonly path: string;
  readonly version: string;
  readonly indirect: boolean;
}

export interface GoModReplace {
  readonly from: string;
  /** Undefined: every version of `from` is replaced. */
  readonly fromVersion?: string;
  readonly to: string;
  /** Undefined for a local directory replacement. */
  readonly toVersion?: string;
}

export interface GoMod {
  readonly module?: string;
  readonly go?: string;
  readonly requires: GoModRequire[];
  readonly replaces: GoModReplace[];
  /** Lines that could not be read, with their 1-based number. */
  readonly errors: string[];
}

const MAX_ERRORS = 20;

/** Splits a line into tokens: bare words or "interpreted" / `raw` strings, up to a `//` comment. */
function tokens(line: string): { words: string[]; comment: string } {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i] as string;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (line.startsWith('//', i)) return { words, comment: line.slice(i + 2).trim() };
    if (c === '"' || c === '`') {
      const end = line.indexOf(c, i + 1);
      const stop = end < 0 ? line.length : end;
      words.push(line.slice(i + 1, stop));
      i = stop + 1;
      continue;
    }
    let j = i;
    while (j < line.length && line[j] !== ' ' && line[j] !== '\t' && !line.startsWith('//', j)) j++;
    words.push(line.slice(i, j));
    i = j;
  }
  return { words, comment: '' };
}

export function parseGoMod(text: string): GoMod {
  const requires: GoModRequire[] = [];
  const replaces: GoModReplace[] = [];
  const errors: string[] = [];
  let module: string | undefined;
  let go: string | undefined;
  let block: string | undefined;
  const bad = (n: number, line: string) => {
    if (errors.length < MAX_ERRORS) errors.push(`line ${n}: ${line.slice(0, 120)}`);
  };
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const { words, comment } = tokens(lines[n] as string);
    if (words.length === 0) continue;
    let verb: string | undefined;
    let args: string[];
    if (block !== undefined) {
      if (words[0] === ')') {
        block = undefined;
        continue;
      }
      verb = block;
      args = words;
    } else {
      verb = words[0];
      args = words.slice(1);
      if (args.length === 1 && args[0] === '(') {
        block = verb;
        continue;
      }
    }
    const ok = directive(verb, args, comment);
    if (ok === false) bad(n + 1, lines[n] as string);
  }
  return { ...(module ? { module } : {}), ...(go ? { go } : {}), requires, replaces, errors };

  function directive(verb: string | undefined, args: string[], comment: string): boolean | undefined {
    switch (verb) {
      case 'module':
        module = args[0];
        return args.length >= 1;
      case 'go':
        go = args[0];
        return args.length >= 1;
      case 'require':
        if (args.length !== 2) return false;
        requires.push({ path: args[0] as string, version: args[1] as string, indirect: /(^|;)\s*indirect\s*(;|$)/.test(comment) });
        return true;
      case 'replace': {
        const arrow = args.indexOf('=>');
        if (arrow < 1 || arrow > 2 || args.length - arrow - 1 < 1 || args.length - arrow - 1 > 2) return false;
        const [fromVersion, to, toVersion] = [arrow === 2 ? args[1] : undefined, args[arrow + 1] as string, args[arrow + 2]];
        replaces.push({ from: args[0] as string, ...(fromVersion ? { fromVersion } : {}), to, ...(toVersion ? { toVersion } : {}) });
        return true;
      }
      default:
        // exclude, retract, toolchain, tool, godebug, ignore: not modules that are built in.
        return undefined;
    }
  }
}

/** The replacement that applies to `path@version`: a versioned one wins over a blanket one. */
export function replacementFor(mod: GoMod, path: string, version: string): GoModReplace | undefined {
  return (
    mod.replaces.find((r) => r.from === path && r.fromVersion === version) ??
    mod.replaces.find((r) => r.from === path && r.fromVersion === undefined)
  );
}
