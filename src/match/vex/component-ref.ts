import type { ComponentRef } from './model.js';
import { parsePurl, type Purl } from './purl.js';
import { quote } from './schema-errors.js';

export interface RefInput {
  /** Identifiers as written; the ones that are purls become purls. */
  readonly ids?: readonly (string | undefined)[];
  /** Hashes by algorithm name (`sha-256` in OpenVEX, `SHA-256` in CycloneDX). */
  readonly hashes?: readonly (readonly [string, string])[];
  readonly versions?: readonly string[];
}

const SHA256_NAMES = new Set(['sha-256', 'sha256']);

/**
 * Builds a ComponentRef; `warn` hears about identifiers that look like purls but do not parse.
 * Only SHA-256 hashes are kept: image digests are SHA-256 (OCI image spec, descriptor.md).
 */
export function componentRef(input: RefInput, warn: (message: string) => void): ComponentRef {
  const purls: Purl[] = [];
  const ids: string[] = [];
  for (const raw of input.ids ?? []) {
    const id = raw?.trim();
    if (!id) continue;
    const purl = parsePurl(id);
    if (purl) purls.push(purl);
    else {
      if (/^pkg:/i.test(id)) warn(`${quote(id)} starts with pkg: but is not a valid package URL; compared as a plain identifier`);
      ids.push(id);
    }
  }
  const digests: string[] = [];
  for (const [alg, value] of input.hashes ?? []) {
    if (SHA256_NAMES.has(alg.toLowerCase()) && /^[0-9a-f]{64}$/i.test(value)) digests.push(`sha256:${value.toLowerCase()}`);
  }
  return { purls, ids, digests, ...(input.versions ? { versions: input.versions } : {}) };
}

export function isEmptyRef(ref: ComponentRef): boolean {
  return ref.purls.length === 0 && ref.ids.length === 0 && ref.digests.length === 0;
}
