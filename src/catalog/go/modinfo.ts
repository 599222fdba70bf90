/**
 * The modinfo text inside Go build info: tab-separated lines `path`, `mod`, `dep`, `=>`,
 * `build` (SCANNER-NOTES.md §3.7; the format of `runtime/debug.BuildInfo.String`,
 * https://pkg.go.dev/runtime/debug#BuildInfo).
 */

/** [path, version, sum] */
export type ModuleTuple = readonly [path: string, version: string, sum: string];
/** [path, version, sum, replacedBy?] as kept in the summary. */
export type DepTuple = readonly [path: string, version: string, sum: string, replacedBy?: ModuleTuple];

/** What `summarize` keeps of a Go binary: small and JSON-serializable. */
export interface GoSummary {
  readonly goVersion: string;
  /** The main package path (`path` line); empty for binaries built without modules. */
  readonly path: string;
  readonly main?: { readonly path: string; readonly version: string; readonly sum: string; readonly replacedBy?: ModuleTuple };
  readonly deps: readonly DepTuple[];
  readonly settings: Readonly<Record<string, string>>;
}

/** Real binaries have < 2,000 deps; beyond this the modinfo is hostile. */
const MAX_DEPS = 50_000;
const MAX_SETTINGS = 1_000;

function tuple(fields: readonly string[]): ModuleTuple {
  return [fields[1] ?? '', fields[2] ?? '', fields[3] ?? ''];
}

export function parseModinfo(goVersion: string, modinfo: string): GoSummary {
  let path = '';
  let main: { path: string; version: string; sum: string; replacedBy?: ModuleTuple } | undefined;
  const deps: DepTuple[] = [];
  const settings: Record<string, string> = {};
  let nSettings = 0;
  // `=>` replaces the module on the line before it: `mod` or the last `dep`.
  let last: 'main' | 'dep' | undefined;
  for (const line of modinfo.split('\n')) {
    const fields = line.split('\t');
    switch (fields[0]) {
      case 'path':
        path = fields[1] ?? '';
        last = undefined;
        break;
      case 'mod': {
        const [p, v, s] = tuple(fields);
        main = { path: p, version: v, sum: s };
        last = 'main';
        break;
      }
      case 'dep':
        if (deps.length < MAX_DEPS) deps.push(tuple(fields));
        last = 'dep';
        break;
      case '=>':
        if (last === 'main' && main) main = { ...main, replacedBy: tuple(fields) };
        if (last === 'dep' && deps.length > 0) {
          const d = deps[deps.length - 1] as DepTuple;
          deps[deps.length - 1] = [d[0], d[1], d[2], tuple(fields)];
        }
        last = undefined;
        break;
      case 'build': {
        const kv = fields.slice(1).join('\t');
        const eq = kv.indexOf('=');
        // Keys are never quoted; values with spaces are quoted by Go (strconv.Quote).
        if (eq > 0 && nSettings++ < MAX_SETTINGS) settings[kv.slice(0, eq)] = unquote(kv.slice(eq + 1));
        break;
      }
      default:
        break;
    }
  }
  return { goVersion, path, ...(main ? { main } : {}), deps, settings };
}

function unquote(v: string): string {
  if (v.length < 2 || !v.startsWith('"') || !v.endsWith('"')) return v;
  try {
    const parsed: unknown = JSON.parse(v);
    return typeof parsed === 'string' ? parsed : v;
  } catch {
    return v;
  }
}

/** `go1.19.8` → `v1.19.8`; also `go1.21.3 X:boringcrypto`, `go1.22rc1`; undefined for `devel …`. */
export function stdlibVersion(goVersion: string): string | undefined {
  const m = /^go(\d+(?:\.\d+)*(?:(?:rc|beta)\d+)?)(?:\s|$)/.exec(goVersion);
  if (!m?.[1]) return undefined;
  const v = m[1].replace(/^(\d+\.\d+)(rc|beta)/, '$1.0-$2');
  return `v${v}`;
}
