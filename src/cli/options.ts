import { parseArgs } from 'node:util';
import { PortcullisError } from '../core/errors.js';

/** One option table: flags, env vars and --help text come from here. */
export interface OptionSpec {
  readonly name: string;
  readonly short?: string;
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly env?: string;
  readonly arg?: string;
  readonly help: string;
}

export const IMAGE_OPTIONS: readonly OptionSpec[] = [
  { name: 'platform', type: 'string', arg: 'OS/ARCH[/VARIANT]', env: 'PORTCULLIS_PLATFORM', help: 'platform to select from a multi-platform image (default linux/amd64)' },
  { name: 'insecure', type: 'boolean', env: 'PORTCULLIS_INSECURE', help: 'allow plain HTTP to registries on loopback addresses' },
  { name: 'username', type: 'string', arg: 'USER', env: 'PORTCULLIS_REGISTRY_USERNAME', help: 'registry user name' },
  { name: 'password', type: 'string', arg: 'PASSWORD', env: 'PORTCULLIS_REGISTRY_PASSWORD', help: 'registry password or token' },
  { name: 'docker-config', type: 'string', arg: 'FILE', help: 'docker config.json with registry credentials (default ~/.docker/config.json)' },
  { name: 'docker-host', type: 'string', arg: 'URL', env: 'DOCKER_HOST', help: 'Docker Engine API endpoint (default unix:///var/run/docker.sock)' },
  { name: 'cache-dir', type: 'string', arg: 'DIR', env: 'PORTCULLIS_CACHE_DIR', help: 'layer cache directory (default ~/.cache/portcullis)' },
  { name: 'no-cache', type: 'boolean', help: 'do not read or write the layer cache' },
];

export const COMMON_OPTIONS: readonly OptionSpec[] = [{ name: 'help', short: 'h', type: 'boolean', help: 'show help' }];

export type ParsedValues = Record<string, string | boolean | string[] | undefined>;

/** Parses argv against the table; env vars fill options the command line leaves unset. */
export function parseOptions(argv: readonly string[], specs: readonly OptionSpec[], env: Readonly<Record<string, string | undefined>>) {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const s of specs) options[s.name] = { type: s.type, ...(s.short ? { short: s.short } : {}), ...(s.multiple ? { multiple: true } : {}) };
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new PortcullisError('USAGE', (err as Error).message);
  }
  const values: ParsedValues = { ...(parsed.values as ParsedValues) };
  for (const s of specs) {
    if (values[s.name] !== undefined || !s.env) continue;
    const v = env[s.env];
    if (v === undefined || v === '') continue;
    values[s.name] = s.type === 'boolean' ? v === '1' || v.toLowerCase() === 'true' : v;
  }
  return { values, positionals: parsed.positionals };
}

export function helpText(usage: string, specs: readonly OptionSpec[]): string {
  const lines = specs.map((s) => {
    const flag = `${s.short ? `-${s.short}, ` : '    '}--${s.name}${s.arg ? ` ${s.arg}` : ''}`;
    return `  ${flag.padEnd(34)} ${s.help}${s.env ? ` [$${s.env}]` : ''}`;
  });
  return `${usage}\n\nOptions:\n${lines.join('\n')}\n`;
}
