import { z } from 'zod';
import { PortcullisError } from '../../core/errors.js';
import { layerMetas, parseImageConfig, type ParsedConfig } from '../config.js';
import { verifyDigest } from '../digest.js';
import { verified } from '../oci/blob-store.js';
import { MAX_CONFIG_BYTES } from '../oci/layout.js';
import type { ImageSourceOptions, LayerMeta, LayerVisitor, OpenedImage } from '../types.js';
import { EXPORT_IDLE_MS, type Endpoint, engineGet, engineJson, imagePath, parseDockerHost } from './engine.js';
import { collect, hashMember, walkExport, type ExportMember } from './export-stream.js';

/**
 * `docker:NAME`: an image held by the local Docker Engine. Metadata comes from
 * `GET /images/{name}/json` and `/history`; layers from the `docker save` stream of
 * `GET /images/{id}/get`, read sequentially. API: https://docs.docker.com/engine/api/v1.41/#tag/Image
 */
const SHA256 = /^sha256:[0-9a-f]{64}$/;
export const InspectSchema = z
  .object({
    Id: z.string().regex(SHA256),
    RepoTags: z.array(z.string()).nullish(),
    RepoDigests: z.array(z.string()).nullish(),
    Created: z.string().optional(),
    Os: z.string().default(''),
    Architecture: z.string().default(''),
    Variant: z.string().optional(),
    Config: z.record(z.string(), z.unknown()).nullish(),
    RootFS: z.object({ Type: z.string(), Layers: z.array(z.string()).nullish() }).passthrough(),
  })
  .passthrough();
type Inspect = z.infer<typeof InspectSchema>;

export const HistorySchema = z.array(
  z.object({ Created: z.number(), CreatedBy: z.string().nullish(), Size: z.number(), Comment: z.string().nullish() }).passthrough(),
);
type History = z.infer<typeof HistorySchema>;

const MAX_JSON_REPLY = 16 * 1024 * 1024;
const LEGACY_LAYER = /^[0-9a-f]{64}\/layer\.tar$/;
const BLOB = /^blobs\/sha256\/([0-9a-f]{64})$/;

function schemaParse<T>(schema: z.ZodType<T>, json: unknown, what: string, reference: string): T {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new PortcullisError('DAEMON_ERROR', `Docker daemon's ${what} reply is invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`, { reference });
}

/**
 * The daemon's history marks no empty layers, but only non-empty layers can have a size, so
 * when the entries with a size are exactly as many as the diffIDs they are the layers. Else
 * (a layer that only deletes files has size 0) undefined: the caller reads the real config.
 */
export function configFromInspect(inspect: Inspect, history: History, where: string): ParsedConfig | undefined {
  const diffIds = inspect.RootFS.Layers ?? [];
  const oldestFirst = [...history].reverse();
  if (oldestFirst.filter((h) => h.Size > 0).length !== diffIds.length) return undefined;
  const raw = {
    architecture: inspect.Architecture,
    os: inspect.Os,
    ...(inspect.Variant ? { variant: inspect.Variant } : {}),
    ...(inspect.Created ? { created: inspect.Created } : {}),
    config: inspect.Config ?? {},
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: oldestFirst.map((h) => ({
      created: new Date(h.Created * 1000).toISOString(),
      ...(h.CreatedBy ? { created_by: h.CreatedBy } : {}),
      empty_layer: h.Size === 0,
    })),
  };
  return parseImageConfig(JSON.stringify(raw), where);
}

/** The exact config blob, found in the export stream (which is then abandoned). */
async function configFromExport(ep: Endpoint, id: string, reference: string, signal?: AbortSignal): Promise<ParsedConfig> {
  const hex = id.slice('sha256:'.length);
  let bytes: Buffer | undefined;
  await walkExport(await engineGet(ep, imagePath(id, 'get'), reference, signal, EXPORT_IDLE_MS), reference, async (m) => {
    if (m.name !== `${hex}.json` && m.name !== `blobs/sha256/${hex}`) return true;
    bytes = await collect(m, MAX_CONFIG_BYTES, reference);
    return false;
  });
  if (!bytes) throw new PortcullisError('DAEMON_ERROR', `the image export has no config ${id}`, { reference });
  verifyDigest(bytes, id, { reference, entry: id });
  return parseImageConfig(bytes, `docker daemon config ${id}`);
}

