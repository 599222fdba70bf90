import { isPortcullisError } from '../core/errors.js';
import { type SignatureError, signatureError } from './facts.js';

// Registry codes that mean "we could not look" rather than "we looked and it is wrong".
const UNREACHABLE = new Set<string>(['REGISTRY_UNREACHABLE', 'REGISTRY_AUTH', 'REGISTRY_INSECURE']);

/**
 * Translates an error met while reading signatures from a registry: not reaching it (or not
 * being let in) is SIGNATURE_UNREACHABLE; a registry that serves wrong or malformed content
 * is SIGNATURE_INVALID. The original code stays in the message.
 */
export function storageError(err: unknown): SignatureError {
  if (isPortcullisError(err)) {
    // statusError reports a 5xx (after retries) as REGISTRY_PROTOCOL: for us the registry is down.
    const serverDown = err.code === 'REGISTRY_PROTOCOL' && /unexpected HTTP 5\d\d/.test(err.message);
    const code = UNREACHABLE.has(err.code) || serverDown ? 'SIGNATURE_UNREACHABLE' : 'SIGNATURE_INVALID';
    return signatureError(code, `${err.message} (${err.code})`);
  }
  return signatureError('SIGNATURE_UNREACHABLE', `reading signatures failed: ${err instanceof Error ? err.message : String(err)}`);
}
