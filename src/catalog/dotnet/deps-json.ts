/**
 * The `*.deps.json` format (https://github.com/dotnet/sdk/blob/main/documentation/specs/runtime-configuration-file.md):
 * `libraries` maps `Name/Version` to `{type, serviceable, sha512, path, hashPath}`;
 * `targets[<framework>]["Name/Version"].dependencies` maps dependency names to versions.
 */
export interface DepsLibrary {
  readonly name: string;
  readonly version: string;
  readonly type: 'package' | 'project';
  readonly sha512?: string;
  readonly path?: string;
}

export interface DepsParse {
  readonly libraries: DepsLibrary[];
  /** `name@version` pairs (case as written). */
  readonly edges: Array<readonly [string, string]>;
  readonly messages: string[];
  readonly runtimeTarget: string | undefined;
}

/** A large app lists a few hundred libraries. */
const MAX_ENTRIES = 100_000;
const MAX_MESSAGES = 20;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `Newtonsoft.Json/13.0.3` → [name, version]; NuGet ids contain no `/`. */
function splitKey(key: string): [string, string] | undefined {
  const slash = key.indexOf('/');
  if (slash <= 0 || slash === key.length - 1 || key.indexOf('/', slash + 1) >= 0) return undefined;
  return [key.slice(0, slash), key.slice(slash + 1)];
}

export function parseDepsJson(text: string): DepsParse {
  const messages: string[] = [];
  const note = (m: string) => {
    if (messages.length < MAX_MESSAGES) messages.push(m);
  };
  let doc: unknown;
  try {
    doc = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text); // the SDK may write a BOM
  } catch (err) {
    return {
      libraries: [],
      edges: [],
      messages: [`not valid JSON: ${(err as Error).message.slice(0, 200)}`],
      runtimeTarget: undefined,
    };
  }
  if (!isObject(doc) || !isObject(doc.libraries)) {
    return {
      libraries: [],
      edges: [],
      messages: ['no "libraries" object: not a deps.json'],
      runtimeTarget: undefined,
    };
  }
  const runtimeTarget = isObject(doc.runtimeTarget) && typeof doc.runtimeTarget.name === 'string' ? doc.runtimeTarget.name : undefined;
  const libraries: DepsLibrary[] = [];
  const entries = Object.entries(doc.libraries);
  if (entries.length > MAX_ENTRIES) note(`more than ${MAX_ENTRIES} libraries; the rest were ignored`);
  for (const [key, lib] of entries.slice(0, MAX_ENTRIES)) {
    const nv = splitKey(key);
    if (!nv || !isObject(lib)) {
      note(`library "${key.slice(0, 100)}" is not "Name/Version" with an object`);
      continue;
    }
    if (lib.type !== 'package' && lib.type !== 'project') continue; // `reference` assemblies are not packages
    libraries.push({
      name: nv[0],
      version: nv[1],
      type: lib.type,
      ...(typeof lib.sha512 === 'string' && lib.sha512 ? { sha512: lib.sha512 } : {}),
      ...(typeof lib.path === 'string' ? { path: lib.path } : {}),
    });
  }
  return {
    libraries,
    edges: targetEdges(doc.targets),
    messages,
    runtimeTarget,
  };
}

/** depends-on pairs from every target framework (and runtime-specific target) listed. */
function targetEdges(targets: unknown): Array<readonly [string, string]> {
  const edges: Array<readonly [string, string]> = [];
  if (!isObject(targets)) return edges;
  for (const target of Object.values(targets).slice(0, 100)) {
    if (!isObject(target)) continue;
    for (const [key, entry] of Object.entries(target).slice(0, MAX_ENTRIES)) {
      const nv = splitKey(key);
      if (!nv || !isObject(entry) || !isObject(entry.dependencies)) continue;
      for (const [dep, version] of Object.entries(entry.dependencies).slice(0, 10_000)) {
        if (typeof version === 'string' && edges.length < 1_000_000) edges.push([`${nv[0]}@${nv[1]}`, `${dep}@${version}`]);
      }
    }
  }
  return edges;
}
