import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { PortcullisError, type ErrorContext } from '../core/errors.js';

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

export function isDigest(text: string): boolean {
  return DIGEST_RE.test(text);
}

export function sha256Digest(bytes: Buffer | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Throws DIGEST_MISMATCH unless `bytes` hash to `expected`. */
export function verifyDigest(bytes: Buffer, expected: string, context: ErrorContext): void {
  if (!isDigest(expected)) {
    throw new PortcullisError('IMAGE_FORMAT', `unsupported digest "${expected}" (only sha256 is supported)`, context);
  }
  const actual = sha256Digest(bytes);
  if (actual !== expected) {
    throw new PortcullisError('DIGEST_MISMATCH', `expected ${expected}, got ${actual}`, context);
  }
}

/**
 * A pass-through stream that hashes what flows through it and fails the stream with
 * DIGEST_MISMATCH at the end if the hash differs from `expected`.
 */
export class DigestVerifier extends Transform {
  private readonly hash: Hash = createHash('sha256');
  constructor(
    private readonly expected: string,
    private readonly context: ErrorContext,
  ) {
    super();
    if (!isDigest(expected)) {
      throw new PortcullisError('IMAGE_FORMAT', `unsupported digest "${expected}" (only sha256 is supported)`, context);
    }
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    cb(null, chunk);
  }
  override _flush(cb: TransformCallback): void {
    const actual = `sha256:${this.hash.digest('hex')}`;
    if (actual !== this.expected) {
      cb(new PortcullisError('DIGEST_MISMATCH', `expected ${this.expected}, got ${actual}`, this.context));
      return;
    }
    cb();
  }
}
