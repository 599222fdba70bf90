import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { type BuildInput, buildDatabase } from '../../db/build.js';
import type { AdvisoryInput } from '../../model.js';

/** Test helpers: a real small database, and a raw tar reader/writer for hand-made bundles. */

const advisory = (id: string, name: string, fixed: string): AdvisoryInput => ({
  id,
  source: 'osv',
  aliases: [`CVE-2024-${id.slice(-4)}`],
  modified: '2024-02-01T00:00:00Z',
  affected: [{ ecosystem: 'npm', name, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed }] }] }],
});

/** Builds a database at `out` with `n` advisories, one KEV and one EPSS entry. */
export async function makeDb(out: string, n: number): Promise<void> {
  const inputs: BuildInput[] = [
    {
      feed: {
        id: 'osv',
        version: '1',
        license: 'CC-BY-4.0 (test)',
        parse: async (_dir, sink) => {
          for (let i = 0; i < n; i++) sink.advisory(advisory(`GHSA-test-${String(1000 + i)}`, `pkg-${i}`, `1.${i}.0`));
        },
      },
      dir: '.',
      fetchedAt: '2024-03-01T00:00:00Z',
    },
    {
      feed: { id: 'kev', version: '1', license: 'CC0-1.0 (test)', parse: async (_dir, sink) => sink.kev({ cve: 'CVE-2024-1000', dateAdded: '2024-01-02' }) },
      dir: '.',
    },
    {
      feed: { id: 'epss', version: '1', license: 'FIRST (test)', parse: async (_dir, sink) => sink.epss({ cve: 'CVE-2024-1000', score: 0.5, percentile: 0.9, date: '2024-03-01' }) },
      dir: '.',
    },
  ];
  await buildDatabase(out, inputs, { now: new Date('2024-03-02T00:00:00Z') });
}

export interface RawMember {
  readonly name: string;
  readonly data: Buffer;
  readonly type?: 'file' | 'symlink' | 'directory';
}

/** Writes `members` in order as a tar (no checks: tests use it to make hostile bundles). */
export async function writeRawTar(path: string, members: readonly RawMember[]): Promise<void> {
  const pack = tar.pack();
  const done = pipeline(pack as unknown as Readable, createWriteStream(path));
  for (const m of members) {
    if (m.type === 'symlink') pack.entry({ name: m.name, type: 'symlink', linkname: 'manifest.json' });
    else if (m.type === 'directory') pack.entry({ name: m.name, type: 'directory' });
    else pack.entry({ name: m.name, size: m.data.length }, m.data);
  }
  pack.finalize();
  await done;
}

/** Every member of a tar, in order, with its bytes. */
export async function readRawTar(path: string): Promise<RawMember[]> {
  const extract = tar.extract();
  const out: RawMember[] = [];
  const done = pipeline(createReadStream(path), extract as unknown as NodeJS.WritableStream);
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const c of Readable.from(entry as unknown as AsyncIterable<Buffer>)) chunks.push(c as Buffer);
    out.push({ name: entry.header.name, data: Buffer.concat(chunks) });
  }
  await done;
  return out;
}

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
