/**
 * The one catalogue of coded errors users can see. Each code has a stable name, an exit
 * code for the CLI and a one-line cause. Throw `PortcullisError` only for conditions that
 * end the run; anything the rest of a scan can survive becomes a `Problem` (see problem.ts).
 */
export const ERROR_CATALOGUE = {
  USAGE: { exit: 2, cause: 'The command line is not valid.' },
  IMAGE_REF_INVALID: { exit: 3, cause: 'The image reference cannot be parsed.' },
  IMAGE_NOT_FOUND: { exit: 3, cause: 'The image, archive or directory does not exist.' },
  IMAGE_FORMAT: { exit: 3, cause: 'The image is not in a format Portcullis can read.' },
  IMAGE_MEDIA_TYPE: { exit: 3, cause: 'A manifest, config or layer has a media type Portcullis does not know.' },
  IMAGE_PLATFORM: { exit: 3, cause: 'No image in the index matches the requested platform.' },
  DIGEST_MISMATCH: { exit: 3, cause: 'A blob does not match the digest that names it.' },
  LAYER_CORRUPT: { exit: 3, cause: 'A layer cannot be decompressed or is not a valid tar stream.' },
  LAYER_TOO_LARGE: { exit: 3, cause: 'A layer expands beyond the configured limit (decompression bomb).' },
  TAR_ENTRY_UNSAFE: { exit: 3, cause: 'A tar entry has an unsafe path or link (absolute, "..", or outside the image).' },
  TAR_ENTRY_DEVICE: { exit: 3, cause: 'A tar entry is a device or other special file; it is recorded but never read.' },
  FILE_TOO_LARGE: { exit: 3, cause: 'A file needed for cataloging is larger than the configured limit.' },
  REGISTRY_UNREACHABLE: { exit: 4, cause: 'The registry cannot be reached.' },
  REGISTRY_AUTH: { exit: 4, cause: 'The registry refused the credentials, or none were given.' },
  REGISTRY_PROTOCOL: { exit: 4, cause: 'The registry answered something the distribution API does not allow.' },
  REGISTRY_INSECURE: { exit: 2, cause: 'Plain HTTP is allowed only for loopback registries and only with --insecure.' },
  DAEMON_UNREACHABLE: { exit: 4, cause: 'The Docker daemon cannot be reached.' },
  DAEMON_ERROR: { exit: 4, cause: 'The Docker daemon answered with an error.' },
  CATALOG_PARSE: { exit: 1, cause: 'A package database or manifest could not be parsed.' },
  CATALOG_UNSUPPORTED: { exit: 1, cause: 'A package database is in a format this cataloger does not support.' },
  OUTPUT_WRITE: { exit: 5, cause: 'The output file cannot be written.' },
  CACHE_CORRUPT: { exit: 1, cause: 'A cache entry is corrupt; it was ignored and rebuilt.' },
  // Vulnerability database, feeds, bundles, matching (src/vulndb, src/match)
  FEED_PARSE: { exit: 6, cause: 'A feed file is corrupt, truncated or not in the format its source publishes.' },
  FEED_FETCH: { exit: 6, cause: 'A feed could not be downloaded; its previous data was kept.' },
  FEED_UNKNOWN_ECOSYSTEM: { exit: 6, cause: 'An advisory names an ecosystem Portcullis does not know; the entry was skipped.' },
  VERSION_INVALID: { exit: 6, cause: 'A version string is not valid in its ecosystem\'s scheme.' },
  DB_NOT_FOUND: { exit: 6, cause: 'No vulnerability database exists at the configured path.' },
  DB_SCHEMA: { exit: 6, cause: 'The vulnerability database has a schema version this Portcullis cannot read; rebuild or update it.' },
  DB_CORRUPT: { exit: 6, cause: 'The vulnerability database file is damaged or not a Portcullis database.' },
  DB_STALE: { exit: 6, cause: 'The vulnerability data is older than the allowed age.' },
  BUNDLE_FORMAT: { exit: 6, cause: 'The offline bundle is not a Portcullis bundle or is truncated.' },
  BUNDLE_SIGNATURE: { exit: 6, cause: 'The offline bundle\'s signature is missing, invalid or made by an untrusted key.' },
  BUNDLE_HASH: { exit: 6, cause: 'A file in the offline bundle does not match the sha256 its manifest lists.' },
  VEX_PARSE: { exit: 6, cause: 'A VEX document is not valid OpenVEX or CycloneDX VEX.' },
  // Policy, trust and signatures (src/policy, src/trust)
  POLICY_INVALID: { exit: 7, cause: 'A policy file is invalid; it was not applied and nothing is allowed by it.' },
  POLICY_BLOCKED: { exit: 1, cause: 'A blocking policy rule matched.' },
  SIGNATURE_INVALID: { exit: 7, cause: 'A signature is missing, does not verify, or was made for another image.' },
  SIGNATURE_UNREACHABLE: { exit: 4, cause: 'The signature storage cannot be reached.' },
  // Compliance checks (src/compliance)
  COMPLIANCE_TARGET: { exit: 8, cause: 'The compliance target cannot be read (daemon, container, host path or manifest).' },
  COMPLIANCE_INVALID: { exit: 8, cause: 'A benchmark, framework or custom check definition is invalid.' },
  COMPLIANCE_FAILED: { exit: 1, cause: 'Checks of the chosen severities failed.' },
  // Docker authorization plugin and audit log (src/authz)
  AUTHZ_DENIED: { exit: 1, cause: 'The authorization policy denied the request.' },
  AUTHZ_REQUEST: { exit: 9, cause: 'An authorization request is malformed, truncated or too large; it was denied.' },
  AUTHZ_CONFIG: { exit: 9, cause: 'The authorization plugin configuration is invalid; every request is denied until it loads.' },
  AUDIT_TAMPERED: { exit: 9, cause: 'The audit log does not verify: a record was edited, removed or reordered.' },
  DIRECTORY_UNREACHABLE: { exit: 4, cause: 'The LDAP directory cannot be reached or refused the bind.' },
  INTERNAL: { exit: 70, cause: 'A bug in Portcullis.' },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface ErrorContext {
  readonly layer?: string | undefined;
  readonly entry?: string | undefined;
  readonly path?: string | undefined;
  readonly reference?: string | undefined;
  readonly [key: string]: unknown;
}

export class PortcullisError extends Error {
  readonly code: ErrorCode;
  readonly context: ErrorContext;

  constructor(code: ErrorCode, message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PortcullisError';
    this.code = code;
    this.context = context;
  }

  get exitCode(): number {
    return ERROR_CATALOGUE[this.code].exit;
  }
}

export function isPortcullisError(err: unknown, code?: ErrorCode): err is PortcullisError {
  return err instanceof PortcullisError && (code === undefined || err.code === code);
}

/** Wraps anything thrown into a PortcullisError so every boundary translates one type. */
export function toPortcullisError(err: unknown, fallback: ErrorCode = 'INTERNAL', context: ErrorContext = {}): PortcullisError {
  if (err instanceof PortcullisError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new PortcullisError(fallback, message, context, { cause: err });
}

/** Human-readable one-liner: `[CODE] message (layer sha256:…, entry etc/passwd)`. */
export function formatError(err: PortcullisError): string {
  const ctx = Object.entries(err.context)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k} ${String(v)}`);
  return `[${err.code}] ${err.message}${ctx.length ? ` (${ctx.join(', ')})` : ''}`;
}
