/**
 * dockerd's command line as data. dockerd parses flags with spf13/pflag: `--name=value`,
 * `--name value`, `-H value`, `-Hvalue`; boolean flags take no separate value (`--icc=false`).
 * Flag list: https://docs.docker.com/reference/cli/dockerd/ (20.10 and later).
 */
const BOOL_FLAGS = new Set([
  'debug', 'tls', 'tlsverify', 'icc', 'iptables', 'ip6tables', 'ip-forward', 'ip-masq', 'ipv6', 'live-restore',
  'no-new-privileges', 'selinux-enabled', 'experimental', 'userland-proxy', 'raw-logs', 'init', 'validate', 'version',
  'help', 'rootless', 'disable-legacy-registry',
]);

/** Short flags and the long names they stand for. */
const SHORT: Readonly<Record<string, string>> = { D: 'debug', H: 'host', l: 'log-level', s: 'storage-driver', p: 'pidfile', G: 'group', g: 'data-root', b: 'bridge', v: 'version', h: 'help' };

/** Old spellings dockerd still accepts. */
const ALIASES: Readonly<Record<string, string>> = { graph: 'data-root', 'authorization-plugins': 'authorization-plugin' };

export interface ParsedFlags {
  /** Every value given for each long flag name, in order; booleans as `true` / `false`. */
  readonly values: ReadonlyMap<string, readonly string[]>;
  /** Arguments that are not flags (dockerd takes none: a sign of a wrapper or a typo). */
  readonly extra: readonly string[];
}

function canonical(name: string): string {
  return ALIASES[name] ?? name;
}

/** Parses dockerd's argv (without argv[0]). Unknown flags with no `=` are taken as booleans, as pflag would refuse them anyway. */
export function parseDaemonFlags(argv: readonly string[]): ParsedFlags {
  const values = new Map<string, string[]>();
  const extra: string[] = [];
  const add = (name: string, value: string) => {
    const key = canonical(name);
    values.set(key, [...(values.get(key) ?? []), value]);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      extra.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
      if (eq > 0) add(name, arg.slice(eq + 1));
      else if (BOOL_FLAGS.has(canonical(name)) || i + 1 >= argv.length) add(name, 'true');
      else add(name, argv[++i] as string);
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      const letter = arg[1] as string;
      const long = SHORT[letter] ?? letter;
      if (BOOL_FLAGS.has(long)) {
        add(long, arg.length > 2 && arg[2] === '=' ? arg.slice(3) : 'true');
        continue;
      }
      if (arg.length > 2) add(long, arg[2] === '=' ? arg.slice(3) : arg.slice(2));
      else if (i + 1 < argv.length) add(long, argv[++i] as string);
      continue;
    }
    extra.push(arg);
  }
  return { values, extra };
}

/** The last value of a flag (pflag keeps the last for scalar flags). */
export function lastFlag(flags: ParsedFlags, name: string): string | undefined {
  const all = flags.values.get(name);
  return all?.[all.length - 1];
}

/** A boolean flag's value: undefined when not given, else whether it is `true`/`1`. */
export function boolFlag(flags: ParsedFlags, name: string): boolean | undefined {
  const v = lastFlag(flags, name);
  if (v === undefined) return undefined;
  return v === 'true' || v === '1' || v === 'TRUE' || v === 'True' || v === 't';
}

/** Every value of a repeatable flag (`--log-opt`, `--default-ulimit`, `-H`). */
export function listFlag(flags: ParsedFlags, name: string): string[] {
  return [...(flags.values.get(name) ?? [])];
}
