import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CATALOGERS } from '../../catalog/registry.js';
import type { Inventory } from '../../catalog/inventory.js';
import { PortcullisError } from '../../core/errors.js';
import type { Problem } from '../../core/problem.js';
import { defaultCacheDir, LayerCache } from '../../image/layers/cache.js';
import { openImage } from '../../image/resolve.js';
import type { ImageSourceOptions } from '../../image/types.js';
import { scanImage } from '../../inventory/scan-image.js';
import { VERSION } from '../../version.js';
import type { CliIo } from '../io.js';
import type { ParsedValues } from '../options.js';
import { Progress } from '../progress.js';

/**
 * What every command that reads an image shares (sbom, image, compliance): the image source
 * options from the option table, relative paths in references, the layer cache from
 * --cache-dir / --no-cache, the progress bar, and writing the result to --output or stdout.
 */

const str = (values: ParsedValues, k: string): string | undefined => (typeof values[k] === 'string' ? (values[k] as string) : undefined);

export function imageSourceOptions(values: ParsedValues, io: CliIo): ImageSourceOptions {
  return {
    ...(str(values, 'platform') ? { platform: str(values, 'platform') as string } : {}),
    ...(values.insecure === true ? { insecure: true } : {}),
    ...(str(values, 'username') ? { username: str(values, 'username') as string } : {}),
    ...(str(values, 'password') ? { password: str(values, 'password') as string } : {}),
    ...(str(values, 'docker-config') ? { dockerConfig: resolve(io.cwd, str(values, 'docker-config') as string) } : {}),
    ...(str(values, 'docker-host') ? { dockerHost: str(values, 'docker-host') as string } : {}),
  };
}

export function resolveImageArg(ref: string, io: CliIo): string {
  // Relative paths in prefixed references are relative to the caller's cwd.
  const m = /^(docker-archive|oci-dir|oci-archive|dir):(.*)$/.exec(ref);
  if (m?.[2] && !m[2].startsWith('/')) return `${m[1]}:${resolve(io.cwd, m[2])}`;
  return ref;
}

/** The layer cache the options ask for, or undefined with --no-cache. */
export function layerCacheOf(values: ParsedValues, io: CliIo): LayerCache | undefined {
  return values['no-cache'] ? undefined : new LayerCache(str(values, 'cache-dir') ?? defaultCacheDir(io.env));
}

/** Opens `ref`, reads every layer once (progress bar on a terminal) and returns the inventory. */
export async function inventoryOf(ref: string, options: ImageSourceOptions, values: ParsedValues, io: CliIo): Promise<Inventory> {
  const progress = new Progress(io);
  const image = await openImage(ref, options);
  try {
    const layers = image.metadata.layers;
    progress.start(`reading ${layers.length} layers`, layers.reduce((n, l) => n + (l.size ?? 0), 0));
    const cache = layerCacheOf(values, io);
    const { inventory } = await scanImage(image, {
      catalogers: CATALOGERS,
      toolVersion: VERSION,
      ...(cache ? { cache } : {}),
      onLayerStart: (m) => progress.step(m ? `layer ${m.index + 1}/${layers.length}` : 'reading layer'),
      onBytes: (n) => progress.advance(n),
    });
    return inventory;
  } finally {
    progress.finish();
    await image.close();
  }
}

/** Writes a command's result to `--output FILE` (OUTPUT_WRITE when it cannot) or to stdout. */
export function writeResult(values: ParsedValues, io: CliIo, text: string): void {
  const out = str(values, 'output');
  if (out === undefined) {
    io.stdout.write(text);
    return;
  }
  try {
    writeFileSync(resolve(io.cwd, out), text);
  } catch (err) {
    throw new PortcullisError('OUTPUT_WRITE', `cannot write ${out}: ${(err as Error).message}`, { path: out });
  }
}

export function printProblems(io: CliIo, problems: readonly Problem[]): void {
  for (const p of problems) io.stderr.write(`warning: [${p.code}] ${p.message}${p.path ? ` (${p.path})` : ''}\n`);
}
