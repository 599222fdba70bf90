import type { ErrorCode } from '../core/errors.js';

/** One signature that verified: who signed (key or certificate identity) and what digest. */
export interface VerifiedSignature {
  /** `sha256:<hex>` of the verifying public key in SPKI DER form (key-based signatures). */
  readonly keyId?: string;
  /** Certificate subject (email, URI) for certificate-based (keyless) signatures. */
  readonly identity?: string;
  /** OIDC issuer recorded in a Fulcio certificate. */
  readonly issuer?: string;
  /** The image digest the signature covers (always the digest that was asked about). */
  readonly digest: string;
}

/** A signature that failed, or storage that could not be read. */
export interface SignatureError {
  readonly code: string;
  readonly message: string;
}

/**
 * What signature verification found for one image. The same shape is declared by the policy
 * engine in src/policy/input.ts (the shared contract of issue 5); TypeScript's structural
 * typing keeps the two interchangeable.
 */
export interface SignatureFacts {
  /** False when no verification was asked for (no keys, no bundles) or none was possible. */
  readonly checked: boolean;
  readonly verified: readonly VerifiedSignature[];
  readonly errors: readonly SignatureError[];
}

export type SignatureErrorCode = Extract<ErrorCode, 'SIGNATURE_INVALID' | 'SIGNATURE_UNREACHABLE'>;

export function signatureError(code: SignatureErrorCode, message: string): SignatureError {
  return { code, message };
}
