import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { Header } from 'tar-stream';
import { PortcullisError } from '../../core/errors.js';
import { BUNDLE_FORMAT, type BundleFile, MANIFEST_NAME, type Manifest, ManifestSchema } from './format.js';
import { fsyncPath, Measure, newFileStream } from './streams.js';

/**
 * Checks on each tar member of a bundle, and the two steps that turn the database member into
 * a file: copy with size and sha256 checked, then inflate with the expanded size bounded.
 */

/** The member's name once it is known to be a safe, regular, first-seen file; BUNDLE_FORMAT otherwise. */
export function checkMember(header: Pick<Header, 'name' | 'type'>, seen: Set<string>): string {
  const name = header.name;
  const shown = JSON.stringify(name.slice(0, 200));
  const parts = name.split('/');
  // Format 1 names are short; a long (pax) name is refused before it reaches any message.
  if (name.length > 100) throw new PortcullisError('BUNDLE_FORMAT', `bundle member name ${shown}… is longer than 100 characters`, { entry: name.slice(0, 200) });
  if (name === '' || name.startsWith('/') || name.includes('\\') || name.includes('\0') || parts.includes('..')) {
    throw new PortcullisError('BUNDLE_FORMAT', `unsafe member name ${shown} in the bundle`, { entry: name.slice(0, 200) });
  }
  if ((header.type ?? 'file') !== 'file') throw new PortcullisError('BUNDLE_FORMAT', `bundle member ${shown} is a ${header.type}, not a regular file`, { entry: name.slice(0, 200) });
  if (seen.has(name)) throw new PortcullisError('BUNDLE_FORMAT', `bundle member ${shown} appears twice`, { entry: name.slice(0, 200) });
  seen.add(name);
  return name;
}

/** Parses the manifest (only ever after its signature verified). */
export function parseManifest(bytes: Buffer): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new PortcullisError('BUNDLE_FORMAT', `${MANIFEST_NAME} is not JSON: ${(err as Error).message}`, { entry: MANIFEST_NAME }, { cause: err });
  }
  const r = ManifestSchema.safeParse(json);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new PortcullisError('BUNDLE_FORMAT', `${MANIFEST_NAME} is not a ${BUNDLE_FORMAT} manifest: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`, {
    entry: MANIFEST_NAME,
  });
}

/** Copies a member to `tmp`, never past the manifest's size, and checks its size and sha256. */
export async function receiveMember(body: AsyncIterable<Buffer>, declared: number, file: BundleFile, tmp: string): Promise<void> {
  if (declared !== file.size) throw new PortcullisError('BUNDLE_HASH', `${file.name} is ${declared} bytes, the manifest lists ${file.size}`, { entry: file.name });
  const measure = new Measure(file.size, (limit) => new PortcullisError('BUNDLE_HASH', `${file.name} is larger than the ${limit} bytes the manifest lists`, { entry: file.name }));
  await pipeline(Readable.from(body), measure, newFileStream(tmp, 0o600));
  if (measure.bytes !== file.size || measure.sha256() !== file.sha256) {
    throw new PortcullisError('BUNDLE_HASH', `${file.name} does not match the manifest (${measure.bytes} bytes, sha256 ${measure.sha256()}; listed ${file.size} bytes, sha256 ${file.sha256})`, {
      entry: file.name,
    });
  }
}

/**
 * Inflates the verified member into `out`, stopping at the expanded size the manifest declares
 * (a decompression bomb ends there), then checks that size and sha256 and flushes the file.
 */
export async function inflateVerified(gz: string, file: BundleFile, out: string): Promise<void> {
  const measure = new Measure(
    file.uncompressedSize,
    (limit) => new PortcullisError('BUNDLE_HASH', `${file.name} expands beyond the ${limit} bytes the manifest declares`, { entry: file.name }),
  );
  try {
    await pipeline(createReadStream(gz), createGunzip(), measure, newFileStream(out));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException)?.code;
    if (typeof code === 'string' && code.startsWith('Z_')) {
      throw new PortcullisError('BUNDLE_FORMAT', `${file.name} is not valid gzip: ${(err as Error).message}`, { entry: file.name }, { cause: err });
    }
    throw err;
  }
  fsyncPath(out, 'r+');
  if (measure.bytes !== file.uncompressedSize || measure.sha256() !== file.uncompressedSha256) {
    throw new PortcullisError('BUNDLE_HASH', `${file.name} expands to ${measure.bytes} bytes with sha256 ${measure.sha256()}, the manifest declares ${file.uncompressedSize} bytes, sha256 ${file.uncompressedSha256}`, {
      entry: file.name,
    });
  }
}
