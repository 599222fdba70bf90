import { z } from 'zod';

/**
 * The parts of the native `--format json` SBOM (schema portcullis-sbom/1) the acceptance tests
 * rely on, parsed at the boundary like any external input. Unknown fields are ignored.
 */
const LayerSchema = z.object({
  index: z.number().int().nonnegative(),
  diffId: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  createdBy: z.string().optional(),
});

const PackageSchema = z.object({
  id: z.string().min(1),
  type: z.string(),
  name: z.string().min(1),
  version: z.string().min(1),
  arch: z.string().optional(),
  source: z.object({ name: z.string(), version: z.string() }).optional(),
  purl: z.string().startsWith('pkg:'),
  layer: LayerSchema.optional(),
  locations: z.array(z.object({ path: z.string(), layerDiffId: z.string().optional() })),
  files: z.array(z.string()).optional(),
});

export const NativeSbomSchema = z.object({
  schema: z.literal('portcullis-sbom/1'),
  image: z.record(z.string(), z.unknown()),
  os: z.object({ id: z.string(), versionId: z.string().optional() }).nullish(),
  layers: z.array(LayerSchema),
  packages: z.array(PackageSchema),
  problems: z.array(z.object({ code: z.string(), message: z.string() })),
});

export type NativeSbom = z.infer<typeof NativeSbomSchema>;
export type SbomPackage = NativeSbom['packages'][number];

export function parseNativeSbom(text: string): NativeSbom {
  return NativeSbomSchema.parse(JSON.parse(text));
}

/**
 * Source package as dpkg defines it: no `Source:` field means the source is the binary
 * package itself, at the same version (deb-control(5)), so an omitted `source` compares equal.
 */
export function sourceOf(p: SbomPackage): { name: string; version: string } {
  return { name: p.source?.name || p.name, version: p.source?.version || p.version };
}

/** The identity of a deb package the sources must agree on, as one comparable string. */
export function debKey(p: SbomPackage): string {
  const src = sourceOf(p);
  return [p.name, p.version, p.arch ?? '', src.name, src.version, p.layer?.index ?? '-', p.layer?.diffId ?? '-'].join('\t');
}

export function debPackages(sbom: NativeSbom): SbomPackage[] {
  return sbom.packages.filter((p) => p.type === 'deb');
}
