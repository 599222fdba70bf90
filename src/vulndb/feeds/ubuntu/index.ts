import { basename } from 'node:path';
import { PortcullisError } from '../../../core/errors.js';
import { feedFiles, type FeedFileOptions } from '../feed-io.js';
import { FeedReporter } from '../reporter.js';
import type { Feed, FeedSink, FeedState, FetchContext } from '../types.js';
import { parseUct } from './uct.js';

/**
 * Ubuntu CVE Tracker (https://git.launchpad.net/ubuntu-cve-tracker). See README.md: the
 * tracker is a git repository without a downloadable snapshot, so `fetch` needs a snapshot URL
 * from the user; Ubuntu's OSV data (parsed by the osv feed) is the recommended online source.
 */

/** `active/CVE-…` and `retired/CVE-…` (the `ignored/` tree holds CVEs that never applied to Ubuntu). */
const UCT_FILE = /(^|\/)(active|retired)\/CVE-\d{4}-\d{4,}$/;
const ARCHIVE = /\.(tar|tar\.gz|tgz|tar\.zst)$/;
/** The largest real UCT file is ~200 KB (kernel CVEs with every linux-* flavour). */
export const MAX_UCT_BYTES = 4 * 1024 * 1024;

/** A checkout, an unpacked snapshot (`<top>/active/…`: two levels), or snapshot tarballs. */
const READ: FeedFileOptions = {
  want: (name) => UCT_FILE.test(name),
  isArchive: (rel) => ARCHIVE.test(rel),
  maxDepth: 8,
  maxEntryBytes: MAX_UCT_BYTES,
  // active/ and retired/ of the 2021 snapshot: ~36,000 files, ~110 MB of tar; room to grow.
  maxEntries: 2_000_000,
  maxTotalBytes: 16 * 1024 * 1024 * 1024,
};

export interface UbuntuFeedOptions {
  /** URL of a tarball (.tar, .tar.gz, .tgz or .tar.zst) of the tracker's active/ and retired/ trees. */
  readonly snapshotUrl?: string | undefined;
}

export async function parseUbuntuDir(dir: string, sink: FeedSink): Promise<void> {
  const rep = new FeedReporter(sink, 'ubuntu');
  for await (const f of feedFiles(dir, READ, rep)) {
    const a = parseUct(f.data.toString('utf8'), basename(f.name), f.path, rep);
    if (a) sink.advisory(a);
    rep.finishFile(f.path);
  }
}

/** The feed, with the snapshot URL a user configured (none by default). */
export function createUbuntuFeed(opts: UbuntuFeedOptions = {}): Feed {
  return {
    id: 'ubuntu',
    version: '1',
    description: 'Ubuntu CVE Tracker: per-release status of source packages (active/ and retired/ CVE files)',
    license: 'Ubuntu CVE Tracker data, Canonical Ltd. (no licence file in the repository; Ubuntu publishes the same data as OSV under CC-BY-SA-4.0). Credit: Ubuntu Security Team.',
    baseUrl: 'https://git.launchpad.net/ubuntu-cve-tracker',
    async fetch(ctx: FetchContext): Promise<FeedState> {
      // A base URL override (a local replay server) is taken as the snapshot URL.
      const url = ctx.baseUrl ?? opts.snapshotUrl;
      if (!url) {
        throw new PortcullisError(
          'FEED_FETCH',
          'the Ubuntu CVE Tracker is a git repository with no downloadable snapshot: configure the URL of a tarball of its active/ and retired/ trees, or use the osv feed (Ubuntu OSV) instead',
          { feed: 'ubuntu' },
        );
      }
      let path: string;
      try {
        path = new URL(url).pathname;
      } catch {
        throw new PortcullisError('FEED_FETCH', `the Ubuntu snapshot URL is not a URL: ${url.slice(0, 200)}`, { feed: 'ubuntu' });
      }
      const ext = ARCHIVE.exec(path)?.[1];
      if (!ext) throw new PortcullisError('FEED_FETCH', `the Ubuntu snapshot URL must name a .tar, .tar.gz, .tgz or .tar.zst file: ${url}`, { url, feed: 'ubuntu' });
      await ctx.download(url, { file: `uct-snapshot.${ext}` });
      return {};
    },
    parse: parseUbuntuDir,
  };
}

export const ubuntuFeed: Feed = createUbuntuFeed();
