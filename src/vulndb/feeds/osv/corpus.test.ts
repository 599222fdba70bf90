import { describe, expect, it } from 'vitest';
import { AdvisorySchema } from '../../model.js';
import { collectingSink, vulndataPath } from '../../../../test/helpers/feed-sink.js';
import { parseOsvDir } from './parse.js';

/**
 * The whole staging corpus (/work/shared/vulndata/osv: PyPA YAML, golang/vulndb and RustSec
 * OSV JSON; see its SOURCES.md). Skipped on machines without it; committed samples cover CI.
 */
const CORPUS = vulndataPath('osv');

describe.skipIf(!CORPUS)('osv parse over the staging corpus', () => {
  it('emits all 8,158 records, 40 withdrawn, with only the two known bad versions reported', async () => {
    const sink = collectingSink();
    await parseOsvDir(CORPUS as string, sink);
    expect(sink.advisories).toHaveLength(2661 + 4291 + 1206);
    expect(sink.advisories.filter((a) => a.withdrawn)).toHaveLength(10 + 17 + 13);
    // PyPA data errors: `fixed: 2019-09-12` (steam) and `fixed: 0.2.0-n653` (binderhub) are no PEP 440 versions.
    expect(sink.problems.map((p) => `${p.code} ${p.path}`)).toEqual(['VERSION_INVALID PyPI/binderhub/PYSEC-2021-371.yaml', 'VERSION_INVALID PyPI/steam/PYSEC-2019-125.yaml']);
    const invalid = sink.advisories.filter((a) => !AdvisorySchema.safeParse(a).success).map((a) => a.id);
    expect(invalid).toEqual([]);
    const prefixes = new Set(sink.advisories.map((a) => a.id.split('-')[0]));
    expect([...prefixes].sort()).toEqual(['GO', 'PYSEC', 'RUSTSEC']);
    // golang/vulndb's copy has placeholder modification dates: none may survive.
    expect(sink.advisories.filter((a) => a.id.startsWith('GO-') && a.modified !== undefined)).toEqual([]);
    expect(sink.advisories.filter((a) => a.cvss?.some((c) => c.version === '4.0'))).toHaveLength(57);
  }, 300_000);
});
