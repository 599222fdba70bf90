// Image signatures (issue 5): cosign-compatible signing and verification, Sigstore bundles.
export type { SignatureError, SignatureFacts, VerifiedSignature } from './facts.js';
export { generateSigningKeyPair, keyId, parsePrivateKey, parsePublicKey, type KeyAlgorithm, type PublicKeyInfo, type SigningKey } from './keys.js';
export { resolveImageDigest } from './resolve.js';
export { signImage, type SignImageOptions, type SignImageResult } from './sign.js';
export { verifyImageSignatures, type VerifyOptions } from './verify.js';
export { buildPayload, signatureTag, SIGNATURE_ANNOTATION, SIMPLE_SIGNING_MEDIA_TYPE } from './cosign/format.js';
