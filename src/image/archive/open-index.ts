import { stat } from 'node:fs/promises';
import { PortcullisError } from '../../core/errors.js';
import { TarIndex } from './tar-index.js';

/** Indexes the archive at `path`: IMAGE_NOT_FOUND when it does not exist or is not a file. */
export async function indexArchive(path: string): Promise<TarIndex> {
  const st = await stat(path).catch(() => undefined);
  if (!st) throw new PortcullisError('IMAGE_NOT_FOUND', `no such archive: ${path}`, { path });
  if (!st.isFile()) throw new PortcullisError('IMAGE_FORMAT', `not a file: ${path}`, { path });
  return TarIndex.open(path);
}
