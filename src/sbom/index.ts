/**
 * SBOM encoders: one Inventory in, one document out. Each format lives in its own file;
 * this is the explicit, sorted registry of them (nothing registers itself on import).
 */
import type { Inventory } from '../catalog/inventory.js';
import { PortcullisError } from '../core/errors.js';
import type { EncodeOptions } from './common.js';
import { encodeCycloneDx } from './cyclonedx.js';
import { encodeNativeJson } from './json.js';
import { encodeSpdx } from './spdx.js';

export type SbomFormat = 'cyclonedx' | 'spdx-json' | 'json';

/** Supported formats; the first is the default. */
export const SBOM_FORMATS: readonly SbomFormat[] = ['cyclonedx', 'spdx-json', 'json'];

const ENCODERS: Readonly<Record<SbomFormat, (inv: Inventory, opts: EncodeOptions) => string>> = {
  cyclonedx: encodeCycloneDx,
  json: encodeNativeJson,
  'spdx-json': encodeSpdx,
};

export function isSbomFormat(text: string): text is SbomFormat {
  return (SBOM_FORMATS as readonly string[]).includes(text);
}

/**
 * Encodes an inventory as pretty JSON with a trailing newline. With `deterministic`, the
 * same inventory always gives the same bytes (content-derived document ids, sorted lists).
 */
export function encodeSbom(inv: Inventory, format: SbomFormat, opts: { deterministic?: boolean } = {}): string {
  // `format` may come straight from a command line or an API body.
  if (!isSbomFormat(format)) throw new PortcullisError('USAGE', `unknown SBOM format "${String(format)}" (use one of ${SBOM_FORMATS.join(', ')})`);
  return ENCODERS[format](inv, opts);
}

export type { EncodeOptions } from './common.js';
export { buildCycloneDx, CYCLONEDX_SPEC_VERSION } from './cyclonedx.js';
export { buildSpdx, SPDX_NAMESPACE_BASE, SPDX_VERSION } from './spdx.js';
export { buildNativeSbom } from './json.js';
export { NATIVE_SBOM_SCHEMA_ID, NativeSbomSchema, type NativeSbom, type NativePackage } from './json-schema.js';
export { classifyLicense, parseSpdxExpression, type LicenseInfo } from './licenses.js';
