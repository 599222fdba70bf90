import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';

/** One member of a tar written by a test: a file with data, or a link to another member. */
export type PackEntry =
  | { readonly name: string; readonly data: Buffer | string }
  | { readonly name: string; readonly link: string; readonly kind: 'link' | 'symlink' };

/** Writes `entries` in order as a ustar/pax tar at `path` (tar-stream's writer). */
export async function packTar(path: string, entries: readonly PackEntry[]): Promise<void> {
  const pack = tar.pack();
  const done = pipeline(pack, createWriteStream(path));
  for (const e of entries) {
    if ('data' in e) pack.entry({ name: e.name }, typeof e.data === 'string' ? Buffer.from(e.data) : e.data);
    else pack.entry({ name: e.name, type: e.kind, linkname: e.link });
  }
  pack.finalize();
  await done;
}
