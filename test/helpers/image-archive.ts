import { exec } from './exec.js';

/**
 * Reads a `docker save` archive with the tar CLI (an oracle independent of Portcullis's own
 * readers): manifest.json, then the config it names. Format: SCANNER-NOTES.md §1.1 and
 * https://github.com/moby/moby/blob/master/image/spec/v1.2.md
 */
export interface SavedImageConfig {
  readonly repoTags: readonly string[];
  readonly diffIds: readonly string[];
  readonly history: readonly { readonly createdBy: string; readonly emptyLayer: boolean }[];
  /** created_by of each history step that made a layer, aligned with diffIds. */
  readonly layerCreatedBy: readonly string[];
  readonly architecture: string;
  readonly os: string;
}

interface ManifestEntry {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
}

interface RawConfig {
  architecture: string;
  os: string;
  rootfs: { diff_ids: string[] };
  history?: { created_by?: string; empty_layer?: boolean }[];
}

async function member(archive: string, name: string): Promise<string> {
  const { stdout } = await exec('tar', ['-xOf', archive, name], { timeoutMs: 120_000 });
  return stdout;
}

export async function readSavedConfig(archive: string): Promise<SavedImageConfig> {
  const manifest = JSON.parse(await member(archive, 'manifest.json')) as ManifestEntry[];
  const entry = manifest[0];
  if (!entry || manifest.length !== 1) throw new Error(`${archive}: expected one image in manifest.json, got ${manifest.length}`);
  const config = JSON.parse(await member(archive, entry.Config)) as RawConfig;
  const history = (config.history ?? []).map((h) => ({ createdBy: h.created_by ?? '', emptyLayer: h.empty_layer === true }));
  const layerCreatedBy = history.filter((h) => !h.emptyLayer).map((h) => h.createdBy);
  if (layerCreatedBy.length !== config.rootfs.diff_ids.length) {
    throw new Error(`${archive}: ${layerCreatedBy.length} non-empty history steps but ${config.rootfs.diff_ids.length} diff_ids`);
  }
  return {
    repoTags: entry.RepoTags ?? [],
    diffIds: config.rootfs.diff_ids,
    history,
    layerCreatedBy,
    architecture: config.architecture,
    os: config.os,
  };
}
