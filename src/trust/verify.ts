import type { TrustedRoot } from '@sigstore/protobuf-specs';
import { type ErrorContext, isPortcullisError } from '../core/errors.js';
import { fetchRawManifest, type ImageReference, openRepository, type OpenedRepository, parseReference, type RegistryLimits } from '../image/registry/index.js';
import { MANIFEST_ACCEPT } from '../image/registry/manifest.js';
import { checkCosignSignatures } from './cosign/verify.js';
import { type SignatureError, signatureError, type SignatureFacts, type VerifiedSignature } from './facts.js';
import { parsePublicKey, type PublicKeyInfo } from './keys.js';
import { checkBundle, parseTrustedRoot } from './sigstore/bundle.js';
import { fetchReferrerBundles } from './sigstore/referrers.js';
import { storageError } from './storage-error.js';

export interface VerifyOptions {
  /** Trusted public keys, PEM (`-----BEGIN PUBLIC KEY-----`): ECDSA P-256 or Ed25519. */
  readonly publicKeys?: readonly string[];
  /** Sigstore bundles (JSON text) handed over out of band, e.g. `cosign sign --bundle` output. */
  readonly bundles?: readonly string[];
  /** Sigstore TrustedRoot JSON: needed for certificate-based (keyless) bundles and log checks. */
  readonly trustedRoot?: string;
  /** Also look for Sigstore bundles attached as OCI 1.1 referrers (default true). */
  readonly referrers?: boolean;
  /** Repositories, besides the image's own, accepted as the signed docker-reference (mirrors). */
  readonly acceptRepositories?: readonly string[];
  readonly insecure?: boolean;
  readonly username?: string;
  readonly password?: string;
  readonly dockerConfig?: string;
  readonly signal?: AbortSignal;
  /** Registry timeouts and caps; tests shrink them. */
  readonly limits?: Partial<RegistryLimits>;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const NOT_CHECKED: SignatureFacts = { checked: false, verified: [], errors: [] };

function loadKeys(pems: readonly string[], errors: SignatureError[]): PublicKeyInfo[] {
  const keys: PublicKeyInfo[] = [];
  for (const [i, pem] of pems.entries()) {
    try {
      keys.push(parsePublicKey(pem, `public key ${i + 1}`));
    } catch (err) {
      errors.push(signatureError('SIGNATURE_INVALID', isPortcullisError(err) ? err.message : String(err)));
    }
  }
  return keys;
}

function loadRoot(text: string | undefined, errors: SignatureError[]): TrustedRoot | undefined {
  if (text === undefined) return undefined;
  try {
    return parseTrustedRoot(text);
  } catch (err) {
    errors.push(signatureError('SIGNATURE_INVALID', (err as Error).message));
    return undefined;
  }
}

/** A reference pinned to another digest than the one asked about is a caller mix-up worth reporting. */
function pinMismatch(ref: ImageReference, digest: string): SignatureError | undefined {
  if (ref.digest === undefined || ref.digest === digest) return undefined;
  return signatureError('SIGNATURE_INVALID', `the reference pins ${ref.digest}, but signatures for ${digest} were asked for`);
}

/**
 * Verifies the signatures of the image `digest` in `ref`'s repository: cosign's tag-based
 * signatures (`sha256-<hex>.sig`), Sigstore bundles attached as referrers, and bundles passed
 * in `opts.bundles`. Never throws: bad keys, bad signatures and unreachable storage become
 * `errors`. `digest` is the manifest digest the signer signed: for a multi-platform image the
 * index digest (what `ref` resolves to), not the platform manifest's.
 *
 * A signature that no given key verifies is reported only when nothing verified (cosign's
 * rule: other parties may sign the same image); a signature that a trusted key made for
 * another image or repository is always reported.
 */
export async function verifyImageSignatures(ref: string, digest: string, opts: VerifyOptions = {}): Promise<SignatureFacts> {
  const errors: SignatureError[] = [];
  const keys = loadKeys(opts.publicKeys ?? [], errors);
  const root = loadRoot(opts.trustedRoot, errors);
  if (keys.length === 0 && root === undefined) return errors.length > 0 ? { ...NOT_CHECKED, errors } : NOT_CHECKED;
  if (!DIGEST.test(digest)) return { ...NOT_CHECKED, errors: [...errors, signatureError('SIGNATURE_INVALID', `"${String(digest).slice(0, 100)}" is not a sha256 digest`)] };
  let parsedRef: ImageReference;
  try {
    // `registry:` is the CLI's source prefix for the same reference.
    parsedRef = parseReference(ref.replace(/^registry:/, ''));
  } catch (err) {
    return { ...NOT_CHECKED, errors: [...errors, signatureError('SIGNATURE_INVALID', (err as Error).message)] };
  }
  const pinned = pinMismatch(parsedRef, digest);
  if (pinned) return { checked: true, verified: [], errors: [...errors, pinned] };

  const repoRef = `${parsedRef.registry}/${parsedRef.repository}`;
  const ctx: ErrorContext = { reference: `${repoRef}@${digest}` };
  let repo: OpenedRepository;
  try {
    repo = await openRepository(repoRef, opts, 'pull', opts.limits ?? {});
  } catch (err) {
    return { ...NOT_CHECKED, errors: [...errors, storageError(err)] };
  }
  const verified: VerifiedSignature[] = [];
  const unverified: SignatureError[] = [];
  try {
    if (keys.length > 0) {
      const cosign = await checkCosignSignatures({ ep: repo.endpoint, ref: parsedRef, digest, keys, ...(opts.acceptRepositories ? { acceptRepositories: opts.acceptRepositories } : {}) });
      verified.push(...cosign.verified);
      errors.push(...cosign.errors);
      unverified.push(...cosign.unverified);
    }
    const bundles = [...(opts.bundles ?? []).map((text, i) => ({ text, label: `bundle ${i + 1}` }))];
    if (opts.referrers !== false) {
      const attached = await fetchReferrerBundles(repo.endpoint, digest, ctx);
      bundles.push(...attached.map((text, i) => ({ text, label: `attached bundle ${i + 1}` })));
    }
    let manifest: Promise<Buffer> | undefined;
    const manifestBytes = () => {
      manifest ??= fetchRawManifest(repo.endpoint, digest, MANIFEST_ACCEPT, ctx).then((m) => m?.bytes ?? Buffer.alloc(0));
      return manifest;
    };
    for (const b of bundles) {
      const outcome = await checkBundle(b.text, { digest, keys, trustedRoot: root, manifest: manifestBytes }, b.label);
      if (outcome.ok) verified.push(outcome.verified);
      else (outcome.keyMismatch ? unverified : errors).push(outcome.error);
    }
  } catch (err) {
    // Part of the storage failed: what verified still counts, and the failure is reported.
    const mapped = storageError(err);
    const checked = verified.length > 0 || mapped.code !== 'SIGNATURE_UNREACHABLE';
    return { checked, verified, errors: [...errors, ...(verified.length > 0 ? [] : unverified), mapped] };
  }
  return { checked: true, verified, errors: verified.length > 0 ? errors : [...errors, ...unverified] };
}
