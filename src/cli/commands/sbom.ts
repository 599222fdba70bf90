import { PortcullisError } from '../../core/errors.js';
import { encodeSbom, SBOM_FORMATS, type SbomFormat } from '../../sbom/index.js';
import type { CliIo } from '../io.js';
import { COMMON_OPTIONS, helpText, IMAGE_OPTIONS, type OptionSpec, parseOptions } from '../options.js';
import { imageSourceOptions, inventoryOf, printProblems, resolveImageArg, writeResult } from './image-input.js';

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

export async function sbomCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(argv, SBOM_OPTIONS, io.env);
  if (values.help) {
    io.stdout.write(helpText(USAGE, SBOM_OPTIONS));
    return 0;
  }
  if (positionals.length !== 1) throw new PortcullisError('USAGE', 'sbom takes exactly one image reference (see portcullis sbom --help)');
  const format = (values.format ?? 'cyclonedx') as SbomFormat;
  if (!SBOM_FORMATS.includes(format)) throw new PortcullisError('USAGE', `unknown format "${String(values.format)}"; use one of ${SBOM_FORMATS.join(', ')}`);

  const inventory = await inventoryOf(resolveImageArg(positionals[0] as string, io), imageSourceOptions(values, io), values, io);
  writeResult(values, io, encodeSbom(inventory, format));
  printProblems(io, inventory.problems);
  return 0;
}
