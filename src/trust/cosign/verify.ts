import { type ErrorContext, isPortcullisError } from '../../core/errors.js';
import { fetchRawManifest, fetchSmallBlob, type ImageReference, parseReference, type RepoEndpoint } from '../../image/registry/index.js';
import { type SignatureError, signatureError, type VerifiedSignature } from '../facts.js';
import { type PublicKeyInfo, verifyPayload } from '../keys.js';
import { storageError } from '../storage-error.js';
import {
  COSIGN_SIGNATURE_TYPE,
  DOCKER_MANIFEST,
  MAX_PAYLOAD_BYTES,
  OCI_MANIFEST,
  SIGNATURE_ANNOTATION,
  type SignatureLayer,
  SignatureManifestSchema,
  signatureTag,
  SIMPLE_SIGNING_MEDIA_TYPE,
  SimpleSigningSchema,
} from './format.js';

export interface CosignCheck {
  readonly ep: RepoEndpoint;
  readonly ref: ImageReference;
  readonly digest: string;
  readonly keys: readonly PublicKeyInfo[];
  /** Repositories besides `ref`'s whose docker-reference is accepted (mirrors, `cosign copy`). */
  readonly acceptRepositories?: readonly string[];
}

/** What the tag-based signatures said: good ones, bad ones, and ones no given key verifies. */
export interface CosignOutcome {
  found: number;
  readonly verified: VerifiedSignature[];
  /** Signatures that a trusted key made but that do not hold for this image, and malformed ones. */
  readonly errors: SignatureError[];
  /** Signatures no supplied key verifies (tampered, or simply someone else's). */
  readonly unverified: SignatureError[];
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function sameRepository(dockerRef: string, ref: ImageReference, extra: readonly string[]): boolean {
  let claimed: ImageReference;
  try {
    claimed = parseReference(dockerRef);
  } catch {
    return false;
  }
  const name = (r: ImageReference) => `${r.registry}/${r.repository}`;
  if (name(claimed) === name(ref)) return true;
  return extra.some((repo) => {
    try {
      return name(parseReference(repo)) === name(claimed);
    } catch {
      return false;
    }
  });
}

/** Checks one signature layer: the signature first, then what the signed payload claims. */
async function checkLayer(c: CosignCheck, layer: SignatureLayer, index: number, out: CosignOutcome, ctx: ErrorContext): Promise<void> {
  const where = `signature ${index + 1} (${layer.digest.slice(0, 19)}…)`;
  const encoded = layer.annotations?.[SIGNATURE_ANNOTATION];
  if (!encoded || encoded.length > 8192 || !BASE64.test(encoded)) {
    out.errors.push(signatureError('SIGNATURE_INVALID', `${where} has no valid "${SIGNATURE_ANNOTATION}" annotation`));
    return;
  }
  if (layer.size > MAX_PAYLOAD_BYTES) {
    out.errors.push(signatureError('SIGNATURE_INVALID', `${where}: payload of ${layer.size} bytes is too large for a simple-signing payload`));
    return;
  }
  // The registry must hand back exactly the bytes the manifest names (fetchSmallBlob checks the digest).
  const payload = await fetchSmallBlob(c.ep, layer.digest, layer.size, `${where} payload`, { ...ctx, path: layer.digest });
  const signature = Buffer.from(encoded, 'base64');
  const key = c.keys.find((k) => verifyPayload(k, payload, signature));
  if (!key) {
    out.unverified.push(signatureError('SIGNATURE_INVALID', `${where} does not verify with any of the ${c.keys.length} given key(s) (payload altered, or signed by another key)`));
    return;
  }
  // From here a trusted key signed the payload: any mismatch is a replayed or misplaced signature.
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    out.errors.push(signatureError('SIGNATURE_INVALID', `${where}: signed payload is not JSON`));
    return;
  }
  const parsed = SimpleSigningSchema.safeParse(json);
  if (!parsed.success) {
    out.errors.push(signatureError('SIGNATURE_INVALID', `${where}: signed payload is not a simple-signing document (${parsed.error.issues[0]?.path.join('.') || 'root'})`));
    return;
  }
  const critical = parsed.data.critical;
  if (critical.type !== COSIGN_SIGNATURE_TYPE) {
    out.errors.push(signatureError('SIGNATURE_INVALID', `${where}: payload type is "${critical.type.slice(0, 80)}", not "${COSIGN_SIGNATURE_TYPE}"`));
    return;
  }
  const signedDigest = critical.image['docker-manifest-digest'];
  if (signedDigest !== c.digest) {
    out.errors.push(signatureError('SIGNATURE_INVALID', `${where} was made for ${signedDigest.slice(0, 80)}, not for ${c.digest} (a signature copied from another image)`));
    return;
  }
  const dockerRef = critical.identity['docker-reference'];
  if (!sameRepository(dockerRef, c.ref, c.acceptRepositories ?? [])) {
    out.errors.push(signatureError('SIGNATURE_INVALID', `${where} names repository "${dockerRef.slice(0, 200)}", not ${c.ref.registry}/${c.ref.repository}`));
    return;
  }
  out.verified.push({ keyId: key.keyId, digest: c.digest });
}

/**
 * Reads and checks the cosign signatures stored under `sha256-<hex>.sig`. Storage failures
 * throw (the caller turns them into SIGNATURE_UNREACHABLE); a missing tag means unsigned.
 */
export async function checkCosignSignatures(c: CosignCheck): Promise<CosignOutcome> {
  const tag = signatureTag(c.digest);
  const ctx: ErrorContext = { reference: `${c.ref.registry}/${c.ref.repository}:${tag}` };
  const out: CosignOutcome = { found: 0, verified: [], errors: [], unverified: [] };
  const raw = await fetchRawManifest(c.ep, tag, `${OCI_MANIFEST}, ${DOCKER_MANIFEST}`, ctx);
  if (!raw) return out;
  let json: unknown;
  try {
    json = JSON.parse(raw.bytes.toString('utf8'));
  } catch {
    out.errors.push(signatureError('SIGNATURE_INVALID', `signature manifest ${tag} is not JSON`));
    return out;
  }
  const manifest = SignatureManifestSchema.safeParse(json);
  if (!manifest.success) {
    const issue = manifest.error.issues[0];
    out.errors.push(signatureError('SIGNATURE_INVALID', `signature manifest ${tag} is invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`));
    return out;
  }
  const layers = manifest.data.layers.filter((l) => l.mediaType === SIMPLE_SIGNING_MEDIA_TYPE);
  out.found = layers.length;
  for (const [i, layer] of layers.entries()) {
    try {
      await checkLayer(c, layer, i, out, ctx);
    } catch (err) {
      // A payload blob the registry lost or corrupted spoils that signature, not the others.
      const mapped = storageError(err);
      if (mapped.code === 'SIGNATURE_UNREACHABLE' || !isPortcullisError(err)) throw err;
      out.errors.push(signatureError('SIGNATURE_INVALID', `signature ${i + 1}: ${mapped.message}`));
    }
  }
  return out;
}
