import { alpineFeed } from './alpine/index.js';
import { debianFeed } from './debian/index.js';
import { epssFeed } from './epss/index.js';
import { kevFeed } from './kev/index.js';
import { nswgFeed } from './nswg/index.js';
import { nvdFeed } from './nvd/index.js';
import { osvFeed } from './osv/index.js';
import { redhatFeed } from './redhat/index.js';
import { rubysecFeed } from './rubysec/index.js';
import type { Feed } from './types.js';
import { ubuntuFeed } from './ubuntu/index.js';

/** Every feed, sorted by id. Nothing registers itself: add a feed here. */
export const FEEDS: readonly Feed[] = [alpineFeed, debianFeed, epssFeed, kevFeed, nswgFeed, nvdFeed, osvFeed, redhatFeed, rubysecFeed, ubuntuFeed];

/**
 * What `db update` fetches unless told otherwise: OSV (every language ecosystem, GHSA,
 * Debian/Ubuntu/Alpine/Alma/Rocky OSV), the Debian tracker and Alpine secdb for distro
 * status, KEV and EPSS. NVD (hours for a first full sync without an API key), Red Hat CSAF
 * (a multi-GB first run), and the raw RubySec / Node.js WG repositories (already in OSV and
 * GHSA) are opt-in with --feeds.
 */
export const DEFAULT_FEEDS: readonly string[] = ['alpine', 'debian', 'epss', 'kev', 'osv'];

export function feedById(id: string): Feed | undefined {
  return FEEDS.find((f) => f.id === id);
}
