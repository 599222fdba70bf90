import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PortcullisError } from '../../core/errors.js';
import { defaultCacheDir } from '../../image/layers/cache.js';
import { type BuildInput, type BuildReport, buildDatabase } from '../../vulndb/db/build.js';
import { VulnDb } from '../../vulndb/db/open.js';
import { FEEDS, feedById } from '../../vulndb/feeds/registry.js';
import { defaultDbPath, staleness } from '../../vulndb/locate.js';
import type { CliIo } from '../io.js';
import { COMMON_OPTIONS, helpText, type OptionSpec, type ParsedValues, parseOptions } from '../options.js';

/**
 * `portcullis db build|update|status|export|import|keygen`: the vulnerability database's life
 * cycle. build and update write a new file beside the old one and rename it over: scans that
 * have the old one open keep reading it.
 */

export const DB_OPT: OptionSpec = { name: 'db', type: 'string', arg: 'PATH', env: 'PORTCULLIS_DB', help: 'database file (default ~/.cache/portcullis/db/portcullis.db)' };

const SUBCOMMANDS: Readonly<Record<string, { help: string; run: (argv: readonly string[], io: CliIo) => Promise<number> }>> = {
  build: { help: 'build the database from feed directories (DIR/<feed-id>/ or --feed ID=DIR)', run: buildCommand },
  status: { help: 'show the database: sources, counts, age', run: statusCommand },
  update: { help: 'download the feeds (conditional, resumable) and rebuild', run: async (a, io) => (await import('./db-update.js')).updateCommand(a, io) },
  export: { help: 'write a signed offline bundle of the database', run: async (a, io) => (await import('./db-bundle.js')).exportCommand(a, io) },
  import: { help: 'verify a signed bundle and install its database atomically', run: async (a, io) => (await import('./db-bundle.js')).importCommand(a, io) },
  keygen: { help: 'make an Ed25519 key pair for signing bundles', run: async (a, io) => (await import('./db-bundle.js')).keygenCommand(a, io) },
};

export async function dbCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  const cmd = sub ? SUBCOMMANDS[sub] : undefined;
  if (!cmd) {
    const list = Object.entries(SUBCOMMANDS).map(([n, c]) => `  ${n.padEnd(8)} ${c.help}`).join('\n');
    const text = `Usage: portcullis db <command> [options]\n\nCommands:\n${list}\n`;
    if (!sub || sub === '--help' || sub === '-h') {
      io.stdout.write(text);
      return sub ? 0 : 2;
    }
    throw new PortcullisError('USAGE', `unknown db command "${sub}"\n${text}`);
  }
  return cmd.run(rest, io);
}

export function dbPathOf(values: ParsedValues, io: CliIo): string {
  return typeof values.db === 'string' ? resolve(io.cwd, values.db) : defaultDbPath(io.env);
}

export function feedsDir(io: CliIo): string {
  return join(defaultCacheDir({ ...io.env }), 'feeds');
}

export function printBuild(report: BuildReport, io: CliIo): void {
  for (const s of report.sources) {
    io.stderr.write(`${s.id.padEnd(8)} ${s.status.padEnd(8)} ${String(s.advisories).padStart(7)} advisories${s.kev ? `, ${s.kev} KEV` : ''}${s.epss ? `, ${s.epss} EPSS` : ''}${s.problems.length ? `, ${s.problems.length} problems` : ''}\n`);
    for (const p of s.problems.slice(0, 5)) io.stderr.write(`  [${p.code}] ${p.message}${p.path ? ` (${p.path})` : ''}\n`);
    if (s.problems.length > 5) io.stderr.write(`  … ${s.problems.length - 5} more (db status lists the first ones)\n`);
  }
  io.stderr.write(`wrote ${report.path}\n`);
}

const BUILD_OPTIONS: readonly OptionSpec[] = [
  { name: 'feed', type: 'string', multiple: true, arg: 'ID=DIR', help: `load feed ID from DIR (feeds: ${FEEDS.map((f) => f.id).join(', ')})` },
  DB_OPT,
  ...COMMON_OPTIONS,
];

async function buildCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(argv, BUILD_OPTIONS, io.env);
  if (values.help) {
    io.stdout.write(helpText('Usage: portcullis db build [DIR] [--feed ID=DIR ...] [--db PATH]\n\nDIR holds one directory per feed, named by its id (as "db update" leaves ~/.cache/portcullis/feeds).', BUILD_OPTIONS));
    return 0;
  }
  if (positionals.length > 1) throw new PortcullisError('USAGE', 'db build takes at most one directory');
  const inputs: BuildInput[] = [];
  const root = positionals[0] ? resolve(io.cwd, positionals[0]) : undefined;
  if (root) {
    if (!existsSync(root) || !statSync(root).isDirectory()) throw new PortcullisError('USAGE', `${root} is not a directory`, { path: root });
    for (const name of readdirSync(root).sort()) {
      const feed = feedById(name);
      if (feed && statSync(join(root, name)).isDirectory()) inputs.push({ feed, dir: join(root, name) });
    }
  }
  for (const spec of (values.feed as string[] | undefined) ?? []) {
    const m = /^([a-z0-9-]+)=(.+)$/.exec(spec);
    const feed = m ? feedById(m[1] as string) : undefined;
    if (!m || !feed) throw new PortcullisError('USAGE', `--feed wants ID=DIR with ID one of ${FEEDS.map((f) => f.id).join(', ')}; got "${spec}"`);
    inputs.push({ feed, dir: resolve(io.cwd, m[2] as string) });
  }
  if (inputs.length === 0) throw new PortcullisError('USAGE', 'nothing to build: give a directory with feed subdirectories or --feed ID=DIR');
  printBuild(await buildDatabase(dbPathOf(values, io), inputs), io);
  return 0;
}

const STATUS_OPTIONS: readonly OptionSpec[] = [{ name: 'json', type: 'boolean', help: 'print JSON' }, DB_OPT, ...COMMON_OPTIONS];

async function statusCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(argv, STATUS_OPTIONS, io.env);
  if (values.help) {
    io.stdout.write(helpText('Usage: portcullis db status [--db PATH] [--json]', STATUS_OPTIONS));
    return 0;
  }
  const db = VulnDb.open(dbPathOf(values, io));
  try {
    const st = db.status();
    const stale = staleness(st);
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ ...st, stale: stale ?? null }, null, 2)}\n`);
      return 0;
    }
    const lines = [`database  ${st.path}`, `schema    ${st.schemaVersion}`, `built     ${st.builtAt} (${st.builtBy})`, `records   ${st.advisories} advisories, ${st.affected} affected packages`, ''];
    lines.push(['SOURCE', 'STATUS', 'FETCHED', 'NEWEST RECORD', 'ADVISORIES', 'KEV', 'EPSS', 'PROBLEMS'].join('\t'));
    for (const s of st.sources) {
      lines.push([s.id, s.status, s.fetchedAt ?? '-', s.newestModified ?? '-', s.advisories, s.kev, s.epss, s.problems].join('\t'));
      if (s.message) lines.push(`\t${s.message}`);
    }
    lines.push('', 'Licences:', ...st.sources.map((s) => `  ${s.id}: ${s.license}`));
    io.stdout.write(`${lines.join('\n')}\n`);
    if (stale) io.stderr.write(`warning: [DB_STALE] ${stale}\n`);
    return 0;
  } finally {
    db.close();
  }
}
