// Rewrites a `docker save` archive so that every layer.tar inside it is gzip-compressed
// (same names, manifest.json unchanged: docker load, go-containerregistry and our reader
// detect compression by the gzip magic). `docker save` writes layers uncompressed, and a
// benchmark on uncompressed layers would leave decompression out of the measured work.
// Usage: node gzip-docker-archive.mjs IN.tar OUT.tar
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';

export async function gzipDockerArchive(input, output) {
  const tmp = mkdtempSync(join(dirname(output), '.gz-'));
  try {
    // Pass 1: compress each layer to a temp file (a tar header needs the size up front).
    const entries = [];
    const extract = tar.extract();
    const feeding = pipeline(createReadStream(input), extract);
    // Awaited below; when the loop throws first, this rejection is the same failure.
    feeding.catch(() => {});
    for await (const entry of extract) {
      const { name, type } = entry.header;
      if (type === 'file' && name.endsWith('layer.tar')) {
        const file = join(tmp, `${entries.length}.gz`);
        await pipeline(entry, createGzip({ level: 6 }), createWriteStream(file));
        entries.push({ header: { ...entry.header, size: statSync(file).size }, file });
        continue;
      }
      const chunks = [];
      for await (const c of entry) chunks.push(c);
      entries.push({ header: entry.header, body: Buffer.concat(chunks) });
    }
    await feeding;
    // Pass 2: write the new archive in the original order.
    const pack = tar.pack();
    const writing = pipeline(pack, createWriteStream(output));
    for (const e of entries) {
      if (e.body !== undefined || e.header.type !== 'file') {
        pack.entry(e.header, e.body ?? undefined);
        continue;
      }
      const sink = pack.entry(e.header);
      await pipeline(createReadStream(e.file), new PassThrough(), sink);
    }
    pack.finalize();
    await writing;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) {
    console.error('usage: node gzip-docker-archive.mjs IN.tar OUT.tar');
    process.exit(2);
  }
  await gzipDockerArchive(input, output);
}
