import { type Bundle, bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { type SignedEntity, toSignedEntity, toTrustMaterial, type TrustMaterial, Verifier } from '@sigstore/verify';
import { z } from 'zod';
import { PortcullisError } from '../../core/errors.js';
import { type SignatureError, signatureError, type VerifiedSignature } from '../facts.js';
import type { PublicKeyInfo } from '../keys.js';

// Sigstore bundles (https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_bundle.proto)
// verified offline with @sigstore/verify: key-based bundles against the given public keys,
// certificate-based (keyless) ones against a supplied TrustedRoot. Nothing is fetched.

export const MAX_BUNDLE_BYTES = 1024 * 1024;
const IN_TOTO = 'application/vnd.in-toto+json';

// The in-toto statement inside a DSSE bundle (https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md).
const Statement = z.object({
  subject: z.array(z.object({ digest: z.record(z.string(), z.string()) })).max(10_000),
});

const EMPTY_ROOT: TrustedRoot = TrustedRoot.fromJSON({ mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1', tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] });

// The outline of a TrustedRoot (sigstore_trustroot.proto); the protobuf decoder itself is lenient.
const TrustedRootOutline = z.object({
  mediaType: z.string().startsWith('application/vnd.dev.sigstore.trustedroot'),
  tlogs: z.array(z.object({ publicKey: z.object({ rawBytes: z.string() }) })).optional(),
  certificateAuthorities: z.array(z.object({ certChain: z.object({ certificates: z.array(z.object({ rawBytes: z.string() })).min(1) }) })).optional(),
  ctlogs: z.array(z.object({ publicKey: z.object({ rawBytes: z.string() }) })).optional(),
  timestampAuthorities: z.array(z.object({ certChain: z.object({ certificates: z.array(z.object({ rawBytes: z.string() })).min(1) }) })).optional(),
});

/** Parses a TrustedRoot JSON document (as `cosign trusted-root create` or the TUF repo publish it). */
export function parseTrustedRoot(text: string): TrustedRoot {
  try {
    if (text.length > 4 * MAX_BUNDLE_BYTES) throw new Error('larger than 4 MiB');
    const json: unknown = JSON.parse(text);
    const outline = TrustedRootOutline.safeParse(json);
    if (!outline.success) throw new Error(`${outline.error.issues[0]?.path.join('.') || '(root)'}: ${outline.error.issues[0]?.message}`);
    // The outline only vouches for the shape; the decoder gets every field (zod drops unknown ones).
    const root = TrustedRoot.fromJSON(json);
    // Building the trust material parses every key and certificate: fail here, not per bundle.
    toTrustMaterial(root, () => { throw new Error('no keys'); });
    return root;
  } catch (err) {
    throw new PortcullisError('USAGE', `the trusted root is not a valid Sigstore TrustedRoot: ${(err as Error).message}`);
  }
}

export interface BundleCheck {
  /** The image digest the bundle must be about. */
  readonly digest: string;
  readonly keys: readonly PublicKeyInfo[];
  readonly trustedRoot?: TrustedRoot | undefined;
  /** The image manifest's bytes: the artifact a message-signature bundle signs. */
  readonly manifest: () => Promise<Buffer>;
}

export type BundleOutcome = { readonly ok: true; readonly verified: VerifiedSignature } | { readonly ok: false; readonly error: SignatureError; readonly keyMismatch: boolean };

const invalid = (message: string, keyMismatch = false): BundleOutcome => ({ ok: false, error: signatureError('SIGNATURE_INVALID', message), keyMismatch });

/** Which artifact the bundle signs; undefined when it is not about `digest`. */
async function artifactFor(bundle: Bundle, c: BundleCheck): Promise<{ artifact?: Buffer } | string> {
  const hex = c.digest.slice('sha256:'.length);
  if (bundle.content.$case === 'messageSignature') {
    const md = bundle.content.messageSignature.messageDigest;
    if (!md || Buffer.from(md.digest).toString('hex') !== hex) return `its message digest is not ${c.digest}`;
    return { artifact: await c.manifest() };
  }
  const env = bundle.content.dsseEnvelope;
  if (env.payloadType !== IN_TOTO) return `its DSSE payload type is "${env.payloadType.slice(0, 80)}", not an in-toto statement`;
  let statement: z.infer<typeof Statement>;
  try {
    statement = Statement.parse(JSON.parse(Buffer.from(env.payload).toString('utf8')));
  } catch {
    return 'its in-toto statement cannot be parsed';
  }
  if (!statement.subject.some((s) => s.digest.sha256 === hex)) return `its in-toto statement has no subject with digest ${c.digest}`;
  return {};
}

function verifyWith(entity: SignedEntity, material: TrustMaterial, thresholds: { tlog: number; ctlog: number; timestamp: number }) {
  return new Verifier(material, { tlogThreshold: thresholds.tlog, ctlogThreshold: thresholds.ctlog, timestampThreshold: thresholds.timestamp }).verify(entity);
}

/** Verifies one Sigstore bundle (JSON text) for the image `c.digest`. Never throws for bad input. */
export async function checkBundle(text: string, c: BundleCheck, label: string): Promise<BundleOutcome> {
  let bundle: Bundle;
  try {
    if (text.length > MAX_BUNDLE_BYTES) return invalid(`${label} is larger than ${MAX_BUNDLE_BYTES} bytes`);
    bundle = bundleFromJSON(JSON.parse(text));
  } catch (err) {
    return invalid(`${label} is not a valid Sigstore bundle: ${(err as Error).message.slice(0, 200)}`);
  }
  const target = await artifactFor(bundle, c);
  if (typeof target === 'string') return invalid(`${label} is not about this image: ${target}`);
  let entity: SignedEntity;
  try {
    entity = toSignedEntity(bundle, target.artifact);
  } catch (err) {
    return invalid(`${label} has unreadable verification material: ${(err as Error).message.slice(0, 200)}`);
  }
  const material = bundle.verificationMaterial.content;
  if (material.$case === 'publicKey') {
    // Without a trusted root there is no log key to check inclusion with: like cosign's
    // --insecure-ignore-tlog, only the signature counts then.
    if (!c.trustedRoot) entity = { ...entity, tlogEntries: [], timestamps: [] };
    const root = c.trustedRoot ?? EMPTY_ROOT;
    for (const key of c.keys) {
      const trust = toTrustMaterial(root, () => ({ publicKey: key.key, validFor: () => true }));
      try {
        verifyWith(entity, trust, { tlog: 0, ctlog: 0, timestamp: 0 });
        return { ok: true, verified: { keyId: key.keyId, digest: c.digest } };
      } catch {
        // try the next key
      }
    }
    return invalid(`${label} does not verify with any of the ${c.keys.length} given key(s)`, true);
  }
  if (!c.trustedRoot) return invalid(`${label} is certificate-based (keyless); verifying it needs a trusted root`, true);
  const trust = toTrustMaterial(c.trustedRoot, () => { throw new Error('certificate bundle names a key'); });
  try {
    // A certificate is only valid at a trusted time (a log entry or a TSA timestamp); SCTs and
    // log inclusion are required when the root lists CT logs and transparency logs.
    const signer = verifyWith(entity, trust, { tlog: c.trustedRoot.tlogs.length > 0 ? 1 : 0, ctlog: c.trustedRoot.ctlogs.length > 0 ? 1 : 0, timestamp: 1 });
    const identity = signer.identity?.subjectAlternativeName;
    const issuer = signer.identity?.extensions?.issuer;
    return { ok: true, verified: { ...(identity ? { identity } : {}), ...(issuer ? { issuer } : {}), digest: c.digest } };
  } catch (err) {
    return invalid(`${label} does not verify against the trusted root: ${(err as Error).message.slice(0, 200)}`, true);
  }
}
