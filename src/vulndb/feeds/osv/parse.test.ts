import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cvssFromVector } from '../../cvss.js';
import { type AdvisoryInput, AdvisorySchema } from '../../model.js';
import { collectingSink } from '../../../../test/helpers/feed-sink.js';
import { parseOsvDir } from './parse.js';

const TESTDATA = fileURLToPath(new URL('./testdata', import.meta.url));

async function parseTestdata() {
  const sink = collectingSink();
  await parseOsvDir(TESTDATA, sink);
  const byId = new Map(sink.advisories.map((a) => [a.id, a]));
  const get = (id: string): AdvisoryInput => {
    const a = byId.get(id);
    if (!a) throw new Error(`${id} was not emitted`);
    return a;
  };
  return { sink, byId, get };
}

describe('osv parse on real records (testdata/README.md)', () => {
  it('emits every record with a known ecosystem, each valid in the advisory model', async () => {
    const { sink, byId } = await parseTestdata();
    expect([...byId.keys()].sort()).toEqual([
      'ALPINE-CVE-2023-46850', 'ALSA-2022:8194', 'DSA-3029-1',
      'GHSA-266m-wp2v-x7mq', 'GHSA-2fh4-45ph-7q27', 'GHSA-75v8-2h7p-7m2m', 'GHSA-838r-hvwh-24h8', 'GHSA-qppj-fm5r-hxr3', 'GHSA-xxxq-chmp-67g4',
      'GO-2020-0001', 'GO-2021-0067', 'GSD-2022-1000008', 'MAL-2023-1',
      'PYSEC-2019-125', 'PYSEC-2022-15', 'PYSEC-2023-221', 'RLSA-2024:3671', 'RUSTSEC-2026-0024', 'UBUNTU-CVE-2025-38094',
    ]);
    for (const a of sink.advisories) expect(AdvisorySchema.safeParse(a).success, a.id).toBe(true);
    expect(sink.advisories.every((a) => a.source === 'osv')).toBe(true);
  });

  it('reports unknown ecosystems once per ecosystem with a count, and the one invalid version', async () => {
    const { sink } = await parseTestdata();
    expect(sink.problems.map((p) => [p.code, p.message, p.path])).toEqual([
      ['VERSION_INVALID', 'PYSEC-2019-125: steam: ECOSYSTEM range skipped: "2019-09-12" is not a valid pep440 version', 'pypa/steam/PYSEC-2019-125.yaml'],
      ['FEED_UNKNOWN_ECOSYSTEM', '1 affected entry in ecosystem "Bitnami" skipped', undefined],
      ['FEED_UNKNOWN_ECOSYSTEM', '1 affected entry in ecosystem "Hex" skipped', undefined],
      ['FEED_UNKNOWN_ECOSYSTEM', '1 affected entry in ecosystem "Pub" skipped', undefined],
      ['FEED_UNKNOWN_ECOSYSTEM', '4 affected entries in ecosystem "SwiftURL" skipped', undefined],
    ]);
  });

  it('maps GHSA: severity word, CWE, CVSS from the vector, and last_known_affected_version_range', async () => {
    const { get } = await parseTestdata();
    const formidable = get('GHSA-75v8-2h7p-7m2m');
    expect(formidable.ratings).toEqual([{ severity: 'low', raw: 'LOW', source: 'ghsa' }]);
    expect(formidable.cwes).toEqual(['CWE-338']);
    const vector = 'CVSS:3.1/AV:N/AC:H/PR:L/UI:N/S:U/C:N/I:L/A:N';
    expect(formidable.cvss).toEqual([cvssFromVector(vector, 'ghsa')]);
    expect(formidable.cvss?.[0]?.score).toBe(3.1); // NVD's calculator gives 3.1 for this vector
    expect(formidable.affected?.map((a) => a.ranges)).toEqual([
      [{ type: 'ECOSYSTEM', events: [{ introduced: '3.1.1-canary.20211030' }, { fixed: '3.5.3' }] }],
      // "< 2.1.3" on an introduced-only range: an upper bound that is not a fix.
      [{ type: 'ECOSYSTEM', events: [{ introduced: '2.1.0' }, { limit: '2.1.3' }] }],
    ]);
    // A range that already has a fix keeps it; the GHSA hint is redundant there.
    const dotnet = get('GHSA-266m-wp2v-x7mq');
    expect(dotnet.affected).toEqual([
      { ecosystem: 'NuGet', name: 'microsoft.netcore.app.runtime.linux-arm', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '9.0.0' }, { fixed: '9.0.6' }] }], versions: [] },
    ]);
    expect(get('GHSA-qppj-fm5r-hxr3').affected?.map((a) => a.ecosystem)).toEqual(['Go', 'Go', 'Go', 'Go']);
  });

  it('reads PyPA YAML with versions kept as written, GIT ranges dropped, withdrawn kept', async () => {
    const { get } = await parseTestdata();
    const werkzeug = get('PYSEC-2023-221');
    const [entry] = werkzeug.affected ?? [];
    expect(entry?.ranges).toEqual([{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.3.8' }, { introduced: '3.0.0' }, { fixed: '3.0.1' }] }]);
    // Unquoted `0.10` in YAML would be the number 0.1 under the core schema.
    expect(entry?.versions?.slice(0, 3)).toEqual(['0.1', '0.10', '0.10.1']);
    expect(werkzeug.cvss?.map((c) => [c.version, c.source])).toEqual([['3.1', 'pypa']]);
    expect(werkzeug.aliases).toEqual(['CVE-2023-46136', 'GHSA-hrfv-mqp8-q5rw']);
    expect(get('PYSEC-2022-15').withdrawn).toBe('2022-02-22T16:15:07Z');
    // The range with the unreadable fix is gone; the package entry stays.
    expect(get('PYSEC-2019-125').affected).toEqual([{ ecosystem: 'PyPI', name: 'steam', ranges: [], versions: [] }]);
  });

  it("drops Go's placeholder dates and keeps SEMVER ranges", async () => {
    const { get } = await parseTestdata();
    const go = get('GO-2021-0067');
    expect(go.modified).toBeUndefined();
    expect(go.published).toBe('2021-04-14T20:04:52Z');
    expect(go.affected).toEqual([{ ecosystem: 'Go', name: 'stdlib', ranges: [{ type: 'SEMVER', events: [{ introduced: '1.16.0-0' }, { fixed: '1.16.1' }] }], versions: [] }]);
  });

  it('scores CVSS v4 vectors (RustSec)', async () => {
    const { get } = await parseTestdata();
    // Every impact metric is None: CVSS v4.0 defines the base score as 0.0.
    expect(get('RUSTSEC-2026-0024').cvss).toEqual([{ version: '4.0', vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N', score: 0, source: 'rustsec' }]);
  });

  it('keeps distro records with the normalized release ecosystem and the source package name', async () => {
    const { get } = await parseTestdata();
    expect(get('DSA-3029-1').affected).toEqual([{ ecosystem: 'Debian:7', name: 'nginx', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.2.1-2.2+wheezy3' }] }], versions: [] }]);
    const ubuntu = get('UBUNTU-CVE-2025-38094');
    expect(ubuntu.upstream).toEqual(['CVE-2025-38094']);
    expect(ubuntu.ratings).toEqual([{ severity: 'medium', raw: 'medium', source: 'ubuntu' }]);
    expect(ubuntu.affected?.map((a) => [a.ecosystem, a.name])).toEqual([['Ubuntu:Pro:14.04', 'linux']]);
    expect(get('ALPINE-CVE-2023-46850').affected?.map((a) => a.ecosystem)).toEqual(['Alpine:v3.18', 'Alpine:v3.19', 'Alpine:v3.20', 'Alpine:v3.21', 'Alpine:v3.22']);
    expect(get('ALSA-2022:8194').affected?.map((a) => [a.ecosystem, a.name])).toEqual([['AlmaLinux:9', 'libtiff'], ['AlmaLinux:9', 'libtiff-devel'], ['AlmaLinux:9', 'libtiff-tools']]);
    expect(get('RLSA-2024:3671').affected?.[0]).toMatchObject({ ecosystem: 'Rocky Linux:9', name: 'ruby' });
  });

  it("reads the bucket's all.zip member by member", async () => {
    const { sink, get } = await parseTestdata();
    expect(get('MAL-2023-1').affected?.[0]).toMatchObject({ ecosystem: 'npm', name: '@hyperion-util/cookies' });
    expect(get('GHSA-xxxq-chmp-67g4').ratings).toEqual([{ severity: 'critical', raw: 'CRITICAL', source: 'ghsa' }]);
    expect(sink.problems.some((p) => p.path?.includes('all.zip'))).toBe(false);
  });
});
