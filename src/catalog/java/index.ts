import { PackageURL } from 'packageurl-js';
import { z } from 'zod';
import { packageId, type Location, type Package } from '../../core/package.js';
import { problem, type Problem } from '../../core/problem.js';
import type { CapturedFile, Cataloger, CatalogResult, CatalogView, FileSummary } from '../types.js';
import { isArchiveName, summarizeArchive } from './archive.js';
import type { JavaArtifact } from './identity.js';
import { fileLocation } from '../captured-file.js';

/**
 * Java archives (SCANNER-NOTES.md §3.8): jar/war/ear and friends, with the archives nested
 * in them. Each archive is reduced to a small summary while its layer is read; `catalog`
 * turns the summaries into `maven` packages named `groupId:artifactId` like GHSA/OSV.
 */
const ID = 'java';
/** 2: groupId from manifest fields and class packages when no descriptor names it. */
const VERSION = '2';
const FOUND_BY = `${ID}@${VERSION}`;
/** Fat jars and wars reach a few hundred MiB; beyond that the file is not worth holding. */
const MAX_FILE_SIZE = 512 * 1024 * 1024;

/** Summaries come back from the layer cache: checked before use. */
const ArtifactSchema = z.object({
  groupId: z.string().optional(),
  groupIdFrom: z.enum(['Group-Id', 'Implementation-Title', 'Automatic-Module-Name', 'Bundle-SymbolicName', 'Implementation-Vendor-Id', 'Implementation-Vendor', 'Specification-Vendor', 'classes']).optional(),
  artifactId: z.string(),
  version: z.string(),
  source: z.enum(['pom.properties', 'pom.xml', 'manifest', 'filename']),
  virtualPath: z.string(),
  nested: z.boolean(),
  licenses: z.array(z.string()),
  manifest: z.record(z.string(), z.string()).optional(),
});
const SummarySchema = z.object({ artifacts: z.array(ArtifactSchema), problems: z.array(z.string()) });

function summarize(file: { readonly path: string; readonly content: Buffer }): FileSummary {
  const s = summarizeArchive(file.path, file.content);
  return { artifacts: s.artifacts, problems: s.problems };
}

/**
 * Without a groupId the purl would lack the namespace Maven purls require. We then use the
 * artifactId as the namespace (the convention of many legacy artifacts such as
 * `commons-io:commons-io`), name the package by its artifactId alone so that no advisory
 * keyed by `groupId:artifactId` matches a guess, and flag it as `groupIdUnknown`.
 */
function toPackage(a: JavaArtifact, location: Location): Package {
  const name = a.groupId ? `${a.groupId}:${a.artifactId}` : a.artifactId;
  const purl = new PackageURL('maven', a.groupId ?? a.artifactId, a.artifactId, a.version, undefined, undefined).toString();
  const metadata: Record<string, unknown> = {
    ...(a.groupId ? { groupId: a.groupId } : { groupIdUnknown: true }),
    ...(a.groupIdFrom ? { groupIdFrom: a.groupIdFrom } : {}),
    artifactId: a.artifactId,
    identity: a.source,
    virtualPath: a.virtualPath,
    virtualPaths: [a.virtualPath],
    nested: a.nested,
    ...(a.manifest ? { manifest: a.manifest } : {}),
  };
  return { id: packageId('maven', name, a.version), type: 'maven', name, version: a.version, licenses: a.licenses, purl, foundBy: FOUND_BY, locations: [location], metadata };
}

function summaryOf(file: CapturedFile): z.infer<typeof SummarySchema> | string {
  const raw = file.summaries?.[ID] ?? (file.content.length > 0 ? summarize(file) : undefined);
  if (raw === undefined || raw === null) return 'archive was not summarized';
  const parsed = SummarySchema.safeParse(raw);
  return parsed.success ? parsed.data : 'archive summary has an unexpected shape';
}

function virtualPaths(p: Package): string[] {
  const v = p.metadata?.virtualPaths;
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** The same coordinates at several paths: one package, every location and virtual path. */
function merge(seen: Package, pkg: Package): Package {
  const paths = [...virtualPaths(seen), ...virtualPaths(pkg)];
  const locations = seen.locations.some((l) => l.path === pkg.locations[0]!.path) ? seen.locations : [...seen.locations, ...pkg.locations];
  const licenses = seen.licenses.length > 0 ? seen.licenses : pkg.licenses;
  return { ...seen, locations, licenses, metadata: { ...seen.metadata, virtualPaths: [...new Set(paths)] } };
}

function catalog(view: CatalogView): CatalogResult {
  const problems: Problem[] = [];
  const byId = new Map<string, Package>();
  for (const file of view.files()) {
    const where = { path: file.path, source: ID, ...(file.layerDiffId ? { layer: file.layerDiffId } : {}) };
    const summary = summaryOf(file);
    if (typeof summary === 'string') {
      problems.push(problem('CATALOG_PARSE', `${file.path}: ${summary}`, where));
      continue;
    }
    for (const message of summary.problems) problems.push(problem('CATALOG_PARSE', message, where));
    const location: Location = fileLocation(file);
    for (const a of summary.artifacts) {
      // zod's optional fields admit `undefined`; the schema above mirrors JavaArtifact.
      const pkg = toPackage(a as JavaArtifact, location);
      const seen = byId.get(pkg.id);
      byId.set(pkg.id, seen ? merge(seen, pkg) : pkg);
    }
  }
  return { packages: [...byId.values()], relationships: [], problems };
}

export const javaCataloger: Cataloger = {
  id: ID,
  version: VERSION,
  wants: (path) => isArchiveName(path),
  summarize,
  maxFileSize: MAX_FILE_SIZE,
  catalog,
};
