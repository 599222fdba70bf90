/** Native JSON encoder: the Inventory as `portcullis-sbom/1` (see json-schema.ts). */
import type { Inventory } from '../catalog/inventory.js';
import type { LayerRef, Package } from '../core/package.js';
import { compareText, type EncodeOptions, sortPackages, toJson } from './common.js';
import { NATIVE_SBOM_SCHEMA_ID, type NativeSbom } from './json-schema.js';

/** Limits for cataloger metadata, so that a strange value cannot blow up the document. */
const MAX_DEPTH = 8;

/** Drops keys whose value is undefined (JSON has no undefined; omitted is the convention). */
function compact<T extends Record<string, unknown>>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

/**
 * A JSON-safe copy of cataloger metadata: bigint → string, Buffer/typed arrays → base64,
 * non-finite numbers, functions and symbols dropped, cycles and very deep nesting cut.
 */
export function jsonSafe(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object' || depth >= MAX_DEPTH || seen.has(value)) return undefined;
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  seen.add(value);
  const out = Array.isArray(value)
    ? value.map((v) => jsonSafe(v, depth + 1, seen) ?? null)
    : compact(
        Object.fromEntries(
          Object.keys(value)
            .sort(compareText)
            .map((k) => [k, jsonSafe((value as Record<string, unknown>)[k], depth + 1, seen)]),
        ),
      );
  seen.delete(value);
  return out;
}

function layer(l: LayerRef): NativeSbom['layers'][number] {
  return compact({ index: l.index, diffId: l.diffId, digest: l.digest, createdBy: l.createdBy });
}

function nativePackage(p: Package): NativeSbom['packages'][number] {
  return compact({
    id: p.id,
    type: p.type,
    name: p.name,
    version: p.version,
    arch: p.arch,
    epoch: p.epoch,
    source: p.source ? { name: p.source.name, version: p.source.version } : undefined,
    purl: p.purl,
    licenses: [...p.licenses],
    foundBy: p.foundBy,
    locations: p.locations.map((l) => compact({ path: l.path, layerDiffId: l.layerDiffId })),
    layer: p.layer ? layer(p.layer) : undefined,
    files: p.files ? [...p.files] : undefined,
    metadata: p.metadata ? (jsonSafe(p.metadata) as Record<string, unknown>) : undefined,
  });
}

/** The native document as an object; `deterministic` needs nothing extra (no random ids). */
export function buildNativeSbom(inv: Inventory, _opts: EncodeOptions = {}): NativeSbom {
  const img = inv.image;
  return {
    schema: NATIVE_SBOM_SCHEMA_ID,
    tool: { name: inv.tool.name, version: inv.tool.version },
    createdAt: inv.createdAt,
    image: compact({
      reference: img.reference,
      source: img.source,
      tags: [...img.tags],
      manifestDigest: img.manifestDigest,
      configDigest: img.configDigest,
      repoDigests: [...(img.repoDigests ?? [])],
      os: img.config.os,
      architecture: img.config.architecture,
      variant: img.config.variant,
      created: img.config.created,
      labels: { ...img.config.labels },
    }),
    os: inv.os
      ? compact({
          id: inv.os.id,
          versionId: inv.os.versionId,
          versionCodename: inv.os.versionCodename,
          prettyName: inv.os.prettyName,
          idLike: inv.os.idLike ? [...inv.os.idLike] : undefined,
          distroless: inv.os.distroless,
          source: inv.os.source,
        })
      : null,
    layers: [...inv.layers].sort((a, b) => a.index - b.index).map(layer),
    packages: sortPackages(inv.packages).map(nativePackage),
    relationships: [...inv.relationships]
      .map((r) => ({ from: r.from, to: r.to, type: r.type }))
      .sort((a, b) => compareText(a.from, b.from) || compareText(a.type, b.type) || compareText(a.to, b.to)),
    problems: inv.problems.map((p) =>
      compact({ code: p.code, message: p.message, layer: p.layer, path: p.path, source: p.source }),
    ),
    catalogers: [...inv.catalogers].map((c) => ({ id: c.id, version: c.version })),
  };
}

export function encodeNativeJson(inv: Inventory, opts: EncodeOptions = {}): string {
  return toJson(buildNativeSbom(inv, opts));
}
