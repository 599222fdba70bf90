import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { gemScheme } from '../../../version/gem/index.js';
import { type AdvisoryInput, AdvisorySchema } from '../../model.js';
import { collectingSink, fakeFetchContext, vulndataPath } from '../../../../test/helpers/feed-sink.js';
import { rangesInclude } from '../testdata/osv-eval.js';
import { rubysecFeed } from './index.js';
import { mapRubysec, parseRubysecDir } from './parse.js';

const TESTDATA = fileURLToPath(new URL('./testdata', import.meta.url));
const CORPUS = vulndataPath('rubysec') ?? '/nonexistent';
const hasRuby = spawnSync('ruby', ['-e', 'exit 0']).status === 0;

interface Verdicts {
  readonly advisories: { file: string; vulnerable: Record<string, boolean> }[];
}

async function parsed(dir = TESTDATA) {
  const sink = collectingSink();
  await parseRubysecDir(dir, sink);
  return sink;
}

const affects = (a: AdvisoryInput, v: string) => rangesInclude(a.affected?.[0]?.ranges ?? [], v, gemScheme.compare);

describe('rubysec parse on real advisories (testdata/README.md)', () => {
  it('emits one advisory per gem file, none for rubies/, without problems', async () => {
    const sink = await parsed();
    expect(sink.problems).toEqual([]);
    expect(sink.advisories.map((a) => a.id)).toEqual([
      'GHSA-hgmw-x865-hf9x', 'GHSA-8727-m6gj-mc37', 'GHSA-jmm9-2p29-vh2w', 'OSVDB-95749', 'GHSA-7627-mp87-jf6q', 'GHSA-72qj-48g4-5xgx', 'GHSA-g2pf-xv49-m2h5', 'GHSA-333g-rpr4-7hxq',
    ]);
    for (const a of sink.advisories) expect(AdvisorySchema.safeParse(a).success, a.id).toBe(true);
  });

  it('gives the same answer as RubyGems for every (advisory, version) pair of ruby-verdicts.json', () => {
    const verdicts = JSON.parse(readFileSync(`${TESTDATA}/ruby-verdicts.json`, 'utf8')) as Verdicts;
    let pairs = 0;
    for (const { file, vulnerable } of verdicts.advisories) {
      const advisory = mapRubysec(YAML.parse(readFileSync(`${TESTDATA}/${file}`, 'utf8')), basename(file, '.yml'), (code, message) => {
        throw new Error(`${file}: ${code} ${message}`);
      });
      if (!advisory) throw new Error(`${file}: no advisory`);
      for (const [version, expected] of Object.entries(vulnerable)) {
        expect(affects(advisory, version), `${file} @ ${version}`).toBe(expected);
        pairs++;
      }
    }
    expect(verdicts.advisories).toHaveLength(8);
    expect(pairs).toBeGreaterThan(150);
  });

  it('maps ids, aliases, rating, dates and references', async () => {
    const sink = await parsed();
    const rack = sink.advisories.find((a) => a.id === 'GHSA-g2pf-xv49-m2h5');
    expect(rack).toMatchObject({
      source: 'rubysec',
      aliases: ['CVE-2026-34835'],
      summary: 'Rack::Request accepts invalid Host characters, enabling host allowlist bypass',
      published: '2026-04-02T00:00:00Z',
      ratings: [{ severity: 'medium', raw: 'cvss_v3 4.8', source: 'rubysec' }],
      cvss: [],
    });
    expect(rack?.references?.[0]).toEqual({ type: 'ADVISORY', url: 'https://github.com/rack/rack/security/advisories/GHSA-g2pf-xv49-m2h5' });
    // cvss_v4 wins over cvss_v3 (3.7 would be "low").
    expect(sink.advisories.find((a) => a.id === 'GHSA-72qj-48g4-5xgx')?.ratings).toEqual([{ severity: 'medium', raw: 'cvss_v4 5.7', source: 'rubysec' }]);
    expect(sink.advisories.find((a) => a.id === 'GHSA-hgmw-x865-hf9x')?.aliases).toEqual(['CVE-2014-2322', 'OSVDB-104365']);
    expect(sink.advisories.find((a) => a.id === 'OSVDB-95749')).toMatchObject({ aliases: [], ratings: [] });
  });

  it('writes fixes, ends of lines (limit) and exact single versions as OSV events', async () => {
    const sink = await parsed();
    const ranges = (id: string) => sink.advisories.find((a) => a.id === id)?.affected?.[0]?.ranges;
    // unaffected "< 3.0.0.beta1"; patched "~> 3.1.21", ">= 3.2.6"
    expect(ranges('GHSA-g2pf-xv49-m2h5')).toEqual([
      { type: 'ECOSYSTEM', events: [{ introduced: '3.0.0.beta1' }, { fixed: '3.1.21' }] },
      { type: 'ECOSYSTEM', events: [{ introduced: '3.2.A' }, { fixed: '3.2.6' }] },
    ]);
    // unaffected "<= 1.6.9", ">= 1.6.14"; patched ">= 1.7.0": the backdoored 1.6.10–1.6.13 only.
    expect(ranges('GHSA-333g-rpr4-7hxq')).toEqual([{ type: 'ECOSYSTEM', events: [{ introduced: '1.6.9.0.0.1' }, { limit: '1.6.14' }] }]);
    // unaffected ">= 1.6.0, < 1.6.2"; patched "= 1.6.0", ">= 1.6.3": everything below 1.6.0, and 1.6.2.
    expect(ranges('GHSA-7627-mp87-jf6q')).toEqual([
      { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.6.0' }] },
      { type: 'ECOSYSTEM', events: [{ introduced: '1.6.2' }, { fixed: '1.6.3' }] },
    ]);
    // Never patched: every version.
    expect(ranges('GHSA-hgmw-x865-hf9x')).toEqual([{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }]);
  });
});

describe('rubysec feed', () => {
  it('is named after its folder and fetches the codeload tarball of master', async () => {
    expect(rubysecFeed.id).toBe(basename(dirname(fileURLToPath(import.meta.url))));
    const ctx = fakeFetchContext({ dir: '/nonexistent' });
    expect(await rubysecFeed.fetch(ctx)).toEqual({});
    expect(ctx.calls.map((c) => [c.url, c.file])).toEqual([['https://codeload.github.com/rubysec/ruby-advisory-db/tar.gz/refs/heads/master', 'ruby-advisory-db.tar.gz']]);
    const local = fakeFetchContext({ dir: '/nonexistent', baseUrl: 'http://127.0.0.1:9/' });
    await rubysecFeed.fetch(local);
    expect(local.calls[0]?.url).toBe('http://127.0.0.1:9/rubysec/ruby-advisory-db/tar.gz/refs/heads/master');
  });
});

describe.skipIf(!vulndataPath('rubysec'))('rubysec parse over the staging corpus', () => {
  it('emits all 1,234 gem advisories (1,175 ids: shared ids merged), valid in the model, without problems', async () => {
    const sink = await parsed(CORPUS);
    expect(sink.problems).toEqual([]);
    expect(sink.advisories).toHaveLength(1175);
    expect(new Set(sink.advisories.map((a) => a.id)).size).toBe(1175);
    expect(sink.advisories.flatMap((a) => a.affected ?? [])).toHaveLength(1234);
    expect(sink.advisories.find((a) => a.id === 'GHSA-333g-rpr4-7hxq')?.affected?.map((x) => x.name).sort()).toEqual([
      'awesome-bot', 'bitcoin_vanity', 'blockchain_wallet', 'capistrano-colors', 'coin_base', 'coming-soon', 'cron_parser', 'doge-coin', 'lita_coin', 'omniauth_amazon', 'rest-client',
    ]);
    expect(sink.advisories.filter((a) => !AdvisorySchema.safeParse(a).success)).toEqual([]);
    expect(sink.advisories.filter((a) => (a.ratings?.length ?? 0) > 0).length).toBeGreaterThan(1000);
  }, 120_000);

  it.skipIf(!hasRuby)('agrees with RubyGems on every version around every bound of every advisory', () => {
    const files = readdirSync(`${CORPUS}/gems`, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yml')).map((f) => `gems/${f}`);
    const out = execFileSync('ruby', [fileURLToPath(new URL('../../../../scripts/fixtures/rubysec/verdicts.rb', import.meta.url)), ...files], { cwd: CORPUS, maxBuffer: 1 << 28 });
    const verdicts = JSON.parse(out.toString('utf8')) as Verdicts;
    const wrong: string[] = [];
    let pairs = 0;
    for (const { file, vulnerable } of verdicts.advisories) {
      const advisory = mapRubysec(YAML.parse(readFileSync(`${CORPUS}/${file}`, 'utf8')), basename(file, '.yml'), () => {});
      for (const [version, expected] of Object.entries(vulnerable)) {
        pairs++;
        if (!advisory || affects(advisory, version) !== expected) wrong.push(`${file} @ ${version}: ruby says ${expected}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(pairs).toBeGreaterThan(10_000);
  }, 300_000);
});

