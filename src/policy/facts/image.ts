import type { ImageMetadata } from '../../image/types.js';
import { type ImageReference, parseReference } from '../../image/registry/reference.js';
import type { ImageFacts } from '../input.js';

/**
 * The trust facts of a scanned image: registry, repository and tag from the reference (for
 * archives and layouts, from the name the image was saved under, its first tag), the
 * manifest digest, the labels and the diffIDs from the config.
 */

const PREFIX = /^(registry|docker):/;

function tryParse(name: string | undefined): ImageReference | undefined {
  if (!name) return undefined;
  try {
    return parseReference(name);
  } catch {
    return undefined;
  }
}

export function imageFacts(meta: ImageMetadata): ImageFacts {
  const named = meta.source === 'registry' || meta.source === 'docker';
  const ref = named ? tryParse(meta.reference.replace(PREFIX, '')) : tryParse(meta.tags[0]);
  const repoDigest = meta.repoDigests?.map((d) => tryParse(d)).find((r) => r?.digest && r.repository === ref?.repository);
  const digest = ref?.digest ?? meta.manifestDigest ?? repoDigest?.digest;
  return {
    reference: meta.reference,
    ...(ref ? { registry: ref.registry, repository: ref.repository } : {}),
    ...(ref?.tag !== undefined ? { tag: ref.tag } : {}),
    ...(digest ? { digest } : {}),
    referencedByDigest: named && ref?.digest !== undefined,
    labels: meta.config.labels,
    diffIds: meta.layers.map((l) => l.diffId),
  };
}
