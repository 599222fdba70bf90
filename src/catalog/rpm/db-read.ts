/**
 * What every rpm database reader returns: the header blobs it could extract, plus one
 * message per thing it could not read. A reader never throws on bad input; a database that
 * is corrupt only in places still yields the blobs around the damage.
 */
export interface DbRead {
  readonly blobs: Buffer[];
  readonly errors: string[];
  /** Set when the file is a database in a variant this cataloger does not read (CATALOG_UNSUPPORTED). */
  readonly unsupported?: string;
}

/** Thrown inside a reader for a malformed structure; never escapes the reader module. */
export class FormatError extends Error {
  override readonly name = 'FormatError';
}

/** Thrown inside a reader for a well-formed variant it does not read; never escapes the reader module. */
export class UnsupportedError extends FormatError {}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
