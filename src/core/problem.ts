import type { ErrorCode } from './errors.js';

/**
 * Partial failure as data: a file a cataloger could not parse, an unsafe tar entry that was
 * skipped. The scan goes on and the problem is reported beside the results.
 */
export interface Problem {
  readonly code: ErrorCode;
  readonly message: string;
  /** diffID of the layer, when the problem belongs to one. */
  readonly layer?: string;
  /** Tar entry or file path inside the image. */
  readonly path?: string;
  /** Plugin id of the cataloger or source that recorded it. */
  readonly source?: string;
}

export function problem(code: ErrorCode, message: string, extra: Omit<Problem, 'code' | 'message'> = {}): Problem {
  return { code, message, ...extra };
}
