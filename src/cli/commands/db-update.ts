import { join } from 'node:path';
import { PortcullisError } from '../../core/errors.js';
import { defaultCacheDir } from '../../image/layers/cache.js';
import { type BuildInput, buildDatabase } from '../../vulndb/db/build.js';
import { DEFAULT_FEEDS, FEEDS, feedById } from '../../vulndb/feeds/registry.js';
import { progressToBar, readFeedState, updateFeeds } from '../../vulndb/update/index.js';
import type { CliIo } from '../io.js';
import { COMMON_OPTIONS, helpText, type OptionSpec, parseOptions } from '../options.js';
import { Progress } from '../progress.js';
import { DB_OPT, dbPathOf, printBuild } from './db.js';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'only', type: 'string', arg: 'IDS', help: `update only these feeds (comma-separated; all: ${FEEDS.map((f) => f.id).join(', ')})` },
  { name: 'feeds', type: 'string', arg: 'IDS', env: 'PORTCULLIS_FEEDS', help: `feeds the database is built from (default ${DEFAULT_FEEDS.join(',')})` },
  { name: 'base-url', type: 'string', multiple: true, arg: 'ID=URL', help: 'fetch feed ID from a mirror (https, or http on loopback)' },
  DB_OPT,
  ...COMMON_OPTIONS,
];

const USAGE = `Usage: portcullis db update [--only IDS] [--feeds IDS] [--base-url ID=URL] [--db PATH]

Downloads every feed into ~/.cache/portcullis/feeds/<id>/ (conditional requests: unchanged
sources cost one 304; interrupted downloads resume), then rebuilds the database. A source
that fails keeps its previous data, and the database says so (db status).`;

function ids(text: string, what: string): string[] {
  const list = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const id of list) if (!feedById(id)) throw new PortcullisError('USAGE', `unknown feed "${id}" in ${what}; feeds: ${FEEDS.map((f) => f.id).join(', ')}`);
  return list;
}

export async function updateCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(argv, OPTIONS, io.env);
  if (values.help) {
    io.stdout.write(helpText(USAGE, OPTIONS));
    return 0;
  }
  const selected = typeof values.feeds === 'string' ? ids(values.feeds, '--feeds') : [...DEFAULT_FEEDS];
  const only = typeof values.only === 'string' ? ids(values.only, '--only') : selected;
  const baseUrls: Record<string, string> = {};
  for (const spec of (values['base-url'] as string[] | undefined) ?? []) {
    const m = /^([a-z0-9-]+)=(.+)$/.exec(spec);
    if (!m || !feedById(m[1] as string)) throw new PortcullisError('USAGE', `--base-url wants ID=URL with a known feed id; got "${spec}"`);
    baseUrls[m[1] as string] = m[2] as string;
  }
  const cacheDir = defaultCacheDir({ ...io.env });
  const feeds = selected.flatMap((id) => feedById(id) ?? []);
  const progress = new Progress(io);
  const results = await updateFeeds({ feeds, cacheDir, baseUrls, only, progress: progressToBar(progress) });
  progress.finish();
  let failed = 0;
  const failures = new Map<string, string>();
  for (const r of results) {
    if (r.status === 'failed') {
      failed++;
      const why = `${r.error.message}${r.keptPrevious ? ' (previous data kept)' : ' (no previous data)'}`;
      failures.set(r.id, why);
      io.stderr.write(`${r.id.padEnd(8)} failed   [${r.error.code}] ${why}\n`);
    } else io.stderr.write(`${r.id.padEnd(8)} ${r.status}\n`);
  }
  const inputs: BuildInput[] = [];
  for (const feed of feeds) {
    // A damaged state file only loses the fetch date; the data beside it is still good.
    const state = await readFeedState(cacheDir, feed.id).catch(() => undefined);
    const why = failures.get(feed.id);
    inputs.push({ feed, dir: join(cacheDir, 'feeds', feed.id), fetchedAt: state?.fetchedAt, ...(why ? { status: 'failed' as const, message: why } : {}) });
  }
  printBuild(await buildDatabase(dbPathOf(values, io), inputs), io);
  return failed === 0 ? 0 : failed === feeds.length ? 6 : 0;
}
