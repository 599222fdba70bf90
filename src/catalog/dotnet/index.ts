import { PackageURL } from 'packageurl-js';
import { type Location, type Package, packageId, type Relationship } from '../../core/package.js';
import { type Problem, problem } from '../../core/problem.js';
import type { CapturedFile, Cataloger, CatalogResult, CatalogView } from '../types.js';
import { type DepsLibrary, parseDepsJson } from './deps-json.js';
import { fileContext, fileLocation } from '../captured-file.js';

/**
 * .NET packages from `*.deps.json`, the runtime dependency manifest the SDK writes beside an
 * app (https://github.com/dotnet/sdk/blob/main/documentation/specs/runtime-configuration-file.md).
 * `libraries` entries of type `package` are NuGet packages; type `project` is the app itself
 * (reported with metadata.project = true); `reference` assemblies are skipped.
 */
const ID = 'dotnet';
const VERSION = '1';
const FOUND_BY = `${ID}@${VERSION}`;
/** Large apps' deps.json are a few hundred KB. */
const MAX_FILE_SIZE = 16 * 1024 * 1024;

function wants(path: string): boolean {
  return path.endsWith('.deps.json');
}

function where(file: CapturedFile) {
  return fileContext(file, ID);
}

function catalog(view: CatalogView): CatalogResult {
  /** NuGet ids are case-insensitive: one package per lower-cased name@version, first spelling kept. */
  const byKey = new Map<string, Package>();
  const relationships: Relationship[] = [];
  const edgeKeys = new Set<string>();
  const problems: Problem[] = [];
  for (const file of view.files()) {
    if (file.content.length > MAX_FILE_SIZE) {
      problems.push(problem('FILE_TOO_LARGE', `${file.path} is ${file.content.length} bytes (limit ${MAX_FILE_SIZE})`, where(file)));
      continue;
    }
    let parsed: ReturnType<typeof parseDepsJson>;
    try {
      parsed = parseDepsJson(file.content.toString('utf8'));
    } catch (err) {
      // The parser does not throw on bad input; this guards the scan against a bug.
      parsed = {
        libraries: [],
        edges: [],
        messages: [`parser failed: ${(err as Error).message?.slice(0, 200)}`],
        runtimeTarget: undefined,
      };
    }
    for (const m of parsed.messages) problems.push(problem('CATALOG_PARSE', `${file.path}: ${m}`, where(file)));
    const location: Location = fileLocation(file);
    for (const lib of parsed.libraries) {
      const key = `${lib.name}@${lib.version}`.toLowerCase();
      const seen = byKey.get(key);
      if (seen) {
        if (!seen.locations.some((l) => l.path === file.path)) byKey.set(key, { ...seen, locations: [...seen.locations, location] });
        continue;
      }
      const pkg = toPackage(lib, location, parsed.runtimeTarget);
      if (pkg) byKey.set(key, pkg);
      else problems.push(problem('CATALOG_PARSE', `${file.path}: cannot make a purl for ${lib.name.slice(0, 100)}`, where(file)));
    }
    for (const [from, to] of parsed.edges) {
      const a = byKey.get(from.toLowerCase())?.id;
      const b = byKey.get(to.toLowerCase())?.id;
      const k = `${a}\n${b}`;
      if (!a || !b || a === b || edgeKeys.has(k)) continue;
      edgeKeys.add(k);
      relationships.push({ from: a, to: b, type: 'depends-on' });
    }
  }
  return { packages: [...byKey.values()], relationships, problems };
}

function toPackage(lib: DepsLibrary, location: Location, runtimeTarget: string | undefined): Package | undefined {
  let purl: string;
  try {
    // https://github.com/package-url/purl-spec/blob/main/PURL-TYPES.rst#nuget
    purl = new PackageURL('nuget', undefined, lib.name, lib.version, undefined, undefined).toString();
  } catch {
    return undefined;
  }
  const metadata: Record<string, unknown> = { libraryType: lib.type };
  if (lib.type === 'project') metadata.project = true;
  if (lib.sha512) metadata.sha512 = lib.sha512;
  if (lib.path) metadata.path = lib.path;
  if (runtimeTarget) metadata.runtimeTarget = runtimeTarget;
  return {
    id: packageId('nuget', lib.name, lib.version),
    type: 'nuget',
    name: lib.name,
    version: lib.version,
    licenses: [], // deps.json carries no licence; the .nuspec is not in the image
    purl,
    foundBy: FOUND_BY,
    locations: [location],
    metadata,
  };
}

export const dotnetCataloger: Cataloger = {
  id: ID,
  version: VERSION,
  wants,
  maxFileSize: MAX_FILE_SIZE,
  catalog,
};
