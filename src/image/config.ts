import { z } from 'zod';
import { PortcullisError } from '../core/errors.js';
import type { ImageConfigInfo, LayerMeta } from './types.js';

// OCI image config (image-spec config.md) and Docker's image JSON share these fields.
const ConfigSchema = z.object({
  architecture: z.string().default(''),
  os: z.string().default(''),
  variant: z.string().optional(),
  created: z.string().optional(),
  config: z
    .object({
      User: z.string().optional(),
      Env: z.array(z.string()).nullish(),
      Labels: z.record(z.string(), z.string()).nullish(),
      Entrypoint: z.array(z.string()).nullish(),
      Cmd: z.array(z.string()).nullish(),
      WorkingDir: z.string().optional(),
      ExposedPorts: z.record(z.string(), z.unknown()).nullish(),
      Healthcheck: z.object({ Test: z.array(z.string()).nullish() }).passthrough().nullish(),
    })
    .passthrough()
    .nullish(),
  rootfs: z.object({
    type: z.string(),
    diff_ids: z.array(z.string().regex(/^sha256:[0-9a-f]{64}$/, 'diff_id must be sha256:<64 hex>')),
  }),
  history: z
    .array(
      z
        .object({
          created: z.string().optional(),
          created_by: z.string().optional(),
          empty_layer: z.boolean().optional(),
        })
        .passthrough(),
    )
    .nullish(),
});

export type RawImageConfig = z.infer<typeof ConfigSchema>;

export interface ParsedConfig {
  readonly info: ImageConfigInfo;
  readonly diffIds: readonly string[];
  /** created_by per layer index (history entries with empty_layer skipped). */
  readonly createdBy: readonly (string | undefined)[];
}

/** Parses an image config blob; throws IMAGE_FORMAT naming the source when it is invalid. */
export function parseImageConfig(bytes: Buffer | string, where: string): ParsedConfig {
  let json: unknown;
  try {
    json = JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8'));
  } catch (err) {
    throw new PortcullisError('IMAGE_FORMAT', `image config is not JSON: ${(err as Error).message}`, { path: where });
  }
  const parsed = ConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PortcullisError('IMAGE_FORMAT', `image config is invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`, { path: where });
  }
  const c = parsed.data;
  const history = (c.history ?? []).map((h) => ({
    ...(h.created_by !== undefined ? { createdBy: h.created_by } : {}),
    ...(h.created !== undefined ? { created: h.created } : {}),
    emptyLayer: h.empty_layer === true,
  }));
  const nonEmpty = history.filter((h) => !h.emptyLayer);
  // When history and diff_ids disagree in count, attribute nothing rather than the wrong step.
  const createdBy = c.rootfs.diff_ids.map((_, i) => (nonEmpty.length === c.rootfs.diff_ids.length ? nonEmpty[i]?.createdBy : undefined));
  const cfg = c.config ?? {};
  const info: ImageConfigInfo = {
    os: c.os,
    architecture: c.architecture,
    ...(c.variant ? { variant: c.variant } : {}),
    ...(c.created ? { created: c.created } : {}),
    ...(cfg.User !== undefined ? { user: cfg.User } : {}),
    env: cfg.Env ?? [],
    labels: cfg.Labels ?? {},
    ...(cfg.Entrypoint ? { entrypoint: cfg.Entrypoint } : {}),
    ...(cfg.Cmd ? { cmd: cfg.Cmd } : {}),
    ...(cfg.WorkingDir ? { workingDir: cfg.WorkingDir } : {}),
    ...(cfg.ExposedPorts ? { exposedPorts: Object.keys(cfg.ExposedPorts) } : {}),
    ...(cfg.Healthcheck?.Test ? { healthcheck: cfg.Healthcheck.Test } : {}),
    history,
  };
  return { info, diffIds: c.rootfs.diff_ids, createdBy };
}

/** Builds LayerMeta[] from a parsed config and (optionally) the manifest's layer descriptors. */
export function layerMetas(
  config: ParsedConfig,
  descriptors?: readonly { digest?: string; mediaType?: string; size?: number }[],
  where = 'manifest',
): LayerMeta[] {
  if (descriptors && descriptors.length !== config.diffIds.length) {
    throw new PortcullisError(
      'IMAGE_FORMAT',
      `manifest lists ${descriptors.length} layers but the config has ${config.diffIds.length} diff_ids`,
      { path: where },
    );
  }
  return config.diffIds.map((diffId, index) => {
    const d = descriptors?.[index];
    const createdBy = config.createdBy[index];
    return {
      index,
      diffId,
      ...(d?.digest ? { digest: d.digest } : {}),
      ...(d?.mediaType ? { mediaType: d.mediaType } : {}),
      ...(d?.size !== undefined ? { size: d.size } : {}),
      ...(createdBy !== undefined ? { createdBy } : {}),
    };
  });
}
