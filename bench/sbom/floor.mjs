// The floor: the least work any SBOM tool must do on a compressed image archive, i.e. read
// the archive once and gunzip every layer blob into a null sink. Nothing is parsed beyond
// the outer tar. Prints one JSON line: { archiveBytes, layers, compressedBytes, uncompressedBytes }.
// Usage: node floor.mjs ARCHIVE   (oci-archive, or a docker-archive with gzip layers)
import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';

// A larger output chunk than zlib's 16 KiB default: fewer callbacks, a lower (fairer) floor.
const CHUNK = 64 * 1024;

export async function decompressAll(archive) {
  const stats = { archiveBytes: 0, layers: 0, compressedBytes: 0, uncompressedBytes: 0 };
  const extract = tar.extract();
  const feeding = pipeline(createReadStream(archive, { highWaterMark: 1 << 20 }), extract);
  // Awaited at the end; when the loop throws first, this rejection is the same failure.
  feeding.catch(() => {});
  for await (const entry of extract) {
    stats.archiveBytes += entry.header.size ?? 0;
    const chunks = entry[Symbol.asyncIterator]();
    const first = await chunks.next();
    if (first.done) continue;
    const isGzip = first.value[0] === 0x1f && first.value[1] === 0x8b;
    if (!isGzip) {
      for await (const _ of { [Symbol.asyncIterator]: () => chunks });
      continue;
    }
    stats.layers++;
    stats.compressedBytes += entry.header.size ?? 0;
    const sink = new Writable({
      write(chunk, _enc, done) {
        stats.uncompressedBytes += chunk.length;
        done();
      },
    });
    async function* source() {
      yield first.value;
      yield* { [Symbol.asyncIterator]: () => chunks };
    }
    await pipeline(source, createGunzip({ chunkSize: CHUNK }), sink);
  }
  await feeding;
  return stats;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const archive = process.argv[2];
  if (!archive) {
    console.error('usage: node floor.mjs ARCHIVE');
    process.exit(2);
  }
  console.log(JSON.stringify(await decompressAll(archive)));
}