/** Visits `body` and lets it run to its end whatever the visitor read. */
async function visitFully(visit: LayerVisitor, m: ExportMember, meta: LayerMeta | undefined, digest?: string): Promise<void> {
  const body = digest ? verified(m.body, digest, { entry: m.name }) : m.body;
  await visit(body, meta);
  body.on('error', () => {});
  body.resume();
}

async function readDaemonLayers(ep: Endpoint, id: string, reference: string, layers: readonly LayerMeta[], wanted: (l: LayerMeta) => boolean, visit: LayerVisitor, signal?: AbortSignal): Promise<void> {
  const wantedIds = new Set(layers.filter(wanted).map((l) => l.diffId));
  if (wantedIds.size === 0) return;
  const byDiff = new Map(layers.map((l) => [l.diffId, l]));
  const everything = wantedIds.size === byDiff.size;
  const seen = new Set<string>();
  let anonymous = 0;
  const legacyDiffs = new Map<string, string>();
  const pass = async (handle: (m: ExportMember) => Promise<void>): Promise<void> =>
    walkExport(await engineGet(ep, imagePath(id, 'get'), reference, signal, EXPORT_IDLE_MS), reference, async (m) => {
      await handle(m);
      return true;
    });
  await pass(async (m) => {
    const blob = BLOB.exec(m.name);
    const meta = blob ? byDiff.get(`sha256:${blob[1]}`) : undefined;
    // Docker ≥ 25: uncompressed layer blobs are named by their diffID.
    if (meta && wantedIds.has(meta.diffId) && !seen.has(meta.diffId)) {
      seen.add(meta.diffId);
      return visitFully(visit, m, meta, meta.diffId);
    }
    if (!LEGACY_LAYER.test(m.name) || m.type !== 'file') return;
    // Docker ≤ 24: `<v1 id>/layer.tar` does not say which layer it is before it is read.
    if (everything) {
      anonymous++;
      return visitFully(visit, m, undefined);
    }
    legacyDiffs.set(m.name, await hashMember(m));
  });
  // Only some layers wanted from a legacy export: now that the names are known, read again.
  if (legacyDiffs.size > 0) {
    await pass(async (m) => {
      const diffId = legacyDiffs.get(m.name);
      const meta = diffId ? byDiff.get(diffId) : undefined;
      if (!meta || !wantedIds.has(meta.diffId) || seen.has(meta.diffId)) return;
      seen.add(meta.diffId);
      return visitFully(visit, m, meta);
    });
  }
  if (seen.size + anonymous < wantedIds.size) {
    throw new PortcullisError('DAEMON_ERROR', `the image export holds ${seen.size + anonymous} of the ${wantedIds.size} wanted layers`, { reference });
  }
}

export async function openDockerDaemon(ref: string, opts: ImageSourceOptions): Promise<OpenedImage> {
  const parsed = parseDockerHost(opts.dockerHost ?? process.env.DOCKER_HOST);
  const ep = opts.dockerHeaders ? { ...parsed, headers: opts.dockerHeaders } : parsed;
  const reference = `docker:${ref}`;
  const inspect = schemaParse(InspectSchema, await engineJson(ep, imagePath(ref, 'json'), reference, MAX_JSON_REPLY, opts.signal), 'image inspect', reference);
  const history = schemaParse(HistorySchema, await engineJson(ep, imagePath(inspect.Id, 'history'), reference, MAX_JSON_REPLY, opts.signal), 'image history', reference);
  const config = configFromInspect(inspect, history, `docker daemon ${inspect.Id}`) ?? (await configFromExport(ep, inspect.Id, reference, opts.signal));
  // Layers as the daemon stores them: uncompressed, so the blob digest is the diffID.
  const layers = layerMetas(config);
  return {
    metadata: {
      source: 'docker',
      reference,
      tags: inspect.RepoTags ?? [],
      configDigest: inspect.Id,
      ...(inspect.RepoDigests?.length ? { repoDigests: inspect.RepoDigests } : {}),
      config: config.info,
      layers,
    },
    problems: [],
    readLayers: (wanted, visit) => readDaemonLayers(ep, inspect.Id, reference, layers, wanted, visit, opts.signal),
    close: async () => {},
  };
}
