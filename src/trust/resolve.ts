import { PortcullisError } from '../core/errors.js';
import { fetchRawManifest, openRepository, parseReference, type RegistryLimits } from '../image/registry/index.js';
import { MANIFEST_ACCEPT } from '../image/registry/manifest.js';
import type { ImageSourceOptions } from '../image/types.js';

/**
 * The digest a registry reference resolves to now: the top-level manifest (an index for a
 * multi-platform image), which is what cosign signs. A digest reference is confirmed, not
 * trusted blindly. Registry errors keep their REGISTRY_* codes.
 */
export async function resolveImageDigest(ref: string, opts: Pick<ImageSourceOptions, 'insecure' | 'username' | 'password' | 'dockerConfig' | 'signal'> = {}, limits: Partial<RegistryLimits> = {}): Promise<string> {
  const parsed = parseReference(ref);
  const { endpoint } = await openRepository(ref, opts, 'pull', limits);
  const found = await fetchRawManifest(endpoint, parsed.digest ?? parsed.tag ?? 'latest', MANIFEST_ACCEPT, { reference: ref });
  if (!found) throw new PortcullisError('IMAGE_NOT_FOUND', `${ref} does not exist in the registry`, { reference: ref });
  return found.digest;
}
