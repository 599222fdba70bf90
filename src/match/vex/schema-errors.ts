import type { z } from 'zod';
import { PortcullisError } from '../../core/errors.js';

/** A value from the document, shortened so a hostile 30 MB string never ends up in a message. */
export function quote(value: unknown, max = 80): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

/** The first few zod issues as `statements.3.status: …`, enough to find the mistake. */
export function describeIssues(error: z.ZodError, max = 3): string {
  const lines = error.issues.slice(0, max).map((issue) => {
    const at = issue.path.length ? issue.path.map(String).join('.') : '(document)';
    return `${at}: ${issue.message}`;
  });
  const more = error.issues.length - lines.length;
  return lines.join('; ') + (more > 0 ? `; and ${more} more` : '');
}

export function vexParseError(message: string, path: string | undefined, cause?: unknown): PortcullisError {
  return new PortcullisError('VEX_PARSE', message, { path }, cause === undefined ? undefined : { cause });
}
