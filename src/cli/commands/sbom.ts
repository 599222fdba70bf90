import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CATALOGERS } from '../../catalog/registry.js';
import { PortcullisError } from '../../core/errors.js';
import { LayerCache, defaultCacheDir } from '../../image/layers/cache.js';
import { openImage } from '../../image/resolve.js';
import type { ImageSourceOptions } from '../../image/types.js';
import { scanImage } from '../../inventory/scan-image.js';
import { encodeSbom, SBOM_FORMATS, type SbomFormat } from '../../sbom/index.js';
import { VERSION } from '../../version.js';
import type { CliIo } from '../io.js';
import { COMMON_OPTIONS, helpText, IMAGE_OPTIONS, type OptionSpec, type ParsedValues, parseOptions } from '../options.js';
import { Progress } from '../progress.js';

const SBOM_OPTIONS: readonly OptionSpec[] = [
  { name: 'format', short: 'f', type: 'string', arg: 'FORMAT', help: `output format: ${SBOM_FORMATS.join(', ')} (default cyclonedx)` },
  { name: 'output', short: 'o', type: 'string', arg: 'FILE', help: 'write the SBOM to FILE instead of stdout' },
  ...IMAGE_OPTIONS,
  ...COMMON_OPTIONS,
];

const USAGE = `Usage: portcullis sbom <image> [options]

Lists every package in an image as an SBOM. <image> is a reference with an optional
source prefix: docker-archive:PATH, oci-dir:PATH[:TAG], oci-archive:PATH, registry:REF,
docker:REF (local daemon), dir:PATH. Without a prefix, an existing path is detected and
anything else is looked up in the local daemon, then in its registry.`;

/** Image source options shared by every command that opens an image. */
export function imageSourceOptions(values: ParsedValues, io: CliIo): ImageSourceOptions {
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  return {
    ...(str('platform') ? { platform: str('platform') as string } : {}),
    ...(values.insecure === true ? { insecure: true } : {}),
    ...(str('username') ? { username: str('username') as string } : {}),
    ...(str('password') ? { password: str('password') as string } : {}),
    ...(str('docker-config') ? { dockerConfig: resolve(io.cwd, str('docker-config') as string) } : {}),
    ...(str('docker-host') ? { dockerHost: str('docker-host') as string } : {}),
  };
}

export function resolveImageArg(ref: string, io: CliIo): string {
  // Relative paths in prefixed references are relative to the caller's cwd.
  const m = /^(docker-archive|oci-dir|oci-archive|dir):(.*)$/.exec(ref);
  if (m?.[2] && !m[2].startsWith('/')) return `${m[1]}:${resolve(io.cwd, m[2])}`;
  return ref;
}

export async function sbomCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(argv, SBOM_OPTIONS, io.env);
  if (values.help) {
    io.stdout.write(helpText(USAGE, SBOM_OPTIONS));
    return 0;
  }
  if (positionals.length !== 1) throw new PortcullisError('USAGE', 'sbom takes exactly one image reference (see portcullis sbom --help)');
  const format = (values.format ?? 'cyclonedx') as SbomFormat;
  if (!SBOM_FORMATS.includes(format)) throw new PortcullisError('USAGE', `unknown format "${String(values.format)}"; use one of ${SBOM_FORMATS.join(', ')}`);

  const progress = new Progress(io);
  const image = await openImage(resolveImageArg(positionals[0] as string, io), imageSourceOptions(values, io));
  try {
    const layers = image.metadata.layers;
    progress.start(`reading ${layers.length} layers`, layers.reduce((n, l) => n + (l.size ?? 0), 0));
    const cache = values['no-cache'] ? undefined : new LayerCache(typeof values['cache-dir'] === 'string' ? values['cache-dir'] : defaultCacheDir(io.env));
    const { inventory } = await scanImage(image, {
      catalogers: CATALOGERS,
      toolVersion: VERSION,
      ...(cache ? { cache } : {}),
      onLayerStart: (m) => progress.step(m ? `layer ${m.index + 1}/${layers.length}` : 'reading layer'),
      onBytes: (n) => progress.advance(n),
    });
    progress.finish();
    const text = encodeSbom(inventory, format);
    if (typeof values.output === 'string') {
      try {
        writeFileSync(resolve(io.cwd, values.output), text);
      } catch (err) {
        throw new PortcullisError('OUTPUT_WRITE', `cannot write ${values.output}: ${(err as Error).message}`, { path: values.output });
      }
    } else io.stdout.write(text);
    for (const p of inventory.problems) io.stderr.write(`warning: [${p.code}] ${p.message}${p.path ? ` (${p.path})` : ''}\n`);
    return 0;
  } finally {
    progress.finish();
    await image.close();
  }
}
