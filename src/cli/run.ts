import { ERROR_CATALOGUE, formatError, PortcullisError, toPortcullisError } from '../core/errors.js';
import { VERSION } from '../version.js';
import type { CliIo } from './io.js';

export type { CliIo } from './io.js';

type Command = (argv: readonly string[], io: CliIo) => Promise<number>;

/** Every command, sorted by name. Commands load their modules on use, so each pays only for itself. */
const COMMANDS: Readonly<Record<string, { run: Command; help: string }>> = {
  audit: { run: async (argv, io) => (await import('./commands/audit.js')).auditCommand(argv, io), help: 'verify the authorization plugin\'s tamper-evident audit log' },
  authz: { run: async (argv, io) => (await import('./commands/authz.js')).authzCommand(argv, io), help: 'Docker authorization plugin: roles, directory groups, image policy, audit (serve, check, install)' },
  compliance: { run: async (argv, io) => (await import('./commands/compliance.js')).complianceCommand(argv, io), help: 'CIS Docker/Kubernetes and Pod Security checks on images, containers, daemon, host, manifests' },
  db: { run: async (argv, io) => (await import('./commands/db.js')).dbCommand(argv, io), help: 'build, update, inspect, export and import the vulnerability database' },
  image: { run: async (argv, io) => (await import('./commands/image.js')).imageCommand(argv, io), help: 'scan an image for vulnerabilities (table, JSON or CycloneDX with findings)' },
  sbom: { run: async (argv, io) => (await import('./commands/sbom.js')).sbomCommand(argv, io), help: 'list the packages in an image (CycloneDX, SPDX or JSON)' },
  sign: { run: async (argv, io) => (await import('./commands/sign.js')).signCommand(argv, io), help: 'sign an image in a registry (cosign-compatible); --generate-key makes a key pair' },
  verify: { run: async (argv, io) => (await import('./commands/verify.js')).verifyCommand(argv, io), help: 'verify cosign signatures and Sigstore bundles of an image in a registry' },
  version: {
    run: async (argv, io) => {
      if (argv[0] === 'compare') return (await import('../version/compare-cli.js')).versionCompareCommand(argv.slice(1), io);
      if (argv.length > 0) throw new PortcullisError('USAGE', 'usage: portcullis version [compare <scheme> A B | compare <scheme> --stdin]');
      io.stdout.write(`portcullis ${VERSION}\n`);
      return 0;
    },
    help: 'print the version; "version compare <scheme> A B" orders two versions (-1, 0, 1)',
  },
};

function usage(): string {
  const cmds = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.help}`);
  return `Usage: portcullis <command> [options]\n\nCommands:\n${cmds.join('\n')}\n\nRun "portcullis <command> --help" for a command's options.\n`;
}

/**
 * The CLI core: arguments in, exit code out. Errors are translated once, here: a coded
 * PortcullisError prints `[CODE] message (context)` and exits with the catalogue's code.
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return name ? 0 : ERROR_CATALOGUE.USAGE.exit;
  }
  if (name === '--version') return COMMANDS.version?.run([], io) ?? 0;
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`${formatError(new PortcullisError('USAGE', `unknown command "${name}"`))}\n${usage()}`);
    return ERROR_CATALOGUE.USAGE.exit;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    const e = toPortcullisError(err);
    io.stderr.write(`error: ${formatError(e)}\n`);
    if (e.code === 'INTERNAL' && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    return e.exitCode;
  }
}
