/**
 * Offline bundles of the vulnerability database (`db export`, `db import`, `db keygen`).
 * The format is described in README.md beside this file.
 */
export { type ExportOptions, type ExportResult, exportBundle } from './export.js';
export { BUNDLE_FORMAT, type BundleFile, type BundleSource, type Manifest } from './format.js';
export { type ImportOptions, type ImportResult, importBundle } from './import.js';
export { generateKeyPair, type KeyInput, type KeyPairPem, keyFingerprint, loadPrivateKey, loadTrustedKeys, readKeyFile, writeKeyPair } from './keys.js';
