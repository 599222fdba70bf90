import type { Feed, FeedSink, FeedState, FetchContext } from '../types.js';
import { DEFAULT_NVD_FETCH_OPTIONS, fetchNvd, type NvdFetchOptions } from './fetch.js';
import { DEFAULT_NVD_PARSE_LIMITS, type NvdParseLimits, parseNvdDir } from './parse.js';

/**
 * NVD (https://nvd.nist.gov/developers/vulnerabilities): CVSS vectors, CWEs, CPE names and
 * references for every CVE, as enrichment only. Public domain; NVD asks products using the API
 * to show its notice, which `license` carries.
 */
const BASE_URL = 'https://services.nvd.nist.gov/rest/json/';

export interface NvdFeedOptions {
  readonly fetch?: Partial<NvdFetchOptions>;
  readonly limits?: NvdParseLimits;
}

export function createNvdFeed(options: NvdFeedOptions = {}): Feed {
  const fetchOptions: NvdFetchOptions = { ...DEFAULT_NVD_FETCH_OPTIONS, ...options.fetch };
  const limits = options.limits ?? DEFAULT_NVD_PARSE_LIMITS;
  return {
    id: 'nvd',
    version: '1',
    description: 'NIST National Vulnerability Database (CVE API 2.0): CVSS, CWE and CPE enrichment',
    license: 'Public domain (NIST NVD). This product uses the NVD API but is not endorsed or certified by the NVD.',
    baseUrl: BASE_URL,
    fetch: (ctx: FetchContext): Promise<FeedState> => fetchNvd(ctx, ctx.baseUrl ?? BASE_URL, fetchOptions),
    parse: (dir: string, sink: FeedSink): Promise<void> => parseNvdDir(dir, sink, limits),
  };
}

export const nvdFeed: Feed = createNvdFeed();
