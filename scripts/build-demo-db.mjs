#!/usr/bin/env node
// Regenerates data/demo-db/ (the demo vulnerability database's facts) from the real public
// advisory data in ../shared/vulndata (see its SOURCES.md). Facts only: ids, aliases, packages,
// ranges, fixed versions, statuses, ratings, CVSS vectors, CWEs, dates and reference URLs; no
// summaries, details or other prose. Run after `npm run build`:
//   node scripts/build-demo-db.mjs [/path/to/vulndata]
// The output is deterministic (sorted records, fixed gzip settings), so a re-run changes the
// files only when the data or the parsers changed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const vulndata = process.argv[2] ?? join(root, '..', 'shared', 'vulndata');
const { writeSnapshot } = await import(join(root, 'dist/src/vulndb/snapshot/snapshot.js'));
const feeds = (id) => import(join(root, `dist/src/vulndb/feeds/${id}/index.js`)).then((m) => m[`${id}Feed`]);

// What the demo carries, and from where. Origins and licences: ../shared/vulndata/SOURCES.md.
const INPUTS = [
  { feed: 'osv', dir: 'osv/PyPI', origin: 'pypa/advisory-database@3ccb612573e2 (2024-10-10)', license: 'CC-BY-4.0' },
  { feed: 'osv', dir: 'osv/Go', origin: 'golang/vulndb@a752ea54fd1b (2026-08-21)', license: 'CC-BY-4.0' },
  { feed: 'osv', dir: 'osv/crates.io', origin: 'rustsec/advisory-db@7fa931cb9025, osv branch (2026-08-21)', license: 'CC0-1.0' },
  { feed: 'rubysec', dir: 'rubysec', origin: 'rubysec/ruby-advisory-db@8cfcc07caea7 (2026-08-22)', license: 'public domain (entries with OSVDB ids: see upstream LICENSE.txt)' },
  { feed: 'nswg', dir: 'npm/nodejs-security-wg', origin: 'nodejs/security-wg@f1288d0d6723 (2026-04-08)', license: 'MIT' },
  { feed: 'debian', dir: 'debian', origin: 'Debian security tracker DSA/DLA/DTSA lists @32127b7f220c (2023-04-02)', license: 'Debian project data' },
  { feed: 'alpine', dir: 'alpine/secdb-yaml', origin: 'alpinelinux/alpine-secdb@06f6e960194f (2020-06-08)', license: 'aports secfixes data' },
  { feed: 'kev', dir: 'kev', origin: 'cisagov/kev-data@eacf03ec6637 (2025-08-25)', license: 'CC0-1.0' },
];

const advisories = new Map();
const kev = [];
const manifest = { format: 'portcullis-demo-db/1', snapshotDate: '2026-08-22T00:00:00Z', note: 'Facts only, from real public advisory data; see ATTRIBUTION.md', sources: [] };

function facts(a) {
  // Drop prose: summaries and free-text notes are the upstream authors' words.
  const { summary, ...rest } = a;
  return { ...rest, affected: (a.affected ?? []).map(({ note, ...x }) => x) };
}

for (const input of INPUTS) {
  const feed = await feeds(input.feed);
  let count = 0;
  let problems = 0;
  const sink = {
    advisory: (a) => {
      const key = `${a.source}\t${a.id}`;
      const prev = advisories.get(key);
      if (!prev || (a.modified ?? '') >= (prev.modified ?? '')) advisories.set(key, facts(a));
      count++;
    },
    kev: (e) => {
      kev.push(e);
      count++;
    },
    epss: () => undefined,
    problem: () => problems++,
  };
  await feed.parse(join(vulndata, input.dir), sink);
  manifest.sources.push({ feed: input.feed, path: input.dir, origin: input.origin, license: input.license, records: count, problems });
  console.error(`${input.feed} ${input.dir}: ${count} records, ${problems} problems`);
}

const out = join(root, 'data', 'demo-db');
mkdirSync(out, { recursive: true });
const sorted = [...advisories.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, a]) => ({ advisory: a }));
await writeSnapshot(join(out, 'advisories.jsonl.gz'), sorted);
await writeSnapshot(join(out, 'kev.jsonl.gz'), kev.sort((a, b) => (a.cve < b.cve ? -1 : 1)).map((e) => ({ kev: e })));
writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
console.error(`wrote ${sorted.length} advisories and ${kev.length} KEV entries to ${out}`);
